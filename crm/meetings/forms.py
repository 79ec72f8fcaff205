from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from crm.base.forms import blank, optional_int, options, strip
from crm.meetings.models import ROUND_LENGTHS


def _rounds_list(form, field):
    """ "4, 8" → [4, 8]: the rounds after which the break comes."""
    text = (field.data or "").replace(";", ",").replace(" ", ",")
    parts = [p for p in text.split(",") if p]
    if not all(p.isdigit() for p in parts):
        raise ValidationError(_l("Des numéros de tour séparés par des virgules, par exemple 4, 8."))
    field.rounds = sorted({int(p) for p in parts})


class SessionForm(FlaskForm):
    name = StringField(
        _l("Nom"), validators=[DataRequired(), Length(max=120)], filters=[strip], default="Rencontres pro"
    )
    venue_id = SelectField(_l("Lieu"), coerce=optional_int, validators=[DataRequired()])
    day = DateField(_l("Jour"), validators=[DataRequired()])
    starts = TimeField(_l("Début du premier tour"), validators=[DataRequired()])
    rounds = IntegerField(_l("Nombre de tours"), validators=[DataRequired(), NumberRange(1, 40)], default=8)
    round_minutes = SelectField(
        _l("Durée d'un tour"),
        coerce=int,
        choices=[SelectChoice(n, _l("%(n)s min", n=n)) for n in ROUND_LENGTHS],
        default=15,
    )
    changeover_minutes = IntegerField(
        _l("Changement de table (minutes)"), validators=[Optional(), NumberRange(0, 30)], default=5
    )
    tables = IntegerField(
        _l("Nombre de tables"), validators=[DataRequired(), NumberRange(1, 200)], default=10
    )
    break_after = StringField(
        _l("Pause après les tours"),
        validators=[_rounds_list],
        description=_l("Par exemple « 4 » ; laissez vide pour aucune pause."),
    )
    break_minutes = IntegerField(
        _l("Durée de la pause (minutes)"), validators=[Optional(), NumberRange(0, 120)], default=15
    )
    wishes_close_at = DateTimeLocalField(
        _l("Souhaits clos le"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Heure de Paris. Jusque-là, chacun peut changer ses souhaits."),
    )
    max_per_programmer = IntegerField(
        _l("Rendez-vous par programmateur·rice, au plus"),
        validators=[DataRequired(), NumberRange(1, 40)],
        default=6,
    )
    max_per_company = IntegerField(
        _l("Rendez-vous par compagnie, au plus"), validators=[DataRequired(), NumberRange(1, 40)], default=8
    )
    min_per_company = IntegerField(
        _l("Rendez-vous garantis par compagnie"),
        validators=[Optional(), NumberRange(0, 40)],
        default=3,
        description=_l(
            "Autant que les souhaits le permettent : les petites compagnies ne sont pas oubliées."
        ),
    )

    def set_venues(self, venues):
        self.venue_id.choices = blank() + options(
            (v.id, ", ".join(p for p in (v.name, v.city) if p)) for v in venues
        )
