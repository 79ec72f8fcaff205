"""Likely duplicates in the programmer directory, and merging two records into one."""

import logging
from difflib import SequenceMatcher
from itertools import combinations

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import selectinload

from crm.base.database import search_key
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.contacts.models import Programmer, ProgrammerDiscipline

log = logging.getLogger(__name__)
SIMILAR = 0.85
# Tables that point at a programmer, repointed by a merge: each feature that adds one appends it here
# as (model, column name, unique scope or None), so that a merge keeps every invitation, attendance,
# interaction and outcome. With a scope (e.g. one invitation per edition), the kept record's row wins.
REFERENCES: list[tuple[type, str, str | None]] = []
MERGED_FIELDS = ("first_name", "last_name", "phone", "job_title", "organisation_id", "departement_code")


def _name(programmer) -> str:
    return search_key(programmer.first_name, programmer.last_name)


def likely_duplicates(network_id: int, limit: int = 50) -> list[tuple[Programmer, Programmer, float]]:
    """Pairs with the same name anywhere in the network, or close spellings in the same organisation."""
    people = list(
        db.session.scalars(
            select(Programmer)
            .where(Programmer.network_id == network_id, Programmer.erased_at.is_(None))
            .options(selectinload(Programmer.organisation))
            .order_by(Programmer.id)
        )
    )
    groups = {}
    for person in people:
        groups.setdefault(("name", _name(person)), []).append(person)
        if person.organisation_id:
            groups.setdefault(("organisation", person.organisation_id), []).append(person)
    pairs = {}
    for (kind, _key), members in groups.items():
        for a, b in combinations(members, 2):
            score = 1.0 if kind == "name" else SequenceMatcher(None, _name(a), _name(b)).ratio()
            if score >= SIMILAR:
                pairs[(a.id, b.id)] = (a, b, max(score, pairs.get((a.id, b.id), (0, 0, 0))[2]))
    return sorted(pairs.values(), key=lambda p: (-p[2], p[0].id))[:limit]


def merge(keep: Programmer, drop: Programmer, *, actor) -> Programmer:
    """Fold `drop` into `keep`: empty fields filled, interests joined, every reference moved; `drop` goes."""
    if keep.id == drop.id or keep.network_id != drop.network_id:
        raise DomainError(_("Ces deux fiches ne peuvent pas être fusionnées."))
    for name in MERGED_FIELDS:
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
    keep.wants_young = keep.wants_young or drop.wants_young
    keep.wants_all = keep.wants_all or drop.wants_all
    keep.opted_out_at = keep.opted_out_at or drop.opted_out_at  # an objection on either record stands
    known = set(keep.disciplines)
    keep.interests += [ProgrammerDiscipline(discipline=d) for d in drop.disciplines if d not in known]
    for model, column, scope in REFERENCES:
        owner = getattr(model, column)
        if scope:
            kept = select(getattr(model, scope)).where(owner == keep.id).scalar_subquery()
            db.session.execute(delete(model).where(owner == drop.id, getattr(model, scope).in_(kept)))
        db.session.execute(update(model).where(owner == drop.id).values({column: keep.id}))
    keep.search_key = search_key(
        keep.first_name, keep.last_name, keep.email, keep.organisation.name if keep.organisation else None
    )
    db.session.delete(drop)
    db.session.flush()
    log.info("programmer %s merged into %s by user %s", drop.id, keep.id, actor.id)
    return keep
