"""Companies, structures and programmers of a network: creation, edits, scoped queries."""

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.accounts.models import User
from crm.base import identifiers
from crm.base.database import search_key
from crm.base.enums import Discipline
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.geo import departement, departement_for_postcode, departements
from crm.base.phones import normalise_phone
from crm.contacts import places
from crm.contacts.models import (
    ArtisticDirection,
    LawfulBasis,
    Organisation,
    OrganisationKind,
    Programmer,
    ProgrammerDiscipline,
)
from crm.contacts.registry import FILTERS
from crm.territory import communes

IDENTIFIER_FIELDS = ("siret", "ape_code", "vat_number", "licence_1", "licence_2", "licence_3")
ORGANISATION_FIELDS = (
    "name",
    "structure_type",
    "is_venue",
    "address",
    "postcode",
    "city",
    "departement_code",
    "commune_code",
    "email",
    "phone",
    "website",
    "member_since",
    "capacity",
    "stage_width_m",
    "stage_depth_m",
    "has_blackout",
    "on_public_map",
    *IDENTIFIER_FIELDS,
    "artistic_direction",
)
PROGRAMMER_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "organisation_id",
    "job_title",
    "departement_code",
    "wants_young",
    "wants_all",
    "lawful_basis",
    "language",
    "source",
)


def _clean(value):
    return value.strip() or None if isinstance(value, str) else value


def _settle_departement(data: dict) -> None:
    """Fill the département from the postcode when left empty; refuse an unknown or mismatched one."""
    chosen = data.get("departement_code")
    from_postcode = departement_for_postcode(data.get("postcode"))
    if chosen and departement(chosen) is None:
        raise DomainError(_("Département inconnu."), field="departement_code")
    if chosen and from_postcode and chosen != from_postcode:
        raise DomainError(
            _(
                "Le code postal %(postcode)s est dans le département %(label)s : choisissez-le, "
                "ou laissez ce champ vide pour qu'il soit déduit du code postal.",
                postcode=data["postcode"],
                label=departement(from_postcode).label,
            ),
            field="departement_code",
        )
    data["departement_code"] = chosen or from_postcode


def normalise_identifiers(values: dict) -> None:
    """The official numbers given, checked and normalised in place (DomainError on the first wrong one)."""
    if "siret" in values:
        values["siret"] = identifiers.siret(values["siret"])
    if "ape_code" in values:
        values["ape_code"] = identifiers.ape(values["ape_code"])
    if "vat_number" in values:
        values["vat_number"] = identifiers.vat(values["vat_number"], siret_number=values.get("siret"))
    for category in identifiers.LICENCE_CATEGORIES:
        name = f"licence_{category}"
        if name in values:
            checked = identifiers.licence(values[name], category, field=name)
            values[name] = checked[1] if checked else None


def _settle_commune(values: dict) -> None:
    """The commune from the postcode and town (or the one chosen), the département from the commune;
    without a postcode, the département as typed."""
    place = places.locate(
        values.get("postcode"), values.get("city"), values.get("commune_code"), values.get("departement_code")
    )
    if place.problem:
        raise DomainError(place.problem, field=place.field)
    if place.commune is None:
        values["commune_code"] = None
        _settle_departement(values)
        return
    values["commune_code"] = place.commune.code
    values["departement_code"] = place.commune.departement
    typed = communes.simplified(values.get("city"))
    if not typed or typed == communes.simplified(place.commune.name):
        values["city"] = place.commune.name  # the official spelling, unless a Cedex or a district was added


def save_organisation(organisation, network, kind: OrganisationKind, data: dict) -> Organisation:
    """Create (organisation None) or update a company or structure of the network."""
    values = {key: _clean(data.get(key)) for key in ORGANISATION_FIELDS if key in data}
    values["phone"] = normalise_phone(values.get("phone"))
    values["email"] = (values.get("email") or "").lower() or None
    normalise_identifiers(values)
    if "artistic_direction" in values:
        if values["artistic_direction"] not in (None, *[d.value for d in ArtisticDirection]):
            raise DomainError(_("Choisissez une des réponses proposées."), field="artistic_direction")
        values["artistic_direction"] = values["artistic_direction"] or None
    _settle_commune(values)
    duplicate = db.session.scalar(
        select(Organisation.id).where(
            Organisation.network_id == network.id,
            Organisation.kind == kind,
            Organisation.name == values["name"],
        )
    )
    if duplicate and (organisation is None or duplicate != organisation.id):
        raise DomainError(_("Ce nom existe déjà dans le réseau."), field="name")
    if kind == OrganisationKind.COMPANY:
        values["structure_type"] = None
        values["is_venue"] = values["has_blackout"] = False
    elif not values.get("structure_type"):
        raise DomainError(_("Choisissez le type de structure."), field="structure_type")
    if organisation is None:
        organisation = Organisation(network_id=network.id, kind=kind)
        db.session.add(organisation)
    for key, value in values.items():
        setattr(organisation, key, value)
    organisation.search_key = search_key(organisation.name, organisation.city)
    db.session.flush()
    return organisation


def organisations_query(network_id: int, kind: OrganisationKind, text: str | None = None):
    """Organisations of one kind in a network, optionally matching a search text, by name."""
    query = select(Organisation).where(Organisation.network_id == network_id, Organisation.kind == kind)
    for word in search_key(text).split():
        query = query.where(Organisation.search_key.contains(word, autoescape=True))
    return query.order_by(Organisation.name)


