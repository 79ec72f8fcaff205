"""Form pieces shared by every feature."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import URL, Optional

from crm.geo import departement_choices


def blank(label=_l("— Choisir —")):
    return [SelectChoice("", label)]


def options(pairs):
    """Form choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _departement_options():
    return blank(_l("— Déduit du code postal —")) + options(departement_choices())


def DepartementField(label=_l("Département")):  # noqa: N802 - reads like the other field classes
    """A département picker filled from the maintained list (crm.geo)."""
    return SelectField(label, choices=_departement_options, validators=[Optional()])


def optional_int(value):
    """Coerce for a select whose first choice is blank."""
    return int(value) if value not in (None, "", "None") else None


def optional_url():
    return [Optional(), URL(message=_l("Adresse web invalide (elle commence par https://)."))]


def strip(value):
    return value.strip() if isinstance(value, str) else value
