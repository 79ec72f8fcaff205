"""The HTML part of a message, made from its text: escaped, paragraphs kept, addresses clickable."""

import re

from markupsafe import escape

_URL = re.compile(r"(https?://[^\s<>\"]+)")

_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
    '<body style="font-family: sans-serif; line-height: 1.5">{}</body></html>'
)


def text_to_html(text: str) -> str:
    """Every piece of the text is escaped before the only tags we add (p, br, a) go around it."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [_URL.sub(r'<a href="\1">\1</a>', str(escape(line))) for line in block.splitlines()]
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return _PAGE.format("\n".join(paragraphs))
