"""The pooled box office, performance by performance, ready for SIBIL (Système d'information billetterie,
loi LCAP art. 48, décret 2017-926): whoever runs the ticketing declares each quarter's performances on the
ministry's platform; Vitrine prepares the figures under SIBIL's own field names (CSV and JSON), it does not
declare.

A performance is a slot of the edition with a show in it; its receipts are the sum of its tickets sold at
each price, all taxes included, the amount excluding VAT follows from the rate. Every sum is computed by
the database, in one query for the whole edition.
"""

import json
from dataclasses import dataclass
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from crm.base.extensions import db
from crm.base.spreadsheets import to_csv
from crm.base.timeutil import local
from crm.contacts.models import Organisation, StructureType
from crm.impact.models import BoxOfficePerformance, BoxOfficePrice, PriceKind, VenueType
from crm.showcase.models import Assignment, Registration, Show, ShowFormat, Slot, SlotStatus

CENT = Decimal("0.01")
DEFAULT_VAT = Decimal("5.5")  # ticketing of live performances (CGI art. 278-0 bis)
DEFAULT_TYPES = {
    StructureType.MUNICIPAL_THEATRE: VenueType.THEATRE,
    StructureType.SCENE_CONVENTIONNEE: VenueType.THEATRE,
    StructureType.SCENE_NATIONALE: VenueType.THEATRE,
    StructureType.CULTURAL_CENTRE: VenueType.ESPACE_POLYVALENT,
    StructureType.CULTURAL_SERVICE: VenueType.ESPACE_POLYVALENT,
    StructureType.SOCIAL_CENTRE: VenueType.ESPACE_POLYVALENT,
    StructureType.SCHOOL: VenueType.ESPACE_POLYVALENT,
    StructureType.LIBRARY: VenueType.AUTRE,
    StructureType.FESTIVAL: VenueType.PLEIN_AIR_PARC_LOISIRS_ATTRACTION,
}

# SIBIL's names, in the order of its declaration form; the last two are for the declarant's own books.
FIELDS = (
    "idExtBilletterie", "nomJuridiqueOrganismeDeclarant", "spectacleCritere1", "spectacleCritere2",
    "domaineRepresentationLibelle", "jeunePublic", "dateHeureRepresentationUnique", "nbRepresentations",
    "lieuNom", "lieuAdresse", "lieuCodePostal", "lieuVille", "lieuSiret", "typeLieu", "jauge",
    "nbBilletsTotalBilletterie", "recetteTotalBilletterie", "prixMoyenTotalBilletterie",
    "nbBilletsTarifPlein", "recetteTarifPlein", "prixMoyenTarifPlein", "nbBilletsTarifAbonnementForfait",
    "nbBilletsExoneres", "tauxTva", "recetteTotalBilletterieHT",
)  # fmt: skip


