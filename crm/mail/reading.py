"""Reading incoming messages as they really come: the person's own words out of a reply (quotes and
signature removed, HTML turned into text), the date an out-of-office gives, whether it is automatic."""

import re
from datetime import date
from email.message import EmailMessage
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

AUTO_SUBJECTS = re.compile(
    r"^\s*(r[ée]ponse automatique|absence|absent|out of (the )?office|automatic reply|auto(matic)?[ -]?reply"
    r"|autoreply|vacation|en cong[ée]s?|message d'absence|abwesend)\b",
    re.IGNORECASE,
)
UNSUBSCRIBE_SUBJECTS = {"unsubscribe", "désinscription", "desinscription", "se désinscrire", "stop"}
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail delivery subsystem)", re.IGNORECASE)
BOUNCE_SUBJECTS = re.compile(
    r"(undeliver|delivery status notification|non remis|non distribu|mail delivery failed|returned mail"
    r"|delivery failure|échec de (la )?remise|failure notice)",
    re.IGNORECASE,
)


def is_automatic(message: EmailMessage) -> bool:
    """RFC 3834 Auto-Submitted (other than 'no'), the usual X- headers and Precedence, or an
    out-of-office subject in French or English."""
    auto = (message.get("Auto-Submitted") or "no").strip().lower()
    if auto != "no":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("X-Auto-Response-Suppress"):
        return True
    if (message.get("Precedence") or "").strip().lower() in {"auto_reply", "bulk", "junk", "list"}:
        return True
    return bool(AUTO_SUBJECTS.match(str(message.get("Subject") or "")))


def looks_like_bounce(message: EmailMessage) -> bool:
    sender = str(message.get("From") or "")
    return (
        message.get_content_type() == "multipart/report"
        or (message.get("Return-Path") or "").strip() == "<>"
        or bool(BOUNCE_SENDERS.match(sender))
        or bool(BOUNCE_SUBJECTS.search(str(message.get("Subject") or "")))
    )


def report_type(message: EmailMessage) -> str | None:
    if message.get_content_type() != "multipart/report":
        return None
    return (message.get_param("report-type") or "").lower() or None


def is_unsubscribe(message: EmailMessage) -> bool:
    return str(message.get("Subject") or "").strip().lower() in UNSUBSCRIBE_SUBJECTS


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "blockquote":
            self.parts.append("> ")  # so that the reply parser sees quoted history as quoted

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(self.skip - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))  # HTML: line breaks in the source are spaces


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    text = re.sub(r"[ \t\xa0]+", " ", "".join(parser.parts))
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def body_text(message: EmailMessage) -> str:
    """The text of the message: its plain part, or its HTML part as text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content.replace("\r\n", "\n")


_GMAIL_QUOTE = re.compile(r"\n(Le .{5,120}a écrit\s*:|On .{5,120}wrote\s*:)\s*\n", re.DOTALL)


_DEVICE_LINES = re.compile(
    r"^\s*(envoy[ée] (de|depuis) (mon|un) .{2,40}|sent from my .{2,40}|provenance ?: .{2,60}"
    r"|get outlook for .{2,30}|obtenir outlook pour .{2,30})\s*$",
    re.IGNORECASE,
)


def own_words(text: str, sender_name: str | None = None) -> str:
    """What the person wrote: quoted history and signature removed (French and English clients)."""
    if not text.strip():
        return ""
    parsed = EmailReplyParser(languages=["fr", "en"]).read(text)
    words = parsed.replies[0].body if parsed.replies else text
    words = _GMAIL_QUOTE.split("\n" + words, maxsplit=1)[0]  # a header line the parser left
    lines = [line for line in words.strip().splitlines() if not line.startswith(">")]
    lines = [line for line in lines if not _DEVICE_LINES.match(line)]
    words = "\n".join(lines).strip()
    return _without_name_signature(words, sender_name)[:5000]


def _without_name_signature(words: str, sender_name: str | None) -> str:
    """A last short paragraph that starts with the sender's name is their signature."""
    paragraphs = words.split("\n\n")
    last = paragraphs[-1].strip()
    name = (sender_name or "").strip().lower()
    if len(paragraphs) > 1 and name and last.lower().startswith(name) and len(last.splitlines()) <= 4:
        paragraphs = paragraphs[:-1]
    return "\n\n".join(paragraphs).strip()


MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_UNTIL = r"(?:jusqu'au|jusqu’au|jusqu'à|de retour le|retour le|until|back on|returning on|back)"
_WORDS = re.compile(
    _UNTIL + r"\s+(?:le\s+|lundi\s+|mardi\s+|mercredi\s+|jeudi\s+|vendredi\s+|samedi\s+|dimanche\s+"
    r"|monday\s+|tuesday\s+|wednesday\s+|thursday\s+|friday\s+|saturday\s+|sunday\s+)?"
    r"(\d{1,2})(?:er)?\s+([a-zéûà]+)(?:\s+(\d{4}))?",
    re.IGNORECASE,
)
_ENGLISH = re.compile(
    _UNTIL + r"\s+(?:[a-z]+day,?\s+)?([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", re.IGNORECASE
)
_NUMBERS = re.compile(_UNTIL + r"\s+(?:le\s+)?(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?", re.IGNORECASE)


def return_date(text: str, *, today: date) -> date | None:
    """The day the person is back, read from an out-of-office ('jusqu'au 15 janvier', 'until
    January 15', 'de retour le 15/01'), in the year that makes it come after today; None if unreadable."""
    for pattern, order in ((_WORDS, "dmy"), (_ENGLISH, "mdy"), (_NUMBERS, "dmy-numeric")):
        for match in pattern.finditer(text or ""):
            found = _date_of(match.groups(), order, today)
            if found:
                return found
    return None


def _date_of(groups, order, today):
    try:
        if order == "dmy":
            day, month, year = int(groups[0]), MONTHS.get(groups[1].lower()), groups[2]
        elif order == "mdy":
            month, day, year = MONTHS.get(groups[0].lower()), int(groups[1]), groups[2]
        else:
            day, month, year = int(groups[0]), int(groups[1]), groups[2]
        if not month:
            return None
        year = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
        found = date(year, month, day)
        if not groups[2] and found < today:
            found = date(year + 1, month, day)
    except (ValueError, TypeError):
        return None
    return found if today <= found <= date(today.year + 1, today.month, min(today.day, 28)) else None
