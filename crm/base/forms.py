"""Form pieces shared by every feature."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import URL, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from crm.base.geo import departement_choices
from crm.base.numbers import amount, row_id


def blank(label=_l("— Choisir —")):
    return [SelectChoice("", label)]


def options(pairs):
    """Form choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _departement_options():
    return blank(_l("— Déduit du code postal —")) + options(departement_choices())


def DepartementField(label=_l("Département")):  # noqa: N802 - reads like the other field classes
    """A département picker filled from the maintained list (crm.base.geo)."""
    return SelectField(label, choices=_departement_options, validators=[Optional()])


def optional_int(value):
    """Coerce for a select whose first choice is blank (a key the database can hold, or None)."""
    return row_id(value) if value not in (None, "", "None") else None


class Finite:
    """Stops a decimal field's validation at NaN, infinities and exponents out of range, which
    NumberRange cannot compare: the person sees a message instead of the page failing."""

    def __init__(self, maximum, message=None):
        self.maximum = maximum
        self.message = message

    def __call__(self, form, field):
        if field.process_errors:  # the typed text already got its message: no second one
            raise StopValidation()
        data = field.data
        if data is None:
            return
        if not isinstance(data, Decimal):  # a default given as a number
            data = Decimal(str(data))
        if not data.is_finite() or abs(data) > self.maximum:
            raise StopValidation(self.message or _l("Un nombre, par exemple 1200 ou 1200,50."))


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of boxes to tick (no Ctrl-click), each with its label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AmountField(DecimalField):
    """Euros as people type them: '1 200,50', '1200.5', '850' (a comma or a point, spaces allowed).
    A text box (a number box refuses "1 200,50" before the form is even sent), with a decimal keypad."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, maximum, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, places=2, render_kw=render_kw, **kwargs)
        self.maximum = maximum

    def process_formdata(self, valuelist):
        if not valuelist:  # not sent at all: the default stays
            return
        if not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = amount(valuelist[0], maximum=self.maximum)
        except ValueError:
            self.data = None
            raise ValueError(_l("Un montant en euros, par exemple 1200 ou 1200,50.")) from None

    def _value(self):
        if self.raw_data is None and isinstance(self.data, Decimal):  # a stored amount: the French way
            return f"{self.data:f}".replace(".", ",")
        return super()._value()


class CommaDecimalField(DecimalField):
    """A decimal number as French people type it ('0,218' as well as '0.218'), in a text box with a
    decimal keypad."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(valuelist[0]).replace("\u202f", "").replace(" ", "").replace(",", ".")]
        super().process_formdata(valuelist)

    def _value(self):
        if self.raw_data is None and isinstance(self.data, Decimal):  # a stored value: shown the French way
            return f"{self.data.normalize():f}".replace(".", ",")
        return super()._value()


def optional_url():
    return [Optional(), URL(message=_l("Adresse web invalide (elle commence par https://)."))]


def strip(value):
    return value.strip() if isinstance(value, str) else value
