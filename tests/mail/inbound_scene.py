"""Messages that come back, written from the RFCs and from what mail clients produce (tests/mail/corpus),
filled in with the tokens and Message-IDs of the messages a follow-up really sent."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.mail.addresses import reply_address
from crm.mail.models import OutboxMessage
from crm.scheduler import run_due
from tests.scene import D2, free_port, launch, travel

CORPUS = Path(__file__).parent / "corpus"
REPLY = "suivi@reseau-a.example"
BOUNCES = "retours@reseau-a.example"


def corpus(name: str, message: OutboxMessage | None = None, **values) -> bytes:
    """A corpus message addressed as an answer to `message` (its token, its Message-ID, its recipient)."""
    text = (CORPUS / name).read_bytes()
    fields = {"UNIQUE": uuid.uuid4().hex}
    if message is not None:
        fields |= {
            "TO": reply_address(message.reply_token),
            "MESSAGE_ID": message.message_id,
            "FROM": message.to_address,
            "RECIPIENT": message.to_address,
        }
    fields |= values
    for key, value in fields.items():
        text = text.replace(("{" + key + "}").encode(), value.encode())
    return text


def sent_to(person) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.programmer_id == person.id).order_by(OutboxMessage.id)
    ).first()


@pytest.fixture
def answered(scene, app):
    """The scene's follow-up launched and its J+2 messages written, with reply and bounce addresses."""
    app.config.update(MAIL_REPLY_ADDRESS=REPLY, MAIL_BOUNCE_ADDRESS=BOUNCES)
    launch(scene)
    with travel(D2):
        run_due()
    db.session.commit()
    yield scene
    app.config.update(MAIL_REPLY_ADDRESS="", MAIL_BOUNCE_ADDRESS="")


# --- A real IMAP server (Debian's dovecot-imapd) on loopback -----------------------------------------

DOVECOT = "/usr/sbin/dovecot"
_CONFIG = """protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


class ImapServer:
    user, password = "vitrine", "mot-de-passe-imap"

    def __init__(self, directory, port):
        self.directory, self.port = directory, port
        self.config = directory / "dovecot.conf"

    def client(self):
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        try:
            client.login(self.user, self.password)
        except Exception:
            client.shutdown()
            raise
        return client

    def append(self, *messages, folder="INBOX"):
        with self.client() as client:
            for raw in messages:
                client.append(folder, raw)

    def count(self, folder):
        with self.client() as client:
            if not client.folder_exists(folder):
                return 0
            return client.select_folder(folder, readonly=True)[b"EXISTS"]

    def kick(self):
        """The server drops every connection of the user (as a restart or a network cut would), and
        this returns once it has: no session of the user is left."""
        doveadm = ["doveadm", "-c", str(self.config)]
        subprocess.run([*doveadm, "kick", self.user], check=True, capture_output=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            who = subprocess.run([*doveadm, "who"], capture_output=True, text=True, check=False)
            if self.user not in who.stdout:
                return
            time.sleep(0.05)
        raise AssertionError("dovecot did not drop the connection")


@pytest.fixture
def imap_server(app):
    if not os.path.exists(DOVECOT):
        if os.environ.get("VITRINE_REQUIRE_IMAP"):
            pytest.fail(f"dovecot is required here but missing at {DOVECOT}")
        pytest.skip("dovecot not found: install it with `apt-get install dovecot-imapd`")
    import pwd

    nobody = pwd.getpwnam("nobody")
    # Not pytest's tmp_path: dovecot's own processes run as its users and must reach the files.
    tmp_path = Path(tempfile.mkdtemp(prefix="vitrine-imap-"))
    for name in ("run", "state", "mail", "home"):
        (tmp_path / name).mkdir()
    os.chmod(tmp_path, 0o755)  # noqa: S103 - a throwaway test mailbox, read by dovecot's users
    for name in ("mail", "home"):
        os.chmod(tmp_path / name, 0o777)  # noqa: S103 - written by the mail user dovecot switches to
    server = ImapServer(tmp_path, free_port())
    (tmp_path / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}::::::\n")
    server.config.write_text(
        _CONFIG.format(dir=tmp_path, port=server.port, uid=nobody.pw_uid, gid=nobody.pw_gid)
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(server.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", server.port)) == 0:
                break
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(
            "dovecot did not start: " + (tmp_path / "dovecot.log").read_text(errors="replace")[-2000:]
        )
    app.config.update(
        MAIL_IMAP_HOST="127.0.0.1", MAIL_IMAP_PORT=server.port, MAIL_IMAP_TLS=False,
        MAIL_IMAP_USER=server.user, MAIL_IMAP_PASSWORD=server.password,
        MAIL_IMAP_FOLDER="INBOX", MAIL_IMAP_DONE_FOLDER="Vitrine-traites",
    )  # fmt: skip
    yield server
    app.config.update(MAIL_IMAP_HOST="")
    process.terminate()
    process.wait(timeout=20)
    shutil.rmtree(tmp_path, ignore_errors=True)
