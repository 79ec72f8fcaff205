"""From a confirmed booking to a contrat de cession: what the contract needs, filled from the records, and
what is still missing; then a document the company can send (ODT, made with odfdo), either Vitrine's plain
summary or the company's own template with its merge fields filled.

Vitrine does not own a legal template: the summary lists the terms; a company that has its model uploads
it once as an ODT in which `{{ champ }}` marks where each value goes (the list of names is on the page).
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from odfdo import Document, Header, Paragraph, Table

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.impact.models import CessionTerms, ContractTemplate, CostsMode, OutcomeKind, OutcomeStatus

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
DEFAULT_VAT = Decimal("5.5")  # the reduced rate of most live performances (CGI art. 278-0 bis)
DEFAULT_RIGHTS = _l(
    "Les droits d'auteur (SACD, SACEM) afférents aux représentations sont à la charge de l'organisateur, "
    "qui fait les déclarations."
)
DEFAULT_CANCELLATION = _l(
    "En cas d'annulation du fait de l'une des parties, hors force majeure, la partie qui annule "
    "dédommage l'autre des frais engagés."
)


@dataclass
class Line:
    key: str  # the merge field's name in a template
    label: str
    value: str | None


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class Summary:
    title: str
    sections: list[Section]

    @property
    def missing(self) -> list[Line]:
        return [line for section in self.sections for line in section.lines if not line.value]

    @property
    def missing_by_section(self) -> list[tuple[str, list[str]]]:
        """What is missing, section by section (both parties have a SIRET: say whose is missing)."""
        found = [
            (section.title, [line.label for line in section.lines if not line.value])
            for section in self.sections
        ]
        return [(title, labels) for title, labels in found if labels]

    def values(self) -> dict[str, str]:
        return {line.key: line.value or "" for section in self.sections for line in section.lines}


def may_prepare(outcome) -> bool:
    """A cession's contract is prepared once the dates are an option or confirmed."""
    return outcome.kind == OutcomeKind.PERFORMANCES and outcome.status in (
        OutcomeStatus.OPTION,
        OutcomeStatus.CONFIRMED,
    )


def terms_for(outcome) -> CessionTerms:
    terms = db.session.get(CessionTerms, outcome.id)
    if terms is None:
        terms = CessionTerms(outcome_id=outcome.id, vat_rate=DEFAULT_VAT, costs_mode=CostsMode.PER_DIEM,
                             rights_mention=str(DEFAULT_RIGHTS),
                             cancellation_clause=str(DEFAULT_CANCELLATION))  # fmt: skip
    return terms


def _money(amount) -> str | None:
    if amount is None:
        return None
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, cents = f"{value:,.2f}".split(".")
    return whole.replace(",", "\u202f") + "," + cents + "\u00a0€"


def _address(org) -> str | None:
    if org is None:
        return None
    town = " ".join(part for part in (org.postcode, org.city) if part)
    return ", ".join(part for part in (org.address, town) if part) or None


def _identifier(org, name) -> str | None:
    """An official number as the directory shows it (formatted), when the record has it."""
    if org is None:
        return None
    shown = getattr(org, f"{name}_display", None)
    return shown if shown is not None else getattr(org, name, None)


def _party(prefix, title, org, signatory, role) -> Section:
    return Section(title, [
        Line(f"{prefix}_nom", _("Raison sociale"), org.name if org else None),
        Line(f"{prefix}_adresse", _("Adresse"), _address(org)),
        Line(f"{prefix}_siret", _("SIRET"), _identifier(org, "siret")),
        Line(f"{prefix}_ape", _("Code APE"), _identifier(org, "ape_code")),
        Line(f"{prefix}_tva", _("N° de TVA intracommunautaire"), _identifier(org, "vat_number")),
        Line(f"{prefix}_licence", _("Licence d'entrepreneur de spectacles (n° et catégorie)"),
             _identifier(org, "licences")),
        Line(f"{prefix}_signataire", _("Signataire"), signatory),
        Line(f"{prefix}_qualite", _("Qualité du signataire"), role),
    ])  # fmt: skip


