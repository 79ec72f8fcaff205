"""Records the SQL statements the app sends, to pin each page's query budget and to EXPLAIN them."""

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def count_queries(engine):
    """Yields a list that fills with (statement, parameters) for every statement sent."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
