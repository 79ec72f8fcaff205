from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.enums import Audience, Discipline
from crm.forms import blank, optional_url, strip


class ShowForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(), Length(max=160)], filters=[strip])
    discipline = SelectField(
        _l("Discipline"), choices=blank() + Discipline.choices(), validators=[DataRequired()]
    )
    audience = SelectField(_l("Public"), choices=Audience.choices(), validators=[DataRequired()])
    min_age = IntegerField(
        _l("Âge minimum"),
        validators=[Optional(), NumberRange(0, 18)],
        description=_l("Pour le jeune public."),
    )
    duration_minutes = IntegerField(_l("Durée (minutes)"), validators=[DataRequired(), NumberRange(1, 600)])
    cast_size = IntegerField(_l("Personnes au plateau"), validators=[DataRequired(), NumberRange(1, 100)])
    setup_minutes = IntegerField(_l("Montage (minutes)"), validators=[Optional(), NumberRange(0, 1440)])
    strike_minutes = IntegerField(_l("Démontage (minutes)"), validators=[Optional(), NumberRange(0, 1440)])
    video_url = StringField(_l("Lien vidéo (captation, teaser)"), validators=optional_url(), filters=[strip])
    summary = TextAreaField(_l("Présentation courte"), validators=[Optional(), Length(max=2000)])


class EditionForm(FlaskForm):
    name = StringField(_l("Nom de l'édition"), validators=[DataRequired(), Length(max=160)], filters=[strip])
    starts_on = DateField(_l("Premier jour"), validators=[DataRequired()])
    ends_on = DateField(_l("Dernier jour"), validators=[DataRequired()])
    description = TextAreaField(_l("Présentation"), validators=[Optional(), Length(max=4000)])
