from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from crm.accounts import bp, mfa, services
from crm.accounts.forms import CodeForm, DisableMfaForm, LoginForm, PasswordChangeForm
from crm.accounts.models import User
from crm.base.audit import security_event
from crm.base.database import utcnow
from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.i18n import LOCALES
from crm.base.links import local_path
from crm.base.permissions import PUBLIC, SIGNED_IN, TOKEN_RULES, allow, rule_for
from crm.base.views import render_form

PENDING = "mfa_pending"  # in the signed session cookie: password checked, code still to come
PENDING_FOR = timedelta(minutes=5)


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("pages.home")


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 422 if form.errors else 200
    try:
        user = services.authenticate(
            form.email.data, form.password.data, _address(), now=utcnow(), settings=current_app.config
        )
    except services.LoginThrottledError as error:
        attach_to_form(form, error)
        return render_template("accounts/login.html", form=form), 429
    except services.InvalidCredentialsError as error:
        db.session.commit()
        attach_to_form(form, error)
        return render_template("accounts/login.html", form=form), 401
    target = _safe_next(request.args.get("next"))
    if user.has_mfa:
        db.session.commit()
        session[PENDING] = {"user": user.id, "at": utcnow().timestamp(), "next": target}
        return redirect(url_for(".login_code"))
    return _signed_in(user, target)


def _signed_in(user: User, target: str):
    services.clear_failures(user, _address())
    services.start_session(user, now=utcnow())
    if session.get("locale") in LOCALES:
        user.locale = session["locale"]  # the language chosen on the sign-in page follows the person
    security_event("login.success", user=user.id, mfa=user.has_mfa)
    db.session.commit()
    login_user(user)
    if mfa.required_for(user, current_app.config) and not user.has_mfa:
        flash(_("Votre rôle demande une double authentification : activez-la pour continuer."))
        return redirect(url_for(".security"))
    return redirect(target)


def _pending_user() -> tuple[User | None, str]:
    pending = session.get(PENDING) or {}
    at = pending.get("at", 0)
    if not pending or utcnow().timestamp() - at > PENDING_FOR.total_seconds():
        return None, ""
    user = db.session.get(User, pending.get("user"))
    return (user if user is not None and user.active and user.has_mfa else None), pending.get("next", "/")


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
def login_code():
    user, target = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Connectez-vous à nouveau : le code n'a pas été saisi à temps."))
        return redirect(url_for(".login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("accounts/login_code.html", form=form), 422 if form.errors else 200
    now, settings = utcnow(), current_app.config
    try:
        services.check_throttle(user.email, _address(), now=now, settings=settings)
    except services.LoginThrottledError as error:
        attach_to_form(form, error)
        return render_template("accounts/login_code.html", form=form), 429
    if not mfa.verify(user, form.code.data, now=now):
        services.record_failure(user, user.email, _address(), now=now, settings=settings, factor="code")
        db.session.commit()
        form.code.errors = [_("Ce code n'est pas le bon, ou a déjà servi.")]
        return render_template("accounts/login_code.html", form=form), 401
    session.pop(PENDING, None)
    return _signed_in(user, target)


@bp.post("/logout")
@allow(SIGNED_IN)
def logout():
    services.end_session(current_user.session_token, now=utcnow())
    security_event("logout", user=current_user.id)
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
    return redirect(url_for("pages.home"))


def _password_page(form):
    return render_form(form, title=_("Changer de mot de passe"), cancel_url=url_for("pages.home"))


# --- Second factor -----------------------------------------------------------------------------------


@bp.route("/account/security", methods=["GET", "POST"])
@allow(SIGNED_IN)
def security():
    """Double authentication: turn it on (QR code, first code), see what is left, turn it off."""
    user = current_user._get_current_object()
    required = mfa.required_for(user, current_app.config)
    code_form, disable_form = CodeForm(prefix="mfa"), DisableMfaForm(prefix="off")
    if not user.has_mfa:
        code_form.code.label.text = _("Code à 6 chiffres affiché par l'application")
    action = request.form.get("action") if request.method == "POST" else None
    status = 200
    if action == "disable" and required:
        flash(_("Votre rôle demande la double authentification : elle reste active."), "error")
        return redirect(url_for(".security"))
    if action == "start" and not user.has_mfa:
        mfa.start_enrolment(user)
        db.session.commit()
        return redirect(url_for(".security"))
    if action in ("confirm", "codes") and code_form.validate_on_submit():
        try:
            codes = _confirm_or_renew(user, action, code_form.code.data)
        except DomainError as error:
            db.session.rollback()
            attach_to_form(code_form, error)
            status = 422
        else:
            db.session.commit()
            return (
                render_template("accounts/recovery_codes.html", codes=codes),
                200,
                {"Cache-Control": "no-store"},
            )
    if action == "disable" and not required and disable_form.validate_on_submit():
        if services.password_matches(user.password_hash, disable_form.password.data) and mfa.verify(
            user, disable_form.code.data, now=utcnow()
        ):
            mfa.reset(user, actor=user)
            db.session.commit()
            flash(_("Double authentification désactivée."))
            return redirect(url_for(".security"))
        db.session.rollback()
        disable_form.form_errors.append(_("Mot de passe ou code incorrect."))
        status = 422
    if code_form.errors or disable_form.errors or disable_form.form_errors:
        status = 422
    return render_template(
        "accounts/security.html",
        user=user,
        required=required,
        code_form=code_form,
        disable_form=disable_form,
        qr=mfa.qr_svg(mfa.provisioning_uri(user, "Vitrine"))
        if user.totp_secret and not user.has_mfa
        else None,
        remaining=mfa.remaining_codes(user) if user.has_mfa else 0,
    ), status


def _confirm_or_renew(user, action, code) -> list[str]:
    now = utcnow()
    if action == "confirm":
        return mfa.confirm_enrolment(user, code, now=now)
    if not user.has_mfa or not mfa.verify(user, code, now=now):
        raise DomainError(_("Ce code n'est pas le bon, ou a déjà servi."), field="code")
    security_event("mfa.codes_renewed", user=user.id)
    return mfa.new_recovery_codes(user)


def require_second_factor():
    """before_request: an account whose role requires a second factor uses nothing else until it has one."""
    if request.endpoint in ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if (rule_for(request.endpoint) or frozenset()) & TOKEN_RULES:
        return None  # a token opens the route, whatever cookie comes with it
    if mfa.required_for(current_user, current_app.config) and not current_user.has_mfa:
        return redirect(url_for("accounts.security"))
    return None


ENROLMENT_ENDPOINTS = {
    None,
    "static",
    "accounts.security",
    "accounts.logout",
    "pages.language",
    "pages.healthz",
}
