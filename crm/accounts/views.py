from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from crm.accounts import bp, services
from crm.accounts.forms import LoginForm, PasswordChangeForm
from crm.database import utcnow
from crm.errors import DomainError, attach_to_form
from crm.extensions import db
from crm.i18n import LOCALES
from crm.permissions import PUBLIC, SIGNED_IN, allow
from crm.views import render_form


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("core.home")


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 422 if form.errors else 200
    try:
        user = services.authenticate(
            form.email.data,
            form.password.data,
            request.remote_addr or "unknown",
            now=utcnow(),
            settings=current_app.config,
        )
    except services.LoginThrottledError as error:
        attach_to_form(form, error)
        return render_template("accounts/login.html", form=form), 429
    except services.InvalidCredentialsError as error:
        db.session.commit()
        attach_to_form(form, error)
        return render_template("accounts/login.html", form=form), 401
    services.start_session(user, now=utcnow())
    if session.get("locale") in LOCALES:
        user.locale = session["locale"]  # the language chosen on the sign-in page follows the person
    db.session.commit()
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@allow(SIGNED_IN)
def logout():
    services.end_session(current_user.session_token, now=utcnow())
    db.session.commit()
    logout_user()
    flash(_("Vous êtes déconnecté·e."))
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def change_password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _password_page(form)
    try:
        services.change_password(
            current_user, form.current_password.data, form.new_password.data, now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        attach_to_form(form, error)
        return _password_page(form)
    db.session.commit()
    login_user(current_user._get_current_object())
    flash(_("Mot de passe changé. Vos autres sessions ont été fermées."))
    return redirect(url_for("core.home"))


def _password_page(form):
    return render_form(form, title=_("Changer de mot de passe"), cancel_url=url_for("core.home"))
