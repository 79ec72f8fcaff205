"""Shows of a company and editions of a network."""

import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select

from crm.base.enums import Audience, Discipline
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.showcase.models import Edition, EditionStatus, Show

SHOW_FIELDS = (
    "title", "discipline", "audience", "min_age", "duration_minutes", "cast_size",
    "setup_minutes", "strike_minutes", "set_van", "video_url", "summary",
)  # fmt: skip
EDITION_FIELDS = ("name", "starts_on", "ends_on", "description")


def save_show(show, company, data: dict) -> Show:
    """Create (show None) or update a show of the company."""
    values = {key: data.get(key) for key in SHOW_FIELDS}
    values["discipline"], values["audience"] = Discipline(values["discipline"]), Audience(values["audience"])
    values["video_url"] = (values["video_url"] or "").strip() or None
    values["summary"] = (values["summary"] or "").strip() or None
    values["setup_minutes"] = values["setup_minutes"] or 0
    values["set_van"] = bool(values["set_van"])
    values["strike_minutes"] = values["strike_minutes"] or 0
    if values["audience"] == Audience.ALL:
        values["min_age"] = values["min_age"] or None
    elif values["min_age"] is None:
        raise DomainError(_("Indiquez l'âge minimum du jeune public."), field="min_age")
    if show is None:
        show = Show(network_id=company.network_id, company_id=company.id)
        db.session.add(show)
    for key, value in values.items():
        setattr(show, key, value)
    db.session.flush()
    return show


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "edition"


def _unique_slug(base: str, edition_id: int | None) -> str:
    slug, n = base, 2
    while True:
        taken = db.session.scalar(select(Edition.id).where(Edition.slug == slug))
        if taken is None or taken == edition_id:
            return slug
        slug, n = f"{base}-{n}", n + 1


def save_edition(edition, network, data: dict) -> Edition:
    """Create (edition None) or update an edition; its public address (slug) never changes once set."""
    values = {key: data.get(key) for key in EDITION_FIELDS}
    values["name"] = values["name"].strip()
    if values["ends_on"] < values["starts_on"]:
        raise DomainError(_("La fin de l'édition précède son début."), field="ends_on")
    if edition is None:
        edition = Edition(network_id=network.id, status=EditionStatus.DRAFT)
        base = slugify(values["name"])
        edition.slug = _unique_slug(
            base if base.startswith(network.slug) else f"{network.slug}-{base}"[:60], None
        )
        db.session.add(edition)
    for key, value in values.items():
        setattr(edition, key, value)
    db.session.flush()
    return edition


def editions_query(network_id: int):
    return select(Edition).where(Edition.network_id == network_id).order_by(Edition.starts_on.desc())
