"""A signed attendance sheet typed up after the event, imported through the spreadsheet pipeline.

Each row is matched to the directory (e-mail first, else first and last name); a person not found but
with a valid e-mail is added to the directory; then everyone is ticked in for the slot.
"""

from crm.base.database import search_key
from crm.base.extensions import db
from crm.checkin import services as checkin
from crm.contacts import importing
from crm.contacts.importing import Action, Context, RowPlan, plan_row


def _by_name(context) -> dict:
    names = {}
    for person in context.by_email.values():
        names.setdefault(search_key(person.first_name, person.last_name), []).append(person)
    return names


def _plan(context, names, present, line, cells):
    email = (cells.get("email") or "").strip().lower()
    person = context.by_email.get(email) if email else None
    if person is None:
        same_name = names.get(search_key(cells.get("first_name"), cells.get("last_name")), [])
        person = same_name[0] if len(same_name) == 1 else None
    if person is not None:
        action = Action.UNCHANGED if person.id in present else Action.UPDATE  # UPDATE: found, to tick in
        return RowPlan(
            line,
            action,
            {
                "email": person.email,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "person": person,
            },
        )
    return plan_row(context, line, cells)  # a new person: the directory's own checks apply


def plan(slot, network_id, table, mapping) -> list[RowPlan]:
    context = Context(network_id)
    names, present = _by_name(context), checkin.present_ids(slot)
    return [_plan(context, names, present, line, cells) for line, cells in importing.rows(table, mapping)]


def apply(slot, network_id, table, mapping, *, actor, source, lawful_basis, now) -> list[RowPlan]:
    context = Context(network_id)
    names, present = _by_name(context), checkin.present_ids(slot)
    planned = []
    for line, cells in importing.rows(table, mapping):
        row = _plan(context, names, present, line, cells)
        planned.append(row)
        if row.action == Action.CREATE:
            importing.write(context, row.values, actor=actor, source=source, lawful_basis=lawful_basis)
            db.session.flush()
            row.values["person"] = context.by_email[row.values["email"]]
        if row.action in (Action.CREATE, Action.UPDATE):
            checkin.check_in(slot, row.values["person"], actor=actor, now=now)
            present.add(row.values["person"].id)
    db.session.flush()
    return planned
