"""Importing programmers from a spreadsheet: column guessing, a preview plan, then the import.

Re-importing the same file changes nothing: a known e-mail updates that record instead of adding one.
"""

import enum
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from crm.base import identifiers
from crm.base.database import search_key
from crm.base.enums import Discipline
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.geo import departement_for_postcode, departements
from crm.base.i18n import reasons
from crm.base.phones import normalise_phone
from crm.contacts import places
from crm.contacts.models import (
    Organisation,
    OrganisationKind,
    Programmer,
    ProgrammerDiscipline,
    StructureType,
)

# the structure's official numbers: a cell of licences says each one's category (« 2-PLATESV-… »)
NUMBER_FIELDS = ("siret", "ape_code", "vat_number", "licences", "licence_1", "licence_2", "licence_3")
FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "organisation",
    "job_title",
    "departement",
    "postcode",
    "city",
    "disciplines",
    *NUMBER_FIELDS,
)
ALIASES = {
    "first_name": ("prenom", "first name", "firstname", "given name"),
    "last_name": ("nom", "nom de famille", "last name", "lastname", "surname", "family name", "name"),
    "email": ("e-mail", "email", "mail", "courriel", "adresse e-mail", "adresse mail", "e mail"),
    "phone": ("telephone", "tel", "tel.", "phone", "mobile", "portable", "numero"),
    "organisation": (
        "structure",
        "organisation",
        "organization",
        "lieu",
        "etablissement",
        "theatre",
        "salle",
    ),
    "job_title": ("fonction", "poste", "job title", "role", "titre"),
    "departement": ("departement", "dept", "dep", "department"),
    "postcode": ("code postal", "cp", "postcode", "zip", "code"),
    "city": ("ville", "commune", "city", "town"),
    "disciplines": ("disciplines", "discipline", "esthetiques", "genres"),
    # the structure's official numbers (a row without a structure has none to give)
    "siret": ("siret", "n° siret", "no siret", "numero siret", "siret de la structure", "siret structure"),
    "ape_code": ("ape", "code ape", "naf", "code naf", "ape/naf", "code ape/naf", "ape naf"),
    "vat_number": (
        "tva", "n° tva", "numero de tva", "tva intracommunautaire", "n° tva intracommunautaire",
        "n° de tva intracommunautaire", "vat", "vat number",
    ),
    "licences": (
        "licence", "licences", "n° licence", "numero de licence", "licence entrepreneur de spectacles",
        "licences entrepreneur de spectacles", "licence spectacle", "licences spectacle",
    ),
    "licence_1": ("licence 1", "licence cat 1", "licence cat. 1", "licence categorie 1", "licence n° 1"),
    "licence_2": ("licence 2", "licence cat 2", "licence cat. 2", "licence categorie 2", "licence n° 2"),
    "licence_3": ("licence 3", "licence cat 3", "licence cat. 3", "licence categorie 3", "licence n° 3"),
}  # fmt: skip


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class RowPlan:
    line: int
    action: Action
    values: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    new_structure: bool = False


def guess_mapping(headers) -> dict[int, str]:
    """Column index → field, from French or English headers (accents and case ignored)."""
    mapping, taken = {}, set()
    for index, header in enumerate(headers):
        key = search_key(header)
        for name, aliases in ALIASES.items():
            if name not in taken and (key in aliases or key == name.replace("_", " ")):
                mapping[index] = name
                taken.add(name)
                break
    return mapping


def _discipline_lookup():
    lookup = {}
    for d in Discipline:
        lookup[search_key(d.value.replace("_", " "))] = d
        lookup[search_key(str(d.label))] = d
    lookup.update(
        {"theater": Discipline.THEATRE, "musique": Discipline.MUSIC, "marionnettes": Discipline.PUPPETRY}
    )
    return lookup


class Context:
    """What a whole import needs to know of the network, loaded once (no query per row)."""

    def __init__(self, network_id):
        self.network_id = network_id
        self.by_email = {
            p.email: p
            for p in db.session.scalars(select(Programmer).where(Programmer.network_id == network_id))
        }
        self.structures = {
            o.search_key: o
            for o in db.session.scalars(
                select(Organisation).where(
                    Organisation.network_id == network_id, Organisation.kind == OrganisationKind.STRUCTURE
                )
            )
        }
        self.departement_names = {search_key(d.name): d.code for d in departements().values()}
        self.disciplines = _discipline_lookup()
        self.seen = {}


