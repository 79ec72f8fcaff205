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
]
