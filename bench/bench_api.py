"""The API under gunicorn at national scale, with a read token of network 1: its largest pages (200
rows), a synchronisation by `updated_since`, the report's figures and the public programme."""

from bench.harness import HttpCase

CASES = [
    HttpCase("API: programmers, 200 a page", "/api/v1/programmers?limit=200", role="api", p95_goal_ms=150),
    HttpCase(
        "API: programmers updated since",
        "/api/v1/programmers?limit=200&updated_since=2000-01-01T00:00:00Z",
        role="api",
        p95_goal_ms=150,
    ),
    HttpCase("API: bookings, 200 a page", "/api/v1/bookings?limit=200", role="api", p95_goal_ms=150),
    HttpCase(
        "API: slots of an edition", "/api/v1/slots?edition={held_id}&limit=200", role="api", p95_goal_ms=150
    ),
    HttpCase("API: report's figures", "/api/v1/report", role="api", p95_goal_ms=300),
    HttpCase("API: public programme", "/api/v1/programme/{held_slug}", p95_goal_ms=100),
]
