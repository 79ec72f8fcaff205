"""The official numbers of French companies and venues, checked where they are typed, stored normalised and
shown formatted: SIRET (python-stdnum, with La Poste's exception), APE/NAF code, intra-EU VAT number and the
licence d'entrepreneur de spectacles vivants.

A licence number today is a récépissé of the PLATESV platform, `PLATESV-D-AAAA-NNNNNN` (D: first
declaration) or `PLATESV-R-AAAA-NNNNNN` (R: renewal), which may be abbreviated `L-D-AA-N`; it does not say
its category (1 venue, 2 producer, 3 presenter), which is given beside it (or typed before it, « 2-PLATESV… »,
as the récépissé prints it). Licences granted before the October 2019 reform read `2-1051234`: they are still
typed, recognised and kept, but they have all expired, so they do not count as a licence in force.
"""

import re
from datetime import date

from flask_babel import gettext as _
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from crm.base.errors import DomainError
from crm.base.timeutil import today_local

LICENCE_CATEGORIES = (1, 2, 3)
LICENCE_YEARS = 5  # a récépissé is valid five years, then renewed (« R »)
FIRST_PLATESV_YEAR = 2019  # the platform opened on 1 October 2019

_CURRENT = re.compile(r"^(?:([123])-)?PLATESV-([DR])-(\d{4})-(\d{1,8})$")
_SHORT = re.compile(r"^(?:([123])-)?L-([DR])-(\d{2})-(\d{1,8})$")
_OLD = re.compile(r"^L?\.?([123])-(\d{5,7})$")
_APE = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")
_NOISE = re.compile(r"^(?:N[°O]|NUM[EÉ]RO|LICENCE|CAT[EÉ]GORIE|CAT)\.?\s*:?\s*", re.IGNORECASE)


def _digits(raw: str) -> str:
    return re.sub(r"[\s.\-/]", "", raw)


def siret(raw: str | None, field: str = "siret") -> str | None:
    """The 14 digits of a SIRET typed with or without spaces; DomainError saying what is wrong."""
    raw = (raw or "").strip()
    if not raw:
        return None
    number = _digits(raw)
    if not number.isdigit():
        raise DomainError(_("Un SIRET ne contient que des chiffres."), field=field)
    if len(number) == 9:
        raise DomainError(
            _("C'est un SIREN (9 chiffres) : ajoutez les 5 chiffres de l'établissement pour faire le SIRET."),
            field=field,
        )
    if len(number) != 14:
        raise DomainError(_("Un SIRET a 14 chiffres (ici %(n)d).", n=len(number)), field=field)
    if not fr_siret.is_valid(number):
        raise DomainError(
            _("Ce SIRET n'existe pas : un chiffre est faux ou deux sont inversés."),
            field=field,
        )
    return number


def siret_display(number: str | None) -> str | None:
    """« 732 829 320 00074 »: the SIREN by threes, then the establishment's five digits."""
    return fr_siret.format(number, separator="\u00a0") if number else None


def ape(raw: str | None, field: str = "ape_code") -> str | None:
    """A NAF (rév. 2) code as INSEE writes it, « 90.01Z », from « 9001z », « 90 01 Z »…"""
    raw = (raw or "").strip()
    if not raw:
        return None
    found = _APE.match(re.sub(r"\s", "", raw).upper())
    if not found:
        raise DomainError(
            _("Un code APE s'écrit avec 4 chiffres et une lettre : par exemple 90.01Z."),
            field=field,
        )
    return f"{found[1]}.{found[2]}{found[3]}"


