"""The HTML part of a message, laid out for the phone it is read on: one column at most 600 px wide,
a preheader, paragraphs, cards with real buttons, a short footer; styles inlined (css-inline) so that
Gmail and Outlook keep them, a dark-mode block kept for the clients that read it.

Every piece of text is escaped before the only tags we add go around it; a link is never shown as its
raw address: a line "Label : https://…" becomes a button named Label, another address a link "ce lien".
"""

import re

import css_inline
from flask import render_template
from markupsafe import Markup, escape

_URL = re.compile(r"(https?://[^\s<>\"]+)")
_LABELLED = re.compile(r"^\s*[-—–•]?\s*(?P<label>[^:\n]{2,80}?)\s*:\s*(?P<url>https?://[^\s<>\"]+)\s*$")
_INLINER = css_inline.CSSInliner(keep_style_tags=True, keep_at_rules=True, load_remote_stylesheets=False)
LINK_WORDS = {"fr": "ce lien", "en": "this link"}


def paragraph_blocks(text: str, lang: str = "fr") -> list[Markup]:
    """Paragraphs of escaped text; a labelled address alone on its line is a button."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines, buffer = [], []
        for line in chunk.splitlines():
            labelled = _LABELLED.match(line)
            if labelled:
                if buffer:
                    lines.append(_paragraph(buffer, lang))
                    buffer = []
                lines.append(_button(labelled["label"], labelled["url"]))
            else:
                buffer.append(line)
        if buffer:
            lines.append(_paragraph(buffer, lang))
        blocks.extend(lines)
    return blocks


def _paragraph(lines, lang) -> Markup:
    word = LINK_WORDS.get(lang, LINK_WORDS["fr"])
    parts = [
        _URL.sub(lambda m: f'<a href="{m.group(1)}">{escape(word)}</a>', str(escape(line))) for line in lines
    ]
    return Markup("<p>" + "<br>\n".join(parts) + "</p>")  # noqa: S704 - every part escaped just above


def _button(label, url) -> Markup:
    return Markup('<p><a class="button-soft" href="{}">{}</a></p>').format(url, label)


def designed(
    *, subject, brand, lang="fr", preheader="", intro=(), cards=(), outro=(), footer=(), labels=None
):
    """The whole HTML part, styles inlined."""
    html = render_template(
        "mail/designed.html",
        lang=lang,
        subject=subject,
        brand=brand,
        preheader=preheader,
        intro=intro,
        cards=cards,
        outro=outro,
        footer=footer,
        labels=labels or {},
    )
    return _INLINER.inline(html)


def text_to_html(text: str, *, subject: str = "", brand: str = "", lang: str = "fr") -> str:
    """A message written as text (a notice, an invitation, a reminder) in the designed layout: the part
    after a line '--' is its footer."""
    body, _sep, footer = text.partition("\n--\n")
    first = next((line for line in body.strip().splitlines() if line.strip()), "")
    return designed(
        subject=subject,
        brand=brand,
        lang=lang,
        preheader=first[:120],
        intro=paragraph_blocks(body, lang),
        footer=paragraph_blocks(footer, lang) if footer else (),
    )
