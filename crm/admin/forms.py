from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from crm.accounts.models import Role
from crm.base.forms import optional_int, strip


class NetworkForm(FlaskForm):
    name = StringField(_l("Nom du réseau"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    slug = StringField(
        _l("Identifiant court"),
        validators=[
            DataRequired(),
            Length(max=60),
            Regexp(r"^[a-z0-9-]+$", message=_l("Minuscules, chiffres et tirets.")),
        ],
        filters=[strip],
        description=_l("Utilisé dans les adresses publiques, par exemple « scenes-en-seine »."),
    )
    contact_email = EmailField(
        _l("E-mail de la coordination"), validators=[Optional(), Email()], filters=[strip]
    )
    sender_name = StringField(
        _l("Nom d'expéditeur des messages"),
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description=_l(
            "Ce que les destinataires lisent comme expéditeur. Par défaut : « Nom du réseau — coordination »."
        ),
    )
    sender_address = EmailField(
        _l("Adresse d'expédition"),
        validators=[Optional(), Email(), Length(max=254)],
        filters=[strip],
        description=_l(
            "Laissez vide pour l'adresse d'envoi de l'instance. Une adresse du domaine du réseau demande que "
            "son fournisseur de messagerie autorise le serveur d'envoi (SPF, DKIM)."
        ),
    )


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])
    full_name = StringField(_l("Nom complet"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    role = SelectField(_l("Rôle"), choices=Role.choices(), validators=[DataRequired()])
    network_id = SelectField(_l("Réseau (coordination)"), coerce=optional_int, validate_choice=False)
    company_id = SelectField(_l("Compagnie (membre)"), coerce=optional_int, validate_choice=False)
    password = PasswordField(
        _l("Mot de passe initial"), validators=[DataRequired(), Length(min=10, max=1000)]
    )
