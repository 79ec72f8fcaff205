from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from crm.base.forms import (
    AmountField,
    CheckboxListField,
    CommaDecimalField,
    Finite,
    blank,
    optional_int,
    options,
    strip,
)
from crm.base.geo import departement_choices
from crm.cooperation.models import CommissionKind, LineKind, SplitRule
from crm.cooperation.services import MAXIMUM


class LeadForm(FlaskForm):
    lead_company_id = SelectField(
        _l("Compagnie porteuse du budget"), coerce=optional_int, validate_choice=False
    )

    def __init__(self, companies, **kwargs):
        super().__init__(**kwargs)
        self.lead_company_id.choices = blank(_l("— Aucune pour l'instant —")) + options(companies)


def line_form(companies, programmed, **kwargs):
    """The form of a budget line; one « part fixée » box per company programmed in the edition (and per
    company already holding a fixed share), used when the rule is « Part fixée pour chaque compagnie »."""

    class LineForm(FlaskForm):
        kind = SelectField(_l("Nature"), choices=LineKind.choices(), validators=[DataRequired()])
        label = StringField(
            _l("Libellé"),
            filters=[strip],
            validators=[Optional(), Length(max=160)],
            description=_l("Par exemple « Plaquette commune, 2 000 exemplaires »."),
        )
        funder = StringField(
            _l("Financeur (pour une subvention)"), filters=[strip], validators=[Optional(), Length(max=160)]
        )
        amount = AmountField(_l("Montant (€)"), maximum=MAXIMUM, validators=[InputRequired()])
        on = DateField(
            _l("Date"), validators=[DataRequired(message=_l("La date de la dépense ou de la recette."))]
        )
        paid_by_id = SelectField(
            _l("Payé ou reçu par"),
            coerce=optional_int,
            validate_choice=False,
            description=_l(
                "La compagnie dont le compte a payé la dépense, reçu la recette, "
                "ou qui verse la participation."
            ),
        )
        rule = SelectField(_l("Partage"), choices=SplitRule.choices(), validators=[DataRequired()])

        def share_fields(self):
            return [(cid, name, self[f"share_{cid}"]) for cid, name in programmed]

        def shares(self) -> dict:
            return {cid: self[f"share_{cid}"].data for cid, _name in programmed}

    for cid, name in programmed:
        setattr(LineForm, f"share_{cid}", AmountField(name, maximum=MAXIMUM, validators=[Optional()]))
    form = LineForm(**kwargs)
    form.paid_by_id.choices = blank() + options(companies)
    return form


class CommissionForm(FlaskForm):
    name = StringField(
        _l("Nom"),
        filters=[strip],
        validators=[DataRequired(), Length(max=120)],
        description=_l("Par exemple « Commission du Cher » ou « Communication »."),
    )
    kind = SelectField(_l("Type"), choices=CommissionKind.choices(), validators=[DataRequired()])
    departements = SelectMultipleField(
        _l("Départements (commission départementale)"), choices=departement_choices, validate_choice=False
    )
    member_ids = CheckboxListField(_l("Membres"), coerce=int, validate_choice=False)
    referent_id = SelectField(_l("Référent ou référente"), coerce=optional_int, validate_choice=False)
    decides = BooleanField(
        _l(
            "La commission décide elle-même des candidatures de ses départements "
            "(retenir, liste d'attente, ne pas retenir)"
        )
    )

    def __init__(self, people, **kwargs):
        super().__init__(**kwargs)
        self.member_ids.choices = options((u.id, u.full_name) for u in people)
        self.referent_id.choices = blank(_l("— Aucun pour l'instant —")) + options(
            (u.id, u.full_name) for u in people
        )


class HostProposalForm(FlaskForm):
    venue_id = SelectField(_l("Lieu"), coerce=optional_int, validate_choice=False)
    host_company_id = SelectField(_l("Compagnie accueillante"), coerce=optional_int, validate_choice=False)
    note = TextAreaField(
        _l("Pourquoi ce lieu, cette compagnie"), filters=[strip], validators=[Optional(), Length(max=500)]
    )

    def __init__(self, venues, companies, **kwargs):
        super().__init__(**kwargs)
        self.venue_id.choices = blank() + options((v.id, v.name) for v in venues)
        self.host_company_id.choices = blank(_l("— Sans compagnie accueillante —")) + options(
            (c.id, c.name) for c in companies
        )


class VolunteerForm(FlaskForm):
    on = DateField(_l("Date"), validators=[DataRequired(message=_l("Le jour où ce temps a été donné."))])
    hours = CommaDecimalField(
        _l("Heures"),
        places=2,
        validators=[
            InputRequired(message=_l("Le nombre d'heures.")),
            Finite(24, _l("Un nombre d'heures entre 0 et 24, par exemple 2,5.")),
            NumberRange(
                min=Decimal("0.01"), max=24, message=_l("Un nombre d'heures entre 0 et 24, par exemple 2,5.")
            ),
        ],
        description=_l("Par exemple 2,5 pour deux heures et demie."),
    )
    what = StringField(
        _l("Pour quoi faire"),
        filters=[strip],
        validators=[DataRequired(), Length(max=200)],
        description=_l("Par exemple « Accueil des programmateurs » ou « Mise en page de la plaquette »."),
    )
    user_id = SelectField(_l("Qui"), coerce=optional_int, validate_choice=False)
    company_id = SelectField(_l("Pour quelle compagnie"), coerce=optional_int, validate_choice=False)
    edition_id = SelectField(_l("Édition"), coerce=optional_int, validate_choice=False)
    commission_id = SelectField(_l("Commission"), coerce=optional_int, validate_choice=False)

    def __init__(self, *, people, companies, editions, commissions, coordinator, **kwargs):
        super().__init__(**kwargs)
        self.user_id.choices = options((u.id, u.full_name) for u in people)
        self.company_id.choices = blank(_l("— Sa compagnie —")) + options(companies)
        self.edition_id.choices = blank(_l("— Aucune en particulier —")) + options(
            (e.id, e.name) for e in editions
        )
        self.commission_id.choices = blank(_l("— Aucune —")) + options((c.id, c.name) for c in commissions)
        if not coordinator:
            del self.user_id
            del self.company_id


class RateForm(FlaskForm):
    hourly_value = AmountField(
        _l("Valeur d'une heure de bénévolat (€)"),
        maximum=Decimal("999.99"),
        validators=[InputRequired()],
        description=_l("Le SMIC horaire brut par défaut (12,02 € en 2026)."),
    )


class CommissionTaskForm(FlaskForm):
    title = StringField(
        _l("Tâche"),
        filters=[strip],
        validators=[DataRequired(), Length(max=200)],
        description=_l("Par exemple « Commander les affiches »."),
    )
    assignee_id = SelectField(_l("Qui s'en charge"), coerce=optional_int, validate_choice=False)
    due_on = DateField(_l("Pour le"), validators=[Optional()])
    edition_id = SelectField(_l("Édition"), coerce=optional_int, validate_choice=False)

    def __init__(self, commission, editions, **kwargs):
        super().__init__(**kwargs)
        self.assignee_id.choices = blank(_l("— À répartir —")) + options(
            (m.user_id, m.user.full_name) for m in commission.members
        )
        self.edition_id.choices = blank(_l("— Aucune en particulier —")) + options(
            (e.id, e.name) for e in editions
        )
