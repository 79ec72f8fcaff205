"""Where an organisation is: its commune, chosen from its postcode and town, and the département that
follows from it. One set of rules for the forms, the import and the API."""

from dataclasses import dataclass

from flask_babel import gettext as _

from crm.base.geo import departement
from crm.territory import communes
from crm.territory.communes import Commune


@dataclass
class Place:
    commune: Commune | None
    # The communes the postcode covers, when the town does not say which (the form asks)
    choices: tuple[Commune, ...] = ()
    problem: str | None = None
    field: str | None = None


def _names(found) -> str:
    names = [c.name for c in found[:6]]
    return ", ".join(names) + ("…" if len(found) > 6 else "")


def locate(
    postcode: str | None, town: str | None, chosen: str | None = None, dep: str | None = None
) -> Place:
    """The commune a postcode and a town mean (or the one chosen among the postcode's), or why not."""
    postcode = (postcode or "").strip().replace(" ", "")
    if not postcode:
        return Place(None)
    candidates = communes.for_postcode(postcode)
    if not candidates:
        return Place(None, problem=_("Code postal inconnu : %(v)s.", v=postcode), field="postcode")
    # a commune chosen for another postcode (the postcode was changed since) no longer counts
    commune = communes.get(chosen)
    found = (commune,) if commune in candidates else communes.match(postcode, town)
    if not found:
        message = _(
            "« %(town)s » n'a pas le code postal %(postcode)s (%(names)s) : "
            "corrigez la ville ou le code postal.",
            town=town, postcode=postcode, names=_names(candidates),
        )  # fmt: skip
        return Place(None, candidates, message, "city")
    if len(found) > 1:
        return Place(None, found, _(
            "Le code postal %(postcode)s couvre plusieurs communes : choisissez la vôtre.", postcode=postcode
        ), "commune_code")  # fmt: skip
    commune = found[0]
    if dep and dep != commune.departement:
        known = departement(commune.departement)
        label = known.label if known else commune.departement
        message = _(
            "%(commune)s (%(postcode)s) est dans le département %(label)s, pas dans le %(dep)s.",
            commune=commune.name, postcode=postcode, label=label, dep=dep,
        )  # fmt: skip
        return Place(None, candidates, message, "departement_code")
    return Place(commune)


def commune_choices(postcode: str | None) -> list[tuple[str, str]]:
    """(INSEE code, 'Name (code)') of the communes a postcode covers, for a form's choice."""
    return [(c.code, f"{c.name} ({c.code})") for c in communes.for_postcode(postcode)]
