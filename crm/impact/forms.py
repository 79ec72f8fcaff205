from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from crm.base.forms import AmountField, CommaDecimalField, Finite, blank, optional_int, options, strip
from crm.impact.models import CostsMode, OutcomeKind, OutcomeStatus, PriceKind, RemainderRule, VenueType
from crm.territory import carbon

STRIP = [strip]
CURRENCIES = ["EUR", "CHF", "GBP", "USD", "CAD"]


class DateRow(Form):
    on = DateField(_l("Date"), validators=[Optional()])
    venue = StringField(_l("Lieu"), validators=[Optional(), Length(max=160)], filters=STRIP)
    town = StringField(_l("Ville"), validators=[Optional(), Length(max=100)], filters=STRIP)
    departement_code = StringField(
        _l("Département (n°)"), validators=[Optional(), Length(max=3)], filters=STRIP
    )


class OutcomeForm(FlaskForm):
    company_id = SelectField(_l("Compagnie"), coerce=optional_int, validators=[DataRequired()])
    show_id = SelectField(_l("Spectacle"), coerce=optional_int, validators=[DataRequired()])
    programmer_email = EmailField(
        _l("E-mail du programmateur ou de la programmatrice"),
        validators=[Optional(), Email(), Length(max=254)],
        filters=STRIP,
        description=_l("Une personne de l'annuaire : l'édition où elle a vu le spectacle est proposée."),
    )
    meeting_id = SelectField(
        _l("Rencontre en tête-à-tête qui a produit cette date"),
        coerce=optional_int,
        validate_choice=False,  # the service checks the meeting is one of the company's, held
        description=_l(
            "Facultatif : une rencontre tenue de la compagnie. La personne et l'édition laissées vides en "
            "sont reprises."
        ),
    )
    kind = SelectField(_l("Nature"), choices=OutcomeKind.choices(), validators=[DataRequired()])
    status = SelectField(_l("Statut"), choices=OutcomeStatus.choices(), validators=[DataRequired()])
    decided_on = DateField(_l("Date de l'accord"), validators=[DataRequired()])
    fee = StringField(_l("Prix de cession par représentation (HT)"), validators=[Optional(), Length(max=20)])
    currency = SelectField(_l("Devise"), choices=[SelectChoice(c, c) for c in CURRENCIES], default="EUR")
    dates = FieldList(FormField(DateRow), label=_l("Représentations"), min_entries=4, max_entries=30)
    edition_id = SelectField(_l("Édition qui a produit cette date"), coerce=optional_int)
    attribution_confirmed = BooleanField(_l("Attribution vérifiée par la coordination"))
    logo_credited = BooleanField(_l("Logo du réseau crédité sur la communication de ces dates"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})

    def set_choices(self, companies, shows, editions, meetings=(), *, coordinator):
        self.company_id.choices = blank() + options(companies)
        self.show_id.choices = blank() + options(shows)
        self.meeting_id.choices = blank(_l("— Aucune —")) + options(meetings)
        self.edition_id.choices = blank(
            _l("— Aucune (proposée si la personne a vu le spectacle) —")
        ) + options(editions)
        if not coordinator:
            del self.attribution_confirmed


MAX_INCOME = Decimal("9999999999.99")  # what the columns hold (Numeric 12,2 and 10,2)
MAX_FEE = Decimal("99999999.99")


class BoxOfficeForm(FlaskForm):
    income = AmountField(
        _l("Recette totale de la billetterie (€)"),
        maximum=MAX_INCOME,
        validators=[InputRequired(), Finite(MAX_INCOME), NumberRange(min=0, max=MAX_INCOME)],
    )
    fee_per_person = AmountField(
        _l("Forfait par personne au plateau (€)"),
        maximum=MAX_FEE,
        default=255,
        validators=[DataRequired(), Finite(MAX_FEE), NumberRange(min=0, max=MAX_FEE)],
    )
    rule = SelectField(_l("Partage du reste"), choices=RemainderRule.choices(), validators=[DataRequired()])


class TravelFactorsForm(FlaskForm):
    """A network's emission factors, kg CO₂e per km; left empty, ADEME's value."""


for _key, _factor in carbon.DEFAULTS.items():
    _checks = [Optional(), Finite(10), NumberRange(0, 10)]
    setattr(
        TravelFactorsForm,
        _key,
        CommaDecimalField(_factor.label, places=5, validators=_checks, description=_factor.unit),
    )


