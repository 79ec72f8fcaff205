from flask import jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crm.base.extensions import db
from crm.base.i18n import LOCALES
from crm.base.links import local_path
from crm.base.permissions import PUBLIC, SIGNED_IN, allow
from crm.base.timeutil import today_local
from crm.pages import bp, next_steps, services


@bp.get("/")
@allow(SIGNED_IN)
def home():
    if current_user.is_admin:
        return render_template("core/home_admin.html", counts=services.instance_counts())
    if current_user.is_federation:
        return redirect(url_for("federation.barometer_page"))
    if current_user.is_member:
        return render_template("core/home_member.html", **services.member_home(current_user))
    editions = services.recent_editions(current_user.network_id)
    return render_template(
        "core/home_coordinator.html",
        counts=services.network_counts(current_user.network_id),
        checklists=next_steps.checklists(editions, today=today_local()),
    )


@bp.app_template_global("edition_checklist")
def edition_checklist(edition) -> next_steps.Checklist:
    """For the edition page: its stage and what it waits for (core reads every feature; they do not)."""
    return next_steps.checklists([edition], today=today_local())[0]


@bp.post("/language")
@allow(PUBLIC)
def language():
    chosen = request.form.get("locale")
    if chosen in LOCALES:
        session["locale"] = chosen
        if current_user.is_authenticated:
            current_user.locale = chosen
            db.session.commit()
    return redirect(local_path(request.form.get("next")) or url_for("pages.home"))


@bp.get("/favicon.ico")
@allow(PUBLIC)
def favicon():
    """For the clients that ask for it without reading the page's icon link."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/healthz")
@allow(PUBLIC)
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