def plan_row(context: Context, line: int, cells: dict) -> RowPlan:
    """What importing one row would do, and every reason to refuse it."""
    reasons, values = [], {}
    for name in ("first_name", "last_name", "job_title", "city", "postcode"):
        values[name] = (cells.get(name) or "").strip() or None
    if not values["last_name"]:
        reasons.append(_("nom manquant"))
    values["email"] = _email(cells.get("email"), reasons)
    values["phone"] = _phone(cells.get("phone"), reasons)
    values["departement_code"] = _departement(context, cells, reasons)
    values["commune_code"] = _commune(context, cells, values, reasons)
    values["disciplines"] = _disciplines(context, cells.get("disciplines"), reasons)
    values["organisation"] = (cells.get("organisation") or "").strip() or None
    values["numbers"] = _numbers(cells, values["organisation"], reasons)
    email = values["email"]
    if email and email in context.seen:
        reasons.append(
            _("adresse déjà présente plus haut dans le fichier (ligne %(n)d)", n=context.seen[email])
        )
    if reasons:
        return RowPlan(line, Action.REFUSED, values, reasons)
    context.seen[email] = line
    existing = context.by_email.get(email)
    new_structure = (
        bool(values["organisation"]) and search_key(values["organisation"]) not in context.structures
    )
    if existing is None:
        return RowPlan(line, Action.CREATE, values, new_structure=new_structure)
    changed = _differs(existing, values, context)
    return RowPlan(line, Action.UPDATE if changed else Action.UNCHANGED, values, new_structure=new_structure)


def _email(raw, reasons):
    raw = (raw or "").strip()
    if not raw:
        reasons.append(_("e-mail manquant"))
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        reasons.append(_("e-mail invalide : %(v)s", v=raw))
        return None


def _phone(raw, reasons):
    try:
        return normalise_phone(raw)
    except DomainError as error:
        reasons.append(str(error.message))
        return None


def _departement(context, cells, reasons):
    raw = (cells.get("departement") or "").strip()
    if raw:
        code = raw.upper().zfill(2) if raw.isdigit() and len(raw) < 3 else raw.upper()
        code = code if code in departements() else context.departement_names.get(search_key(raw))
        if code is None:
            reasons.append(_("département inconnu : %(v)s", v=raw))
        return code
    return departement_for_postcode(cells.get("postcode"))


def _commune(context, cells, values, reasons):
    """The structure's commune from its postcode and town; a postcode, town and département that disagree
    refuse the row with the reason. A postcode of several communes, the town not saying which, is kept
    without a commune (the directory lists it to choose)."""
    typed = values["departement_code"] if (cells.get("departement") or "").strip() else None
    place = places.locate(values["postcode"], values["city"], None, typed)
    if place.problem and place.field != "commune_code":
        reasons.append(place.problem)
    if place.commune is None:
        return None
    values["departement_code"] = place.commune.departement
    return place.commune.code


def _disciplines(context, raw, reasons):
    found = []
    for part in (raw or "").replace(";", ",").replace("/", ",").split(","):
        if part.strip():
            discipline = context.disciplines.get(search_key(part))
            if discipline is None:
                reasons.append(_("discipline inconnue : %(v)s", v=part.strip()))
            elif discipline not in found:
                found.append(discipline)
    return found


def _numbers(cells, organisation, reasons) -> dict:
    """The structure's official numbers from the row, checked as on the structure's form; each wrong one
    refuses the row with its reason."""
    numbers, typed = {}, {name: (cells.get(name) or "").strip() for name in NUMBER_FIELDS}
    if not any(typed.values()):
        return numbers
    if not organisation:
        reasons.append(_("numéros officiels sans structure : indiquez la structure à qui ils sont"))
        return numbers

    def checked(check, raw, *args, **kwargs):
        try:
            return check(raw, *args, **kwargs)
        except DomainError as error:
            reasons.append(_("%(why)s (« %(v)s »)", why=str(error.message).rstrip("."), v=raw))
            return None

    numbers["siret"] = checked(identifiers.siret, typed["siret"])
    numbers["ape_code"] = checked(identifiers.ape, typed["ape_code"])
    numbers["vat_number"] = checked(identifiers.vat, typed["vat_number"], siret_number=numbers["siret"])
    given = [(category, typed[f"licence_{category}"]) for category in identifiers.LICENCE_CATEGORIES]
    given += [(None, part.strip()) for part in re.split(r"[;,\n]", typed["licences"]) if part.strip()]
    for category, raw in given:
        found = checked(identifiers.licence, raw, category)
        if found and found[0] is None:
            reasons.append(
                _("catégorie de la licence inconnue (« %(v)s ») : écrivez « 2-PLATESV-… » ou utilisez une "
                  "colonne « Licence 2 »", v=raw)
            )  # fmt: skip
        elif found:
            numbers[f"licence_{found[0]}"] = found[1]
    return {name: value for name, value in numbers.items() if value}


