from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from crm.base.enums import Discipline
from crm.base.forms import DepartementField, Finite, blank, optional_int, optional_url, options, strip
from crm.contacts import places
from crm.contacts.models import LawfulBasis, StructureType

STRIP = [strip]


class _AddressMixin:
    address = StringField(_l("Adresse"), validators=[Optional(), Length(max=200)], filters=STRIP)
    postcode = StringField(_l("Code postal"), validators=[Optional(), Length(max=10)], filters=STRIP)
    city = StringField(_l("Ville"), validators=[Optional(), Length(max=100)], filters=STRIP)
    commune_code = SelectField(
        _l("Commune"),
        validate_choice=False,
        description=_l(
            "Déduite du code postal et de la ville ; à choisir quand le code postal en couvre plusieurs."
        ),
    )
    departement_code = DepartementField()
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)], filters=STRIP)
    phone = StringField(_l("Téléphone"), validators=[Optional(), Length(max=30)], filters=STRIP)
    website = StringField(_l("Site web"), validators=optional_url(), filters=STRIP)

    def set_communes(self, postcode):
        """The communes of the postcode typed (or saved) to choose from."""
        self.commune_code.choices = blank(_l("— D'après le code postal et la ville —")) + options(
            places.commune_choices(postcode)
        )


class CompanyForm(FlaskForm, _AddressMixin):
    name = StringField(_l("Nom de la compagnie"), validators=[DataRequired(), Length(max=160)], filters=STRIP)
    member_since = DateField(_l("Adhérente depuis le"), validators=[Optional()])
    on_public_map = BooleanField(
        _l("Figurer sur la carte publique du réseau (nom, commune, disciplines)"), default=True
    )


class StructureForm(FlaskForm, _AddressMixin):
    name = StringField(_l("Nom de la structure"), validators=[DataRequired(), Length(max=160)], filters=STRIP)
    structure_type = SelectField(
        _l("Type de structure"), choices=blank() + StructureType.choices(), validators=[DataRequired()]
    )
    is_venue = BooleanField(_l("Lieu d'accueil de temps forts (scène, salle)"))
    capacity = IntegerField(_l("Jauge (places)"), validators=[Optional(), NumberRange(1, 100000)])
    stage_width_m = DecimalField(
        _l("Ouverture du plateau (m)"), places=1, validators=[Optional(), Finite(100), NumberRange(0, 100)]
    )
    stage_depth_m = DecimalField(
        _l("Profondeur du plateau (m)"), places=1, validators=[Optional(), Finite(100), NumberRange(0, 100)]
    )
    has_blackout = BooleanField(_l("Le noir complet est possible"))


class ProgrammerForm(FlaskForm):
    first_name = StringField(_l("Prénom"), validators=[DataRequired(), Length(max=80)], filters=STRIP)
    last_name = StringField(_l("Nom"), validators=[DataRequired(), Length(max=80)], filters=STRIP)
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)], filters=STRIP)
    phone = StringField(_l("Téléphone"), validators=[Optional(), Length(max=30)], filters=STRIP)
    organisation_id = SelectField(_l("Structure"), coerce=optional_int)
    job_title = StringField(_l("Fonction"), validators=[Optional(), Length(max=120)], filters=STRIP)
    departement_code = DepartementField()
    disciplines = SelectMultipleField(_l("Disciplines suivies"), choices=Discipline.choices())
    wants_young = BooleanField(_l("Programme du jeune public"))
    wants_all = BooleanField(_l("Programme du tout public"))
    lawful_basis = SelectField(_l("Base légale"), choices=LawfulBasis.choices(), validators=[DataRequired()])
    language = SelectField(
        _l("Langue des messages"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        default="fr",
    )
    source = StringField(
        _l("Origine du contact"),
        validators=[DataRequired(), Length(max=200)],
        filters=STRIP,
        description=_l("Par exemple : carte de visite reçue au festival, annuaire de la compagnie X."),
    )

    def set_structures(self, choices):
        self.organisation_id.choices = blank(_l("— Aucune —")) + options(choices)
