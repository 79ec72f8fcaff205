from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[DataRequired(), Length(min=10, max=1000)],
        render_kw={"autocomplete": "new-password"},
        description=_l("10 caractères au moins : une phrase que vous retenez convient très bien."),
    )
    confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        render_kw={"autocomplete": "new-password"},
        validators=[DataRequired(), EqualTo("new_password", _l("Les deux saisies diffèrent."))],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code à 6 chiffres de l'application, ou un code de secours"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


class DisableMfaForm(FlaskForm):
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=1000)])
    code = StringField(_l("Code de l'application"), validators=[DataRequired(), Length(max=40)])