def _differs(programmer, values, context) -> bool:
    organisation = context.structures.get(search_key(values["organisation"] or ""))
    pairs = [
        (programmer.first_name, values["first_name"]),
        (programmer.last_name, values["last_name"]),
        (programmer.job_title, values["job_title"]),
        (programmer.phone, values["phone"]),
        (programmer.departement_code, values["departement_code"]),
    ]
    if values["organisation"]:
        pairs.append((programmer.organisation_id, organisation.id if organisation else None))
    if values["disciplines"]:
        pairs.append((set(programmer.disciplines), set(values["disciplines"])))
    fills = organisation is not None and any(not getattr(organisation, n) for n in values["numbers"])
    return fills or any(new is not None and new != old for old, new in pairs)


def rows(table, mapping):
    for offset, cells in enumerate(table.rows):
        yield offset + 2, {name: cells[index] for index, name in mapping.items() if index < len(cells)}


def plan(network_id, table, mapping) -> list[RowPlan]:
    """What importing the table would do, row by row; nothing is written."""
    context = Context(network_id)
    return [plan_row(context, line, cells) for line, cells in rows(table, mapping)]


def apply(network_id, table, mapping, *, actor, source, lawful_basis) -> list[RowPlan]:
    """Import the valid rows (one flush at the end); returns the plan that was carried out."""
    context = Context(network_id)
    planned = []
    for line, cells in rows(table, mapping):
        row = plan_row(context, line, cells)
        planned.append(row)
        if row.action in (Action.CREATE, Action.UPDATE):
            write(context, row.values, actor=actor, source=source, lawful_basis=lawful_basis)
    db.session.flush()
    return planned


def _structure(context, name, values):
    key = search_key(name)
    if key not in context.structures:
        structure = Organisation(
            network_id=context.network_id,
            kind=OrganisationKind.STRUCTURE,
            name=name,
            structure_type=StructureType.OTHER,
            city=values["city"],
            postcode=values["postcode"],
            commune_code=values["commune_code"],
            departement_code=values["departement_code"],
            search_key=search_key(name, values["city"]),
        )
        db.session.add(structure)
        context.structures[key] = structure
    structure = context.structures[key]
    for name, value in values["numbers"].items():
        if not getattr(structure, name):  # what the directory already has is kept
            setattr(structure, name, value)
    return structure


def write(context, values, *, actor, source, lawful_basis):
    programmer = context.by_email.get(values["email"])
    if programmer is None:
        programmer = Programmer(
            network_id=context.network_id,
            email=values["email"],
            created_by_id=actor.id,
            source=source,
            lawful_basis=lawful_basis,
            wants_all=True,
            wants_young=False,
            first_name="",
            last_name="",
        )
        db.session.add(programmer)
        context.by_email[values["email"]] = programmer
    for name in ("first_name", "last_name", "job_title", "phone", "departement_code"):
        if values[name] is not None:
            setattr(programmer, name, values[name])
    structure = _structure(context, values["organisation"], values) if values["organisation"] else None
    if structure is not None:
        programmer.organisation = structure
    if values["disciplines"]:
        programmer.interests = [ProgrammerDiscipline(discipline=d) for d in values["disciplines"]]
    programmer.search_key = search_key(
        programmer.first_name,
        programmer.last_name,
        programmer.email,
        structure.name if structure else None,
        structure.city if structure else None,
    )


def refused_rows(table, planned) -> tuple[list[str], list[list[str]]]:
    """The refused rows as they came, with the reason in a last column, to fix and import again."""
    headers = [*table.headers, _("Motif du refus")]
    rows = [[*table.rows[p.line - 2], reasons(p.reasons)] for p in planned if p.action == Action.REFUSED]
    return headers, rows
