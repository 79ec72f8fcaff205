"""Rendered feeds and events kept in memory, keyed by everything they are made of. Writing 1,000
events with `icalendar` takes about half a second: a client polling an unchanged feed gets the same bytes
(or a 304) from here after one light query, and a change writes only the events it touched. Each process
keeps its own; changed data is a new key, never a stale answer."""

import hashlib
import threading
from collections import OrderedDict

SIZE = 128  # whole feeds
EVENT_SIZE = 10_000  # single events (about 500 bytes each)
_entries: OrderedDict = OrderedDict()
_events: OrderedDict = OrderedDict()
_lock = threading.Lock()


def key(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def get_or_render(cache_key: str, render):
    """(body, etag, changed) for the key, rendering with `render()` -> (body, changed) when new."""
    with _lock:
        found = _entries.get(cache_key)
        if found is not None:
            _entries.move_to_end(cache_key)
            return found
    body, changed = render()
    found = (body, hashlib.sha256(body).hexdigest(), changed)
    with _lock:
        _entries[cache_key] = found
        while len(_entries) > SIZE:
            _entries.popitem(last=False)
    return found


def events(keys: list[str], render_missing) -> list:
    """The cached value of each event key; `render_missing(missing_keys)` -> {key: value} for the rest."""
    with _lock:
        found = {k: _events[k] for k in keys if k in _events}
        for k in found:
            _events.move_to_end(k)
    missing = [k for k in keys if k not in found]
    if missing:
        made = render_missing(missing)
        with _lock:
            for k, value in made.items():
                _events[k] = value
            while len(_events) > EVENT_SIZE:
                _events.popitem(last=False)
        found.update(made)
    return [found[k] for k in keys]


def clear() -> None:
    with _lock:
        _entries.clear()
        _events.clear()
