from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from crm.api.models import TokenScope
from crm.base.forms import strip


class TokenForm(FlaskForm):
    name = StringField(
        _l("Nom du jeton"),
        validators=[DataRequired(), Length(max=80)],
        filters=[strip],
        description=_l("L'outil ou le site qui s'en servira, par exemple « Site du réseau »."),
    )
    scope = SelectField(_l("Droits"), choices=TokenScope.choices(), default=TokenScope.READ.value)
