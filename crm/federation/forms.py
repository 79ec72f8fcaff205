from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField
from wtforms.validators import InputRequired

from crm.federation.models import Category


class ConsentForm(FlaskForm):
    since = DateField(
        _l("À partir des éditions commençant le"),
        validators=[InputRequired(_l("Indiquez à partir de quelle date vos éditions comptent."))],
    )
    activity = BooleanField(Category.ACTIVITY.label)
    follow_up = BooleanField(Category.FOLLOW_UP.label)
    bookings = BooleanField(Category.BOOKINGS.label)
    territory = BooleanField(Category.TERRITORY.label)
    travel = BooleanField(Category.TRAVEL.label)
    public = BooleanField(_l("Nous acceptons aussi que ces chiffres figurent dans le baromètre public"))

    def category_fields(self):
        return [getattr(self, category.value) for category in Category]