def unsettled_query(network_id: int):
    """Companies and structures with a postcode but no commune yet (several communes share the postcode and
    the town did not say which, or they came before communes were recorded): for a coordinator to choose."""
    return (
        select(Organisation)
        .where(Organisation.network_id == network_id, Organisation.postcode.is_not(None),
               Organisation.commune_code.is_(None))
        .order_by(Organisation.name, Organisation.id)
    )  # fmt: skip


def count_unsettled(network_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(unsettled_query(network_id).order_by(None).subquery())
    )


def structure_choices(network_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.city)
        .where(Organisation.network_id == network_id, Organisation.kind == OrganisationKind.STRUCTURE)
        .order_by(Organisation.name)
    )
    return [(row.id, f"{row.name} ({row.city})" if row.city else row.name) for row in rows]


def save_programmer(programmer, network, data: dict, *, actor: User) -> Programmer:
    """Create (programmer None) or update a programmer of the network."""
    values = {key: _clean(data.get(key)) for key in PROGRAMMER_FIELDS if key in data}
    values["email"] = (values.get("email") or "").lower()
    values["phone"] = normalise_phone(values.get("phone"))
    values["lawful_basis"] = values.get("lawful_basis") or LawfulBasis.LEGITIMATE_INTEREST
    _settle_departement(values)
    _check_programmer_email(programmer, network, values["email"])
    _check_organisation(network, values.get("organisation_id"))
    if programmer is None:
        programmer = Programmer(network_id=network.id, created_by_id=actor.id)
        db.session.add(programmer)
    elif programmer.email != values["email"]:
        programmer.bounced_at = None  # a corrected address may be written to again
    for key, value in values.items():
        setattr(programmer, key, value)
    chosen = {Discipline(d) for d in data.get("disciplines") or ()}
    programmer.interests = [i for i in programmer.interests if i.discipline in chosen] + [
        ProgrammerDiscipline(discipline=d) for d in sorted(chosen - set(programmer.disciplines))
    ]
    organisation = (
        db.session.get(Organisation, programmer.organisation_id) if programmer.organisation_id else None
    )
    programmer.search_key = search_key(
        programmer.first_name,
        programmer.last_name,
        programmer.email,
        organisation.name if organisation else None,
        organisation.city if organisation else None,
    )
    db.session.flush()
    return programmer


def _check_programmer_email(programmer, network, email: str) -> None:
    existing = db.session.scalar(
        select(Programmer.id).where(Programmer.network_id == network.id, Programmer.email == email)
    )
    if existing and (programmer is None or existing != programmer.id):
        raise DomainError(_("Cette adresse e-mail est déjà dans l'annuaire du réseau."), field="email")


def _check_organisation(network, organisation_id) -> None:
    if organisation_id is None:
        return
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.network_id != network.id:
        raise DomainError(_("Structure inconnue."), field="organisation_id")


DIRECTORY_FILTERS = (
    "departement", "region", "structure_type", "discipline", "audience", "attended", "contacted",
)  # fmt: skip


def departements_in_use(network_id: int, kind=None) -> set[str]:
    """The départements of the network's programmers (or of its organisations of one kind): one query."""
    if kind is None:
        column, where = (
            Programmer.departement_code,
            [Programmer.network_id == network_id, Programmer.erased_at.is_(None)],
        )
    else:
        column, where = (
            Organisation.departement_code,
            [Organisation.network_id == network_id, Organisation.kind == kind],
        )
    return set(db.session.scalars(select(column).where(*where, column.is_not(None)).distinct()))


def programmers_query(network_id: int, text: str | None = None, **filters):
    """Programmers of a network: accent- and case-insensitive text on name, e-mail, structure and
    town, and the directory's filters (département, region, structure type, discipline, audience)."""
    query = (
        select(Programmer)
        .where(Programmer.network_id == network_id, Programmer.erased_at.is_(None))
        .options(selectinload(Programmer.organisation), selectinload(Programmer.interests))
    )
    for word in search_key(text).split():
        query = query.where(Programmer.search_key.contains(word, autoescape=True))
    return _filtered(query, network_id, **filters).order_by(
        Programmer.last_name, Programmer.first_name, Programmer.id
    )


def _filtered(
    query,
    network_id,
    departement=None,
    region=None,
    structure_type=None,
    discipline=None,
    audience=None,
    **known_elsewhere,
):
    for name, value in known_elsewhere.items():
        condition = FILTERS[name](value) if name in FILTERS else None
        if condition is not None:
            query = query.where(condition)
    if departement:
        query = query.where(Programmer.departement_code == departement)
    if region:
        codes = [d.code for d in departements().values() if d.region_code == region]
        query = query.where(Programmer.departement_code.in_(codes))
    if structure_type:
        kinds = select(Organisation.id).where(
            Organisation.network_id == network_id, Organisation.structure_type == structure_type
        )
        query = query.where(Programmer.organisation_id.in_(kinds))
    if discipline:
        interested = select(ProgrammerDiscipline.programmer_id).where(
            ProgrammerDiscipline.discipline == discipline
        )
        query = query.where(Programmer.id.in_(interested))
    if audience in ("young", "all"):
        query = query.where(Programmer.wants_young if audience == "young" else Programmer.wants_all)
    return query


def may_edit_programmer(actor: User, programmer: Programmer) -> bool:
    """Coordinators edit every record, members those they created; an erased record stays as it is."""
    return programmer.erased_at is None and (actor.is_coordinator or programmer.created_by_id == actor.id)
