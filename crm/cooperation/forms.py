from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from crm.base.forms import AmountField, blank, optional_int, options, strip
from crm.cooperation.models import LineKind, SplitRule
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
