"""The main pages, timed under gunicorn. Baselines (a static file, /healthz) show the machine's noise."""

from bench.harness import HttpCase

CASES = [
    HttpCase("baseline: static file", "/static/css/app.css"),
    HttpCase("baseline: /healthz", "/healthz"),
    HttpCase("login page", "/login", throughput=True),
    HttpCase("directory search", "/programmers?q=martin", role="coordinator", p95_goal_ms=150),
    HttpCase(
        "directory search, no accents typed",
        "/programmers?q=mediatheque",
        role="coordinator",
        p95_goal_ms=150,
    ),
    HttpCase("directory, page 3", "/programmers?page=3", role="coordinator", p95_goal_ms=150),
    HttpCase("coordinator home", "/", role="coordinator", p95_goal_ms=250),
    HttpCase("companies search", "/companies?q=compagnie", role="coordinator"),
    # {held_id} / {held_slug}: network 1's latest held edition, public, planned and assigned.
    HttpCase("public programme page", "/programme/{held_slug}", p95_goal_ms=100),
    HttpCase("public programme JSON", "/programme/{held_slug}.json"),
    HttpCase("edition page (coordinator)", "/editions/{held_id}", role="coordinator", p95_goal_ms=250),
    HttpCase("planning grid", "/editions/{held_id}/planning", role="coordinator", p95_goal_ms=250),
    HttpCase(
        "registrations review", "/editions/{held_id}/registrations", role="coordinator", p95_goal_ms=250
    ),
    HttpCase("shared follow-up dashboard", "/editions/{held_id}/suivi", role="coordinator", p95_goal_ms=250),
    HttpCase("follow-up dashboard, page 5", "/editions/{held_id}/suivi?page=5", role="coordinator"),
    HttpCase("coordination tasks", "/taches?vue=done", role="coordinator"),
    HttpCase("programme calendar feed", "/programme/{held_slug}.ics"),
    HttpCase("impact report, all editions", "/impact", role="coordinator", p95_goal_ms=300),
    HttpCase("impact report, one edition", "/editions/{held_id}/impact", role="coordinator"),
    HttpCase("bookings without the logo", "/outcomes?logo=missing", role="coordinator"),
    # 27 of the 30 networks share their figures; the latest year, then an earlier full one
    HttpCase("federation barometer", "/federation", role="federation", p95_goal_ms=300),
    HttpCase(
        "federation barometer, earlier year", "/federation?annee=2025", role="federation", p95_goal_ms=300
    ),
]
