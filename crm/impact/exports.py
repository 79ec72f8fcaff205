"""CSV and XLSX of outcomes and of the report's tables; every text cell neutralised against formulas."""

from decimal import Decimal

from flask_babel import gettext as _

from crm.base.money import euros
from crm.impact.models import OutcomeStatus


def outcome_rows(outcomes):
    headers = [
        _("Compagnie"), _("Spectacle"), _("Programmateur·rice"), _("Structure"), _("Édition"), _("Nature"),
        _("Statut"), _("Date de l'accord"), _("Représentations"), _("Prix par représentation"), _("Devise"),
        _("Total"), _("Logo crédité"), _("Attribution vérifiée"), _("Dates et lieux"),
    ]  # fmt: skip
    rows = []
    for o in outcomes:
        count = len(o.dates)
        total = (o.fee_per_performance or Decimal(0)) * count if o.status == OutcomeStatus.CONFIRMED else None
        places = " | ".join(f"{d.on.isoformat()} {d.venue or ''} {d.town or ''}".strip() for d in o.dates)
        rows.append([
            o.company.name, o.show.title, o.programmer.full_name if o.programmer else "",
            o.organisation.name if o.organisation else "", o.edition.name if o.edition else "", o.kind,
            o.status, o.decided_on.isoformat(), count, o.fee_per_performance, o.currency, total,
            o.logo_credited, o.attribution_confirmed, places,
        ])  # fmt: skip
    return headers, rows


def report_rows(figures):
    """The report's tables, one after the other: table, line, then its figures (bookings confirmed,
    performances, fees; for the meetings, planned, held, answered, booked)."""
    headers = [
        _("Tableau"), _("Ligne"), _("Confirmées"), _("Représentations"), _("Cessions"),
        _("Rencontres prévues"), _("Rencontres tenues"), _("Rencontres suivies d'une réponse"),
        _("Rencontres suivies d'une date confirmée"),
    ]  # fmt: skip
    funnel = figures["funnel"]
    rows = [
        [_("Entonnoir"), key, value, "", ""]
        for key, value in funnel.items()
        if key not in ("conversion", "missed")
    ]
    rows.append([_("Entonnoir"), "conversion", round(funnel["conversion"] or 0, 4), "", ""])
    rows += [[_("Oui sans venir"), key, value, "", ""] for key, value in funnel["missed"].items()]
    rows.append([_("Total"), _("représentations et cessions"), "", figures["performances"], figures["fees"]])
    rows.append([_("Total"), _("délai médian (jours)"), figures["median_days"], "", ""])
    for kind, statuses in figures["kinds"].items():
        for status, count in statuses.items():
            rows.append([_("Nature et statut"), f"{kind.label} / {status.label}", count, "", ""])
    for table, key in ((_("Discipline"), "disciplines"), (_("Type de structure"), "structures"),
                       (_("Compagnie"), "companies")):  # fmt: skip
        for label, confirmed, performances, fees in figures[key]:
            rows.append([table, getattr(label, "label", label) or "—", confirmed, performances, fees])
    for code, count in sorted(figures["departements"].items()):
        rows.append([_("Département"), code, "", count, ""])
    trip = figures["travel"]
    for label, km, kg in (
        (_("compagnies"), trip.companies.km, trip.companies.kg),
        (_("programmateurs et programmatrices"), trip.programmers.km, trip.programmers.kg),
        (_("économisé par le covoiturage"), trip.carpool_km, trip.carpool_kg),
        (_("économisé par la rotation (face à un lieu unique)"), trip.rotation_km, trip.rotation_kg),
    ):
        rows.append([_("Déplacements (km ; kg CO₂e)"), label, km, round(kg, 1), ""])
    rows.append([_("Total"), _("dates confirmées grâce aux spectacles"), figures["origins"]["shows"], "", ""])
    rows.append(
        [_("Total"), _("dates confirmées grâce aux rencontres"), figures["origins"]["meetings"], "", ""]
    )
    for name, *counts in figures["meetings"]:
        rows.append([_("Rencontres"), name, "", "", "", *counts])
    rows.append([_("Rencontres"), _("Tout le réseau"), "", "", "", *figures["meetings_total"]])
    return headers, [row + [""] * (len(headers) - len(row)) for row in rows]


def statement_rows(edition, statement, line):
    headers = [_("Poste"), _("Montant (€)")]
    rows = [
        [_("Édition"), edition.name],
        [_("Compagnie"), line.name],
        [_("Recette totale de la billetterie"), euros(statement.income_cents)],
        [_("Forfait par personne au plateau"), euros(statement.fee_cents)],
        [_("Personnes au plateau"), line.cast],
        [_("Représentations"), line.performances],
        [_("Part forfaitaire"), euros(line.flat_cents)],
        [_("Complément"), euros(line.complement_cents)],
        [_("Total dû à la compagnie"), euros(line.total_cents)],
    ]
    if statement.shortfall_cents:
        rows.append([_("Manque pour payer tous les forfaits"), euros(statement.shortfall_cents)])
    return headers, rows
