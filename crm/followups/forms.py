from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.base.forms import blank, options, strip
from crm.followups.models import Action, InteractionKind, Path, Result, StepKind

STRIP = [strip]


class StepForm(FlaskForm):
    title = StringField(_l("Intitulé"), validators=[DataRequired(), Length(max=160)], filters=STRIP)
    offset_days = IntegerField(
        _l("Jours après la fin de l'édition"),
        validators=[DataRequired(), NumberRange(min=0, max=365)],
        description=_l("Par exemple 2 pour J+2."),
    )
    kind = SelectField(_l("Type d'étape"), choices=StepKind.choices(), validators=[DataRequired()])
    path = SelectField(_l("Pour qui"), choices=Path.choices(), validators=[DataRequired()])
    action = SelectField(
        _l("Ce que la tâche demande"),
        choices=lambda: blank(_l("— Sans objet (message) —")) + Action.choices(),
    )
    subject_fr = StringField(_l("Objet (français)"), validators=[Optional(), Length(max=200)], filters=STRIP)
    body_fr = TextAreaField(_l("Texte (français)"), validators=[Optional()], render_kw={"rows": 14})
    subject_en = StringField(_l("Objet (anglais)"), validators=[Optional(), Length(max=200)], filters=STRIP)
    body_en = TextAreaField(_l("Texte (anglais)"), validators=[Optional()], render_kw={"rows": 14})


class SettingsForm(FlaskForm):
    max_calls_per_week = IntegerField(
        _l("Appels de compagnies par personne et par semaine, au plus"),
        validators=[DataRequired(), NumberRange(min=1, max=20)],
    )


class CompleteForm(FlaskForm):
    result = SelectField(
        _l("Résultat"), choices=lambda: blank() + Result.choices(), validators=[DataRequired()]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class InteractionForm(FlaskForm):
    kind = SelectField(
        _l("Échange"),
        choices=lambda: options((k.value, k.label) for k in InteractionKind.logged_by_hand()),
        validators=[DataRequired()],
    )
    occurred_on = DateField(_l("Date"), validators=[Optional()])
    result = SelectField(
        _l("Résultat"), choices=lambda: blank(_l("— Aucun —")) + Result.choices(), default=""
    )
    summary = TextAreaField(
        _l("Ce qui s'est dit"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 3}
    )
    private = BooleanField(_l("Note privée (visible de ma compagnie seulement)"))


class ReplyForm(FlaskForm):
    text = TextAreaField(
        _l("Votre réponse"),
        validators=[DataRequired(), Length(max=5000)],
        render_kw={"rows": 8},
        description=_l(
            "Elle part de l'adresse du réseau, à votre nom et à celui de la compagnie ; "
            "si la personne vous répond, sa réponse revient ici."
        ),
    )
