"""Security headers on every response: no inline script, no framing, no sniffing."""

from flask import current_app, request, session

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


HSTS = "max-age=63072000"  # two years; subdomains are the organisation's own business


def add_security_headers(response):
    """after_request: the headers every page carries; no caching at all of what a signed-in person sees
    (pages and exports alike), so a shared computer's cache or a proxy keeps none of it."""
    if session.get("_user_id") and request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("VITRINE_HTTPS"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