class PublicMapForm(FlaskForm):
    public_map = BooleanField(_l("Publier la carte du réseau (ses lieux et ses compagnies)"))


def vat_rate_field(label):
    """A VAT rate as typed in France (« 5,5 »), between 0 and 30 %."""
    return CommaDecimalField(
        label,
        places=2,
        validators=[InputRequired(_l("Indiquez le taux de TVA.")),
                    NumberRange(min=0, max=30, message=_l("Un taux entre 0 et 30 %%."))],
        description=_l("5,5 % pour la plupart des spectacles vivants."),
    )  # fmt: skip


class CessionForm(FlaskForm):
    """The terms of a contrat de cession that the booking itself does not hold."""

    seller_signatory = StringField(_l("Signataire pour la compagnie"),
                                   validators=[Optional(), Length(max=120)], filters=STRIP)  # fmt: skip
    seller_role = StringField(_l("Sa qualité"), validators=[Optional(), Length(max=120)], filters=STRIP,
                              render_kw={"placeholder": _l("Président·e, administrateur·rice…")})  # fmt: skip
    buyer_signatory = StringField(_l("Signataire pour l'organisateur"),
                                  validators=[Optional(), Length(max=120)], filters=STRIP)  # fmt: skip
    buyer_role = StringField(_l("Sa qualité"), validators=[Optional(), Length(max=120)], filters=STRIP)
    capacity = IntegerField(_l("Jauge (places)"), validators=[Optional(), NumberRange(min=1, max=100000)],
                            description=_l("Laissée vide : celle du lieu dans l'annuaire."))  # fmt: skip
    times = StringField(_l("Horaires"), validators=[Optional(), Length(max=200)], filters=STRIP,
                        render_kw={"placeholder": "10 h et 14 h 30"})  # fmt: skip
    vat_rate = vat_rate_field(_l("Taux de TVA (%)"))
    costs_mode = SelectField(_l("Transport, hébergement et repas"), choices=CostsMode.choices())
    costs_amount = AmountField(_l("Montant des frais (TTC)"), validators=[Optional()], maximum=MAX_FEE)
    technical_conditions = TextAreaField(_l("Conditions techniques"),
                                         validators=[Optional(), Length(max=4000)],
                                         render_kw={"rows": 3})  # fmt: skip
    rights_mention = TextAreaField(_l("Droits d'auteur (SACD, SACEM)"),
                                   validators=[Optional(), Length(max=2000)],
                                   render_kw={"rows": 2})  # fmt: skip
    cancellation_clause = TextAreaField(_l("Clause d'annulation"), validators=[Optional(), Length(max=4000)],
                                        render_kw={"rows": 3})  # fmt: skip


class TemplateForm(FlaskForm):
    template = FileField(_l("Votre modèle de contrat (ODT)"),
                         validators=[FileRequired(_l("Choisissez un fichier ODT."))])  # fmt: skip


MAX_PRICE = Decimal("999999.99")  # Numeric(8, 2)


class PriceRow(Form):
    kind = SelectField(_l("Tarif"), choices=PriceKind.choices(), default=PriceKind.FULL.value)
    label = StringField(_l("Intitulé"), validators=[Optional(), Length(max=60)], filters=STRIP,
                        render_kw={"placeholder": _l("Plein, réduit, scolaire…")})  # fmt: skip
    unit_price = AmountField(_l("Prix TTC (€)"), validators=[Optional()], maximum=MAX_PRICE)
    tickets = IntegerField(_l("Billets vendus"), validators=[Optional(), NumberRange(min=0, max=100000)])


class BoxOfficePerformanceForm(FlaskForm):
    """One performance of the pooled box office, as SIBIL asks for it."""

    venue_type = SelectField(_l("Type de lieu (liste SIBIL)"), choices=VenueType.choices(),
                             validators=[DataRequired()])  # fmt: skip
    capacity = IntegerField(
        _l("Jauge mise en vente (places)"),
        validators=[InputRequired(_l("Indiquez la jauge.")), NumberRange(min=1, max=100000)],
    )
    free_tickets = IntegerField(_l("Billets exonérés (invitations, gratuits)"), default=0,
                                validators=[Optional(), NumberRange(min=0, max=100000)])  # fmt: skip
    young_audience = BooleanField(_l("Représentation jeune public"))
    vat_rate = vat_rate_field(_l("Taux de TVA de la billetterie (%)"))
    prices = FieldList(
        FormField(PriceRow), label=_l("Billets vendus par tarif"), min_entries=4, max_entries=12
    )
