from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.base.enums import Audience, Discipline
from crm.base.forms import CheckboxListField, Finite, blank, optional_int, optional_url, strip
from crm.showcase.models import TravelWeight


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
    set_van = BooleanField(_l("Le décor voyage dans un utilitaire"))
    video_url = StringField(_l("Lien vidéo (captation, teaser)"), validators=optional_url(), filters=[strip])
    summary = TextAreaField(_l("Présentation courte"), validators=[Optional(), Length(max=2000)])


class EditionForm(FlaskForm):
    name = StringField(_l("Nom de l'édition"), validators=[DataRequired(), Length(max=160)], filters=[strip])
    starts_on = DateField(_l("Premier jour"), validators=[DataRequired()])
    ends_on = DateField(_l("Dernier jour"), validators=[DataRequired()])
    description = TextAreaField(_l("Présentation"), validators=[Optional(), Length(max=4000)])


class EditionRulesForm(FlaskForm):
    registration_opens_on = DateField(_l("Ouverture des candidatures"), validators=[Optional()])
    registration_closes_on = DateField(_l("Clôture des candidatures"), validators=[Optional()])
    offers_full = BooleanField(_l("Spectacles en entier"))
    offers_pitch = BooleanField(_l("Présentations courtes (10 minutes)"))
    disciplines = SelectMultipleField(
        _l("Disciplines acceptées"), choices=Discipline.choices(), description=_l("Aucune choisie : toutes.")
    )
    min_membership_years = IntegerField(
        _l("Années d'adhésion minimum"), validators=[Optional(), NumberRange(0, 50)]
    )
    max_registrations_per_company = IntegerField(
        _l("Candidatures par compagnie, au plus"), validators=[Optional(), NumberRange(1, 20)]
    )
    travel_minutes = IntegerField(
        _l("Temps de trajet entre deux lieux (minutes)"),
        validators=[Optional(), NumberRange(0, 600)],
        default=30,
    )
    rotation = BooleanField(
        _l("Compagnies accueillantes et accueillies en rotation"),
        description=_l(
            "Une compagnie accueillie joue hors de son département ; une compagnie accueillante "
            "ne joue pas dans le lieu qu'elle accueille."
        ),
    )


class BandForm(FlaskForm):
    day = DateField(_l("Jour"), validators=[DataRequired()])
    label = StringField(
        _l("Nom"),
        validators=[DataRequired(), Length(max=60)],
        filters=[strip],
        description=_l("Par exemple : matin, après-midi, soirée."),
    )
    starts = TimeField(_l("Début"), validators=[DataRequired()])
    ends = TimeField(_l("Fin"), validators=[DataRequired()])
    # Nothing ticked by default: an evening band meant for all audiences must not take young ones unseen.
    accepts_young = BooleanField(_l("Jeune public"))
    accepts_all = BooleanField(_l("Tout public"))


class SlotForm(FlaskForm):
    venue_id = SelectField(_l("Lieu"), coerce=int, validators=[DataRequired()])
    day = DateField(_l("Jour"), validators=[DataRequired()])
    starts = TimeField(_l("Début (montage compris)"), validators=[DataRequired()])
    ends = TimeField(_l("Fin (démontage compris)"), validators=[DataRequired()])


class PitchSeriesForm(FlaskForm):
    venue_id = SelectField(_l("Lieu"), coerce=int, validators=[DataRequired()])
    day = DateField(_l("Jour"), validators=[DataRequired()])
    starts = TimeField(_l("Première présentation à"), validators=[DataRequired()])
    count = IntegerField(_l("Nombre de présentations"), validators=[DataRequired(), NumberRange(1, 60)])
    pitch_minutes = IntegerField(
        _l("Durée d'une présentation (minutes)"), default=10, validators=[DataRequired(), NumberRange(1, 120)]
    )
    changeover_minutes = IntegerField(
        _l("Changement de plateau (minutes)"), default=5, validators=[Optional(), NumberRange(0, 120)]
    )


class RegistrationForm(FlaskForm):
    show_id = SelectField(_l("Spectacle"), coerce=int, validators=[DataRequired()])
    format = SelectField(_l("Format souhaité"), validators=[DataRequired()])
    band_ids = CheckboxListField(
        _l("Vos disponibilités"),
        coerce=int,
        description=_l("Cochez les tranches horaires où vous pouvez jouer."),
    )
    cast_size = IntegerField(
        _l("Personnes au plateau"),
        validators=[Optional(), NumberRange(1, 100)],
        description=_l("Laissé vide : celui de la fiche du spectacle."),
    )
    setup_minutes = IntegerField(
        _l("Montage (minutes)"),
        validators=[Optional(), NumberRange(0, 1440)],
        description=_l("Laissé vide : celui de la fiche du spectacle."),
    )
    strike_minutes = IntegerField(
        _l("Démontage (minutes)"),
        validators=[Optional(), NumberRange(0, 1440)],
        description=_l("Laissé vide : celui de la fiche du spectacle."),
    )
    stage_width_m = DecimalField(
        _l("Ouverture de plateau nécessaire (m)"),
        places=1,
        validators=[Optional(), Finite(100), NumberRange(0, 100)],
    )
    stage_depth_m = DecimalField(
        _l("Profondeur de plateau nécessaire (m)"),
        places=1,
        validators=[Optional(), Finite(100), NumberRange(0, 100)],
    )
    needs_blackout = BooleanField(_l("Le spectacle demande le noir complet"))
    video_url = StringField(_l("Lien vidéo"), validators=optional_url(), filters=[strip])
    pitch = TextAreaField(_l("Présentation en quelques lignes"), validators=[Optional(), Length(max=1500)])


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Décision"),
        choices=[
            SelectChoice("accepted", _l("Retenir")),
            SelectChoice("waitlisted", _l("Liste d'attente")),
            SelectChoice("declined", _l("Ne pas retenir")),
        ],
        validators=[DataRequired()],
    )
    message = TextAreaField(_l("Message à la compagnie"), validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    registration_id = SelectField(_l("Candidature retenue"), coerce=optional_int, validators=[DataRequired()])
    override_reason = TextAreaField(
        _l("Passer outre le conflit, parce que…"),
        validators=[Optional(), Length(max=500)],
        description=_l("À remplir seulement pour attribuer malgré un conflit ; la raison est gardée."),
    )


class AutoAssignForm(FlaskForm):
    travel = SelectField(
        _l("Trajets des compagnies comptés"),
        choices=TravelWeight.choices(),
        default=TravelWeight.NONE.value,
        description=_l(
            "Aller-retour en voiture de la commune de la compagnie au lieu, pour chaque voiture de l'équipe. "
            "Un peu : départage des plans équivalents ; beaucoup : moins de km, quitte à moins suivre "
            "une préférence (disponibilités, compagnies à favoriser, séries sans trou)."
        ),
    )
