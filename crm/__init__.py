"""Vitrine: showcases of performing-arts networks, and the shared follow-up of programmers."""

import logging

from flask import Flask, render_template
from sqlalchemy.orm import configure_mappers
from werkzeug.middleware.proxy_fix import ProxyFix

from crm.base.audit import configure_logging, security_event
from crm.base.config import load_settings, normalise_database_url
from crm.base.extensions import babel, csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI, error pages, headers."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.update(load_settings(app.instance_path))
    if test_config:
        app.config.update(test_config)
    configure_logging(app.config["VITRINE_LOG_LEVEL"])
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_error_pages(app)
    register_security(app)
    configure_mappers()  # once, while the worker starts, rather than in its first request
    return app


def register_extensions(app):
    from crm import models  # noqa: F401  (every table known to the metadata and to Alembic)
    from crm.accounts.services import load_session_user
    from crm.accounts.views import require_second_factor
    from crm.base.database import utcnow
    from crm.base.i18n import register_filters, select_locale
    from crm.base.permissions import enforce
    from crm.contacts import subscriptions  # noqa: F401  (reactions to the mail layer's events)
    from crm.followups import subscriptions as followup_subscriptions  # noqa: F401
    from crm.impact import stamps as impact_stamps  # noqa: F401  (what each change makes stale)
    from crm.impact import subscriptions as impact_subscriptions  # noqa: F401
    from crm.invitations import stamps as invitation_stamps  # noqa: F401
    from crm.invitations import subscriptions as invitation_subscriptions  # noqa: F401
    from crm.meetings import links as meeting_links  # noqa: F401  (their place on the invitation page)
    from crm.meetings import stamps as meeting_stamps  # noqa: F401
    from crm.showcase import stamps as showcase_stamps  # noqa: F401
    from crm.webhooks import subscriptions as webhook_subscriptions  # noqa: F401  (the events sent out)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    app.before_request(enforce)
    app.before_request(require_second_factor)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="../translations")
    register_filters(app)

    @login_manager.user_loader
    def _load(token):
        return load_session_user(
            token,
            now=utcnow(),
            max_days=app.config["SESSION_MAX_DAYS"],
            idle_minutes=app.config["SESSION_IDLE_MINUTES"],
        )


def register_blueprints(app):
    """Import each feature's views (they attach routes to its blueprint), then register the blueprints.

    Packages only define their blueprint, so importing a model or a service never drags in views.
    """
    import importlib

    from crm import (
        accounts,
        admin,
        calendar,
        checkin,
        contacts,
        cooperation,
        federation,
        followups,
        impact,
        imports,
        invitations,
        mail,
        meetings,
        pages,
        showcase,
        webhooks,
    )
    from crm.showcase import public

    view_modules = [
        "accounts.views", "admin.views", "contacts.views", "showcase.views", "showcase.views_company",
        "showcase.views_planning", "mail.views", "imports.views", "invitations.views", "checkin.views",
        "followups.views", "calendar.views", "impact.views", "impact.views_map", "impact.views_contract",
        "impact.views_sibil",
        "meetings.views",
        "webhooks.views",
        "federation.views",
        "cooperation.views",
        "cooperation.views_commissions",
        # pages composed from several features (they keep the routes of the feature they belong to)
        "pages.views", "pages.directory", "pages.follow_up",
    ]  # fmt: skip
    for name in view_modules:
        importlib.import_module(f"crm.{name}")
    for module in (
        pages,
        accounts,
        admin,
        contacts,
        showcase,
        mail,
        public,
        imports,
        invitations,
        checkin,
        meetings,
        followups,
        calendar,
        impact,
        webhooks,
        federation,
        cooperation,
    ):
        app.register_blueprint(module.bp)
    from crm.api.setup import register as register_api

    register_api(app)


def register_cli(app):
    from crm.admin.cli import users_cli
    from crm.api.cli import api_cli
    from crm.backup import backup_command, restore_command
    from crm.base.rendered import cache_cli
    from crm.demo.cli import demo_cli
    from crm.mail.cli import mail_cli
    from crm.scheduler import followups_cli, worker_command
    from crm.territory.cli import territory_cli
    from crm.webhooks.cli import webhooks_cli

    for command in (
        users_cli,
        demo_cli,
        backup_command,
        restore_command,
        followups_cli,
        worker_command,
        mail_cli,
        cache_cli,
        api_cli,
        webhooks_cli,
        territory_cli,
    ):
        app.cli.add_command(command)
    if app.config.get("VITRINE_SCHEDULER") and not app.testing:
        start_scheduler_when_serving(app)


def start_scheduler_when_serving(app):
    """`VITRINE_SCHEDULER=1` (set by `make run` for the server only): this process runs the tick itself,
    once (in the reloader's child when there is one)."""
    import os

    if os.environ.get("WERKZEUG_RUN_MAIN") in (None, "true"):
        from crm.scheduler import start_in_process

        start_in_process(app)


def register_error_pages(app):
    log = logging.getLogger("crm.errors")

    from werkzeug.exceptions import HTTPException

    from crm.api.http import from_http_exception, is_api_request, problem

    def page(status):
        def handler(error):
            if is_api_request():
                if status >= 500:
                    db.session.rollback()
                    log.exception("unhandled error")
                    return problem(500)
                return from_http_exception(error)
            if status >= 500:
                db.session.rollback()
                log.exception("unhandled error")
            elif status == 403:
                from flask_login import current_user

                user = current_user.id if current_user.is_authenticated else None
                security_event("forbidden", user=user)
            return render_template("errors/error.html", status=status), status

        return handler

    for status in (400, 401, 403, 404, 405, 409, 413, 422, 429, 500):
        app.register_error_handler(status, page(status))

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        return from_http_exception(error) if is_api_request() else error

    from crm.base.ratelimit import RateLimitedError

    @app.errorhandler(RateLimitedError)
    def too_many(error):
        db.session.rollback()
        if is_api_request():
            return problem(429, error.message, headers={"Retry-After": str(error.retry_after)})
        body = render_template("errors/error.html", status=429, message=error.message)
        return body, 429, {"Retry-After": str(error.retry_after)}


def register_security(app):
    from crm.base.security import add_security_headers

    proxies = int(app.config.get("VITRINE_TRUSTED_PROXIES", 0) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.after_request(add_security_headers)