def summary(outcome, terms: CessionTerms | None = None) -> Summary:
    """Every term of the contract: filled from the booking, the company, the buyer and the terms given."""
    terms = terms or terms_for(outcome)
    buyer = outcome.organisation or (outcome.programmer.organisation if outcome.programmer else None)
    dates = [d for d in outcome.dates if d.on]
    count = len(dates)
    fee = outcome.fee_per_performance
    rate = Decimal(terms.vat_rate if terms.vat_rate is not None else DEFAULT_VAT)
    fee_ttc = (Decimal(fee) * (1 + rate / 100)) if fee is not None else None
    places = sorted({", ".join(p for p in (d.venue, d.town) if p) for d in dates} - {""})
    capacity = terms.capacity or (buyer.capacity if buyer is not None else None)
    costs = str(terms.costs_mode.label) if terms.costs_mode else None
    if terms.costs_mode and terms.costs_mode != CostsMode.INCLUDED and terms.costs_amount is not None:
        costs = f"{costs} : {_money(terms.costs_amount)}"
    show = outcome.show
    total_ht = Decimal(fee) * count if fee is not None and count else None
    total_ttc = fee_ttc * count if fee_ttc is not None and count else None
    duration = _("%(n)d min", n=show.duration_minutes) if show.duration_minutes else None
    cast = _("%(n)d personnes", n=show.cast_size) if show.cast_size else None
    seller, buyer_section = (
        _party(
            "vendeur",
            _("Le producteur (vendeur)"),
            outcome.company,
            terms.seller_signatory,
            terms.seller_role,
        ),
        _party("acheteur", _("L'organisateur (acheteur)"), buyer, terms.buyer_signatory, terms.buyer_role),
    )
    sections = [
        seller,
        buyer_section,
        Section(_("Le spectacle"), [
            Line("spectacle_titre", _("Titre"), show.title),
            Line("spectacle_duree", _("Durée"), duration),
            Line("spectacle_equipe", _("Équipe en tournée"), cast),
        ]),
        Section(_("Représentations"), [
            Line("lieu", _("Lieu"), " ; ".join(places) or None),
            Line("jauge", _("Jauge"), str(capacity) if capacity else None),
            Line("dates", _("Dates"), ", ".join(format_date(d.on, "EEEE d MMMM y") for d in dates) or None),
            Line("horaires", _("Horaires"), terms.times),
            Line("nombre_representations", _("Nombre de représentations"), str(count) if count else None),
        ]),
        Section(_("Prix et frais"), [
            Line("prix_ht", _("Prix de cession par représentation (HT)"), _money(fee)),
            Line("taux_tva", _("Taux de TVA"), f"{rate.normalize():f} %".replace(".", ",")),
            Line("prix_ttc", _("Prix par représentation (TTC)"), _money(fee_ttc)),
            Line("total_ht", _("Total HT"), _money(total_ht)),
            Line("total_ttc", _("Total TTC"), _money(total_ttc)),
            Line("frais", _("Transport, hébergement et repas"), costs),
        ]),
        Section(_("Conditions"), [
            Line("conditions_techniques", _("Conditions techniques"), terms.technical_conditions),
            Line("droits", _("Droits d'auteur (SACD, SACEM)"), terms.rights_mention),
            Line("annulation", _("Clause d'annulation"), terms.cancellation_clause),
        ]),
    ]  # fmt: skip
    title = _("Contrat de cession : %(show)s", show=show.title)
    return Summary(title, sections)


def summary_odt(found: Summary) -> bytes:
    """Vitrine's plain summary of the contract's terms, one table per section, what is missing marked."""
    document = Document("text")
    body = document.body
    body.clear()
    body.append(Header(1, found.title))
    body.append(
        Paragraph(_("Récapitulatif des conditions, à reprendre dans le contrat signé par les deux parties."))
    )
    for section in found.sections:
        body.append(Header(2, section.title))
        table = Table(section.title[:30], width=2, height=len(section.lines))
        table.set_values([[line.label, line.value or _("À compléter")] for line in section.lines])
        body.append(table)
    if found.missing:
        body.append(Header(2, _("À compléter avant signature")))
        for line in found.missing:
            body.append(Paragraph(f"– {line.label}"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


MARK = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def check_template(filename: str, content: bytes) -> None:
    """An uploaded template must be an ODT text document (a zip whose mimetype says so), of sane size."""
    if not content:
        raise DomainError(_("Choisissez un fichier ODT."), field="template")
    if len(content) > MAX_TEMPLATE_BYTES:
        raise DomainError(_("Le modèle dépasse 2 Mo : allégez-le (images)."), field="template")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            kind = archive.read("mimetype").strip()
    except (zipfile.BadZipFile, KeyError):
        kind = b""
    if kind != ODT_MIMETYPE:
        raise DomainError(
            _("« %(name)s » n'est pas un document ODT : enregistrez votre modèle au format ODT (LibreOffice, "
              "Word : « Enregistrer sous » → ODT).", name=filename), field="template")  # fmt: skip
    Document(io.BytesIO(content))  # odfdo reads it, or the error says so


def fill_template(template: ContractTemplate, found: Summary) -> tuple[bytes, list[str]]:
    """The company's ODT with each `{{ champ }}` replaced by its value (what is missing written as
    « [à compléter : …] »); returns the document and the names in it that Vitrine does not know."""
    document = Document(io.BytesIO(template.content))
    values, labels = found.values(), {line.key: line.label for s in found.sections for line in s.lines}
    present = set(MARK.findall(document.get_formatted_text()))
    unknown = sorted(present - set(values))
    for key in present & set(values):
        value = values[key] or _("[à compléter : %(label)s]", label=labels[key])
        document.body.replace(r"\{\{\s*" + key + r"\s*\}\}", value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), unknown