def vat(raw: str | None, field: str = "vat_number", *, siret_number: str | None = None) -> str | None:
    """An intra-EU VAT number, compact (« FR40303265045 »). A French one must belong to the SIREN of the
    SIRET given with it. Eleven digits alone are taken as a French number."""
    raw = (raw or "").strip()
    if not raw:
        return None
    number = _digits(raw).upper()
    if number.isdigit() and len(number) == 11:
        number = "FR" + number
    if len(number) < 4 or not number[:2].isalpha():
        raise DomainError(
            _("Un n° de TVA intracommunautaire commence par le code du pays (FR pour la France)."),
            field=field,
        )
    if number[:2].lower() not in eu_vat.MEMBER_STATES | {"el"}:
        raise DomainError(
            _("« %(code)s » n'est pas un pays de l'Union européenne.", code=number[:2]), field=field
        )
    try:
        number = eu_vat.validate(number)
    except InvalidLength:
        raise DomainError(_("Ce n° de TVA n'a pas la bonne longueur pour son pays."), field=field) from None
    except InvalidChecksum:
        raise DomainError(
            _("Ce n° de TVA n'existe pas : un chiffre est faux ou deux sont inversés."),
            field=field,
        ) from None
    except ValidationError:
        raise DomainError(_("Ce n° de TVA n'a pas la forme attendue pour son pays."), field=field) from None
    if number.startswith("FR") and siret_number and number[4:] != siret_number[:9]:
        raise DomainError(
            _("Ce n° de TVA est celui du SIREN %(siren)s, pas celui du SIRET (%(own)s).",
              siren=fr_siren.format(number[4:], "\u00a0"), own=fr_siren.format(siret_number[:9], "\u00a0")),
            field=field,
        )  # fmt: skip
    return number


def vat_display(number: str | None) -> str | None:
    """« FR 40 303 265 045 » for a French number; others as they are."""
    if not number:
        return None
    if number.startswith("FR") and len(number) == 13:
        return "\u00a0".join((number[:2], number[2:4], number[4:7], number[7:10], number[10:]))
    return number


def licence(raw: str | None, category: int | None = None, field: str = "licence") -> tuple | None:
    """(category, number) of a licence typed in any of its forms; the category typed before the number
    must agree with the one expected. None for an empty entry."""
    raw = (raw or "").strip()
    if not raw:
        return None
    text = raw.upper()
    while _NOISE.match(text):
        text = _NOISE.sub("", text, count=1)
    for candidate in (re.sub(r"\s*[-–‑_/]\s*|\s+", "-", text), re.sub(r"\s+", "", text)):
        if found := _CURRENT.match(candidate):
            typed, letter, year, serial = found[1], found[2], int(found[3]), found[4]
            break
        if found := _SHORT.match(candidate):
            typed, letter, year, serial = found[1], found[2], 2000 + int(found[3]), found[4]
            break
        if found := _OLD.match(candidate):
            return _agreeing(int(found[1]), category, field), f"{found[1]}-{found[2]}"
    else:
        raise DomainError(
            _("Numéro de licence non reconnu : il s'écrit PLATESV-R-2024-001234 (ou en abrégé L-R-24-1234)."),
            field=field,
        )
    if not FIRST_PLATESV_YEAR <= year <= today_local().year:
        raise DomainError(
            _(
                "L'année %(year)d ne convient pas : un récépissé PLATESV date de %(first)d à %(now)d.",
                year=year,
                first=FIRST_PLATESV_YEAR,
                now=today_local().year,
            ),
            field=field,
        )
    number = f"PLATESV-{letter}-{year}-{int(serial):06d}"
    return _agreeing(int(typed) if typed else None, category, field), number


def _agreeing(typed: int | None, expected: int | None, field: str) -> int | None:
    if typed and expected and typed != expected:
        raise DomainError(
            _("Ce numéro est celui d'une licence de catégorie %(typed)d, pas %(expected)d.",
              typed=typed, expected=expected),
            field=field,
        )  # fmt: skip
    return typed or expected


def is_old_licence(number: str | None) -> bool:
    return bool(number) and not number.startswith("PLATESV-")


def licence_in_force(number: str | None, today: date) -> bool:
    """A récépissé of the platform less than five years old (by its year: the day is not in the number);
    licences of the former regime have all expired."""
    if not number or is_old_licence(number):
        return False
    return int(number.split("-")[2]) + LICENCE_YEARS >= today.year


def demo_siret(base: int) -> str:
    """A well-formed SIRET for the demo: SIREN from `base` (8 digits and its key), head office 0001."""
    siren = f"{base:08d}"[:8]
    siren += luhn.calc_check_digit(siren)
    start = siren + "0001"
    return start + luhn.calc_check_digit(start)
