"""Absolute links, in a request (from its address) or in the worker (from VITRINE_BASE_URL)."""

from urllib.parse import unquote, urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(current_app.config["VITRINE_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


_INVISIBLE = dict.fromkeys([*range(0x00, 0x21), 0x7F], None)  # control characters and spaces


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: no scheme, no host, however written.

    Browsers drop tabs and newlines and read `\\` as `/` in a Location, so `/\\tab/evil.example`,
    `/\\evil.example` or `/%5Cevil.example` would leave the site: those are refused too."""
    if not target:
        return None
    cleaned = target.translate(_INVISIBLE)
    decoded = unquote(cleaned).translate(_INVISIBLE)
    if "\\" in decoded or not cleaned.startswith("/") or decoded.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or cleaned.startswith("//"):
        return None
    return cleaned
