from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(), Length(max=200)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("Nouveau mot de passe"), validators=[DataRequired(), Length(min=10, max=200)]
    )
    confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        validators=[DataRequired(), EqualTo("new_password", _l("Les deux saisies diffèrent."))],
    )
