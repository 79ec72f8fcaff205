"""An uploaded spreadsheet: refused at once when it cannot be read, kept with its table read once, then
planned row by row by the feature it feeds (the directory, or a slot's signed attendance sheet)."""

from flask_babel import gettext as _

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.checkin import sheets
from crm.contacts import importing
from crm.imports.models import ImportFile
from crm.imports.reading import from_json, human_size, read_table, to_json
from crm.showcase.models import Slot


def receive(data: bytes, *, filename, source, lawful_basis, slot, user, max_bytes, max_rows) -> ImportFile:
    """The file kept with its table, or a DomainError on the file field (too big, unreadable)."""
    if len(data) > max_bytes:
        raise DomainError(
            _(
                "Le fichier est trop gros (%(size)s)\u202f: la limite est de %(limit)s.",
                size=human_size(len(data)),
                limit=human_size(max_bytes),
            ),
            field="file",
        )
    table = read_table(data, max_rows=max_rows)
    found = ImportFile(
        network_id=user.network_id,
        user_id=user.id,
        content=data,
        parsed=to_json(table),
        filename=(filename or "fichier")[:200],
        source=source,
        lawful_basis=lawful_basis,
        slot_id=slot.id if slot else None,
    )
    db.session.add(found)
    db.session.flush()
    return found


def table_of(found: ImportFile, *, max_rows):
    """The table read at upload (an import made before tables were kept is read once, then kept)."""
    if found.parsed is None:
        table = read_table(found.content, max_rows=max_rows)
        found.parsed = to_json(table)
        db.session.flush()
        return table
    return from_json(found.parsed)


def plan(found: ImportFile, table, mapping):
    """What each row would do: a slot's sheet ticks people present, else rows feed the directory."""
    if found.slot_id:
        return sheets.plan(db.session.get(Slot, found.slot_id), found.network_id, table, mapping)
    return importing.plan(found.network_id, table, mapping)
