"""The one way a create/edit page handles its form: validate, call the service, commit or re-show."""

from flask import flash, redirect, render_template, request
from flask_sqlalchemy.pagination import Pagination

from crm.base.errors import DomainError, attach_to_form
from crm.base.extensions import db
from crm.base.numbers import page_number

PER_PAGE = 25


def render_form(form, *, title, cancel_url, template="form_page.html", **context):
    """Show a form page; 422 when it comes back with errors so clients and tests can tell."""
    status = 422 if form.errors or getattr(form, "form_errors", None) else 200
    return render_template(template, form=form, title=title, cancel_url=cancel_url, **context), status


def handle_form(form, save, *, title, cancel_url, done_message, done_url, **context):
    """On a valid POST run `save()` and commit; on any error re-show what was typed, nothing saved."""
    if form.validate_on_submit():
        try:
            saved = save()
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
            flash(done_message)
            return redirect(done_url(saved))
    return render_form(form, title=title, cancel_url=cancel_url, **context)


def act(action, done_message):
    """A one-click action (a POST button): commit and confirm it, or roll back and say why."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    db.session.commit()
    flash(done_message)
    return result


def paginate(query) -> Pagination:
    """One page of a list (?page=N), 25 rows a page, never the whole table."""
    page = request.args.get("page", 1, type=page_number)
    return db.paginate(query, page=max(page, 1), per_page=PER_PAGE, error_out=False, max_per_page=100)
