"""A real HTTP receiver on loopback, for the delivery tests: it keeps what it got and answers as told."""

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    got: list = field(default_factory=list)
    answers: list = field(default_factory=list)  # statuses to give, in order; then 200
    delay: float = 0.0
    location: str | None = None  # sent with a 3xx

    def next_status(self) -> int:
        return self.answers.pop(0) if self.answers else 200


def _handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            receiver.got.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.next_status()
            answer = b"ok" if status < 300 else (b"x" * 2000)  # a long answer: only 500 bytes are kept
            self.send_response(status)
            if 300 <= status < 400 and receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the sender stops reading after its first bytes
                self.wfile.write(answer)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    holder = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    holder.url = f"http://127.0.0.1:{server.server_port}/hooks"
    yield holder
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
