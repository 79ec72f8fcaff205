from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from crm.base.forms import strip
from crm.contacts.models import LawfulBasis


class UploadForm(FlaskForm):
    file = FileField(_l("Fichier (CSV ou XLSX)"), validators=[FileRequired(_l("Choisissez un fichier."))])
    source = StringField(
        _l("Origine de ces contacts"),
        validators=[DataRequired(), Length(max=200)],
        filters=[strip],
        description=_l(
            "Gardée sur chaque fiche : par exemple « carnet d'adresses de la compagnie X, 2026 »."
        ),
    )
    lawful_basis = SelectField(_l("Base légale"), choices=LawfulBasis.choices(), validators=[DataRequired()])
