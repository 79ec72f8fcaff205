from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.base.forms import CheckboxListField, strip
from crm.webhooks.models import EventType
from crm.webhooks.safety import MAX_URL_LENGTH


def _event_choices():
    return [c for c in EventType.choices() if c.value != EventType.PING]


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Adresse (URL)"),
        validators=[DataRequired(), Length(max=MAX_URL_LENGTH)],
        filters=[strip],
        description=_l("En https://, par exemple https://exemple.org/vitrine/webhooks."),
        render_kw={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    events = CheckboxListField(
        _l("Événements envoyés"),
        choices=_event_choices,
        validators=[Optional()],
        description=_l("Aucun coché : tous les événements, y compris ceux qui s'ajouteront."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=500)], filters=[strip], render_kw={"rows": 2}
    )