@dataclass
class Performance:
    slot: Slot
    show: object
    company: Organisation
    venue: Organisation
    record: BoxOfficePerformance | None
    paid: int
    receipts: Decimal  # all taxes included
    full_tickets: int
    full_receipts: Decimal
    subscription_tickets: int

    @property
    def quarter(self) -> tuple[int, int]:
        day = local(self.slot.starts_at)
        return day.year, (day.month - 1) // 3 + 1

    @property
    def receipts_excluding_vat(self) -> Decimal:
        rate = Decimal(self.record.vat_rate) if self.record else DEFAULT_VAT
        return (self.receipts / (1 + rate / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


def default_venue_type(venue) -> VenueType:
    return DEFAULT_TYPES.get(venue.structure_type, VenueType.AUTRE)


def performances(edition) -> list[Performance]:
    """The edition's performances (full-show slots with a show, cancelled ones aside), in time order, with
    what their box office recorded."""
    kind, amount = BoxOfficePrice.kind, BoxOfficePrice.unit_price * BoxOfficePrice.tickets
    sums = (
        select(
            BoxOfficePrice.slot_id.label("slot_id"),
            func.sum(BoxOfficePrice.tickets).label("paid"),
            func.sum(amount).label("receipts"),
            func.sum(case((kind == PriceKind.FULL, BoxOfficePrice.tickets), else_=0)).label("full_tickets"),
            func.sum(case((kind == PriceKind.FULL, amount), else_=0)).label("full_receipts"),
            func.sum(case((kind == PriceKind.SUBSCRIPTION, BoxOfficePrice.tickets), else_=0)).label("subs"),
        )
        .group_by(BoxOfficePrice.slot_id)
        .subquery()
    )
    company, venue = aliased(Organisation), aliased(Organisation)

    rows = db.session.execute(
        select(Slot, Show, company, venue, BoxOfficePerformance, sums.c.paid, sums.c.receipts,
               sums.c.full_tickets, sums.c.full_receipts, sums.c.subs)
        .join(Assignment, Assignment.slot_id == Slot.id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .join(Show, Show.id == Registration.show_id)
        .join(company, company.id == Registration.company_id)
        .join(venue, venue.id == Slot.venue_id)
        .outerjoin(BoxOfficePerformance, BoxOfficePerformance.slot_id == Slot.id)
        .outerjoin(sums, sums.c.slot_id == Slot.id)
        .where(Slot.edition_id == edition.id, Slot.status != SlotStatus.CANCELLED,
               Slot.format == ShowFormat.FULL)
        .order_by(Slot.starts_at, Slot.id)
    ).all()  # fmt: skip
    return [
        Performance(slot, show, comp, place, record, int(paid or 0), Decimal(receipts or 0).quantize(CENT),
                    int(full or 0), Decimal(full_receipts or 0).quantize(CENT), int(subs or 0))
        for slot, show, comp, place, record, paid, receipts, full, full_receipts, subs in rows
    ]  # fmt: skip


def recorded(edition) -> list[Performance]:
    return [p for p in performances(edition) if p.record is not None]


def receipts_total(edition) -> Decimal | None:
    """What the recorded performances took, all taxes included (None when none is recorded)."""
    total = db.session.execute(
        select(func.count(BoxOfficePerformance.slot_id),
               func.coalesce(func.sum(BoxOfficePrice.unit_price * BoxOfficePrice.tickets), 0))
        .select_from(BoxOfficePerformance)
        .join(Slot, Slot.id == BoxOfficePerformance.slot_id)
        .outerjoin(BoxOfficePrice, BoxOfficePrice.slot_id == BoxOfficePerformance.slot_id)
        .where(Slot.edition_id == edition.id, Slot.status != SlotStatus.CANCELLED)
    ).one()  # fmt: skip
    return Decimal(total[1]).quantize(CENT) if total[0] else None


def quarters(found: list[Performance]) -> list[tuple[int, int]]:
    return sorted({p.quarter for p in found})


def _average(amount: Decimal, count: int) -> Decimal:
    return (amount / count).quantize(CENT, rounding=ROUND_HALF_UP) if count else Decimal("0.00")


def line(p: Performance, declarant: str) -> dict:
    """One performance under SIBIL's names."""
    record = p.record
    starts = p.slot.starts_at.replace(tzinfo=UTC) if p.slot.starts_at.tzinfo is None else p.slot.starts_at
    return {
        "idExtBilletterie": f"VIT-{p.slot.id}",
        "nomJuridiqueOrganismeDeclarant": declarant,
        "spectacleCritere1": p.show.title,
        "spectacleCritere2": p.company.name,
        "domaineRepresentationLibelle": str(p.show.discipline.label),
        "jeunePublic": record.young_audience,
        "dateHeureRepresentationUnique": starts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nbRepresentations": 1,
        "lieuNom": p.venue.name,
        "lieuAdresse": p.venue.address or "",
        "lieuCodePostal": p.venue.postcode or "",
        "lieuVille": p.venue.city or "",
        "lieuSiret": p.venue.siret or "",
        "typeLieu": record.venue_type.value,
        "jauge": record.capacity,
        "nbBilletsTotalBilletterie": p.paid + record.free_tickets,
        "recetteTotalBilletterie": p.receipts,
        "prixMoyenTotalBilletterie": _average(p.receipts, p.paid),
        "nbBilletsTarifPlein": p.full_tickets,
        "recetteTarifPlein": p.full_receipts,
        "prixMoyenTarifPlein": _average(p.full_receipts, p.full_tickets),
        "nbBilletsTarifAbonnementForfait": p.subscription_tickets,
        "nbBilletsExoneres": record.free_tickets,
        "tauxTva": Decimal(record.vat_rate).quantize(CENT),
        "recetteTotalBilletterieHT": p.receipts_excluding_vat,
    }


def quarter_lines(found: list[Performance], year: int, quarter: int, declarant: str) -> list[dict]:
    return [line(p, declarant) for p in found if p.record is not None and p.quarter == (year, quarter)]


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_csv(lines: list[dict]) -> bytes:
    """`;`-separated, UTF-8, one performance a row, SIBIL's names as headers; decimal points, ISO times."""
    return to_csv(list(FIELDS), [[_text(item[name]) for name in FIELDS] for item in lines])


def as_json(lines: list[dict]) -> str:
    """The same names and values; amounts as numbers."""
    return json.dumps(
        [{name: float(v) if isinstance(v, Decimal) else v for name, v in item.items()} for item in lines],
        ensure_ascii=False,
        indent=2,
    )
