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
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from crm.base import identifiers
from crm.base.enums import Discipline
from crm.base.errors import DomainError
from crm.base.forms import DepartementField, Finite, blank, optional_int, optional_url, options, strip
from crm.contacts import places
from crm.contacts.models import ArtisticDirection, LawfulBasis, StructureType

STRIP = [strip]


class _CompanyName:  # first on the form: fields are listed as they are created
    name = StringField(_l("Nom de la compagnie"), validators=[DataRequired(), Length(max=160)], filters=STRIP)


class _StructureName:
    name = StringField(_l("Nom de la structure"), validators=[DataRequired(), Length(max=160)], filters=STRIP)


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


class IdentifierField(StringField):
    """An official number: checked as it is typed (the reason beside it, what was typed kept), then held
    normalised; shown formatted when the form opens on a record."""

    def __init__(self, label, check, display=None, **kwargs):
        super().__init__(label, filters=STRIP, **kwargs)
        self.check, self.display = check, display

    def _value(self):
        if self.raw_data or not self.data:
            return super()._value()
        return self.display(self.data) if self.display else self.data

    def pre_validate(self, form):
        try:
            self.data = self.check(self.data, form)
        except DomainError as error:
            raise ValidationError(error.message) from None


def _licence_check(category):
    def check(value, _form):
        checked = identifiers.licence(value, category)
        return checked[1] if checked else None

    return check


def _licence_field(category, label):
    return IdentifierField(
        label,
        _licence_check(category),
        description=_l(
            "PLATESV-D-… (première déclaration) ou PLATESV-R-… (renouvellement), ou en abrégé L-R-24-1234."
        ),
    )


def _identifier_fields():
    """The official numbers' fields, made where a form lists them (WTForms orders fields as created)."""
    return (
        IdentifierField(
            _l("SIRET"),
            lambda value, _form: identifiers.siret(value),
            identifiers.siret_display,
            description=_l("14 chiffres : ceux de l'établissement qui signe les contrats."),
        ),
        IdentifierField(
            _l("Code APE (NAF)"),
            lambda value, _form: identifiers.ape(value),
            description=_l("Par exemple 90.01Z."),
        ),
        IdentifierField(
            _l("N° de TVA intracommunautaire"),
            lambda value, form: identifiers.vat(
                value, siret_number=form.siret.data if not form.siret.errors else None
            ),
            identifiers.vat_display,
            description=_l("Laissez vide si la structure n'est pas assujettie à la TVA."),
        ),
        _licence_field(1, _l("Licence de catégorie 1 (exploitant de lieu)")),
        _licence_field(2, _l("Licence de catégorie 2 (producteur)")),
        _licence_field(3, _l("Licence de catégorie 3 (diffuseur)")),
    )


class CompanyForm(FlaskForm, _CompanyName, _AddressMixin):
    member_since = DateField(_l("Adhérente depuis le"), validators=[Optional()])
    on_public_map = BooleanField(
        _l("Figurer sur la carte publique du réseau (nom, commune, disciplines)"), default=True
    )
    siret, ape_code, vat_number, licence_1, licence_2, licence_3 = _identifier_fields()
    artistic_direction = SelectField(
        _l("Direction artistique de la compagnie (facultatif)"),
        choices=blank(_l("— Ne souhaite pas répondre —")) + ArtisticDirection.choices(),
        validate_choice=False,  # not sent (the coordination's form has none): left as it is
        description=_l(
            "Pour les bilans que demandent les financeurs. Jamais montré compagnie par compagnie, ni à la "
            "coordination : seuls des totaux paraissent, et seulement à partir de 3 compagnies."
        ),
    )


class StructureForm(FlaskForm, _StructureName, _AddressMixin):
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
    siret, ape_code, vat_number, licence_1, licence_2, licence_3 = _identifier_fields()


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
