"""A network's public map: its venues and its companies (those that did not untick it) at their commune,
on the département map, with the list beside it. Opened by the network's coordination; nothing personal
on it (names of organisations, their commune, disciplines and kinds of venue)."""

import math
from dataclasses import dataclass

from sqlalchemy import exists, select

from crm.base.enums import Discipline
from crm.base.extensions import db
from crm.contacts.models import Organisation, OrganisationKind, StructureType
from crm.impact import maps, projection
from crm.networks.models import Network
from crm.showcase.models import EditionVenue, Show
from crm.territory import communes

PER_PAGE = 50
COMPANY, VENUE = "company", "venue"


@dataclass(frozen=True)
class Place:
    kind: str  # COMPANY or VENUE
    name: str
    commune: str  # the commune's name, else the town as typed
    departement: str | None
    detail: tuple  # a company's disciplines (of its shows); a venue's structure type
    point: tuple[float, float] | None  # on the map; None when the commune is unknown


@dataclass(frozen=True)
class Page:
    """One page of the list, shaped as the pagination macro reads it."""

    items: list
    page: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def published(slug: str) -> Network | None:
    """The network whose coordination opened its map, None otherwise (the page answers 404)."""
    return db.session.scalar(select(Network).where(Network.slug == slug, Network.public_map.is_(True)))


def set_published(network: Network, published_: bool) -> None:
    network.public_map = bool(published_)


def _on_map(network_id):
    """Companies that stay on the map, and venues (structures marked as such, or that took part in an
    edition as one), of one network."""
    company = (Organisation.kind == OrganisationKind.COMPANY) & Organisation.on_public_map.is_(True)
    hosted = exists().where(EditionVenue.venue_id == Organisation.id)
    venue = (Organisation.kind == OrganisationKind.STRUCTURE) & (Organisation.is_venue.is_(True) | hosted)
    return (Organisation.network_id == network_id) & (company | venue)


def departements(network_id: int) -> list[str]:
    """The départements where the network has a place on its map (for the filter)."""
    rows = db.session.scalars(
        select(Organisation.departement_code)
        .where(_on_map(network_id), Organisation.departement_code.is_not(None))
        .distinct()
    )
    return sorted(rows)


def places(network_id: int, *, discipline: Discipline | None = None, departement: str | None = None):
    """Every place of the network's map, by name: companies (with a show in `discipline` when given) and
    venues (left out when a discipline is chosen: a venue has none). Two statements whatever the size."""
    query = select(
        Organisation.id, Organisation.kind, Organisation.name, Organisation.commune_code, Organisation.city,
        Organisation.departement_code, Organisation.structure_type,
    ).where(_on_map(network_id))  # fmt: skip
    if departement:
        query = query.where(Organisation.departement_code == departement)
    if discipline is not None:
        query = query.where(
            Organisation.kind == OrganisationKind.COMPANY,
            exists().where(Show.company_id == Organisation.id, Show.discipline == discipline),
        )
    rows = db.session.execute(query.order_by(Organisation.name, Organisation.id)).all()
    disciplines: dict[int, list[Discipline]] = {}
    companies = [row.id for row in rows if row.kind == OrganisationKind.COMPANY]
    if companies:
        found = db.session.execute(
            select(Show.company_id, Show.discipline)
            .where(Show.network_id == network_id, Show.company_id.in_(companies))
            .distinct()
        )
        for company_id, found_discipline in found:
            disciplines.setdefault(company_id, []).append(found_discipline)
    return [_place(row, disciplines) for row in rows]


def _place(row, disciplines) -> Place:
    commune = communes.get(row.commune_code)
    if row.kind == OrganisationKind.COMPANY:
        kind = COMPANY
        detail = tuple(sorted(disciplines.get(row.id, ()), key=list(Discipline).index))
    else:
        kind, detail = VENUE, ((row.structure_type or StructureType.OTHER),)
    return Place(
        kind=kind,
        name=row.name,
        commune=commune.name if commune else (row.city or ""),
        departement=commune.departement if commune else row.departement_code,
        detail=detail,
        point=projection.place(row.commune_code),
    )


@dataclass(frozen=True)
class Frame:
    """The part of the map shown: the places with a margin, the whole map's proportions; `scale` (≤ 1)
    keeps points and outlines the same size on screen however far the map is zoomed."""

    x: float
    y: float
    width: float
    height: float
    scale: float

    @property
    def view_box(self) -> str:
        return f"{self.x:.1f} {self.y:.1f} {self.width:.1f} {self.height:.1f}"


MARGIN, SMALLEST = 45.0, 180.0  # SVG units: a département is 30 to 60 wide


def frame(found: list[Place], view_box: str) -> Frame:
    """Zoomed onto the places (a regional network sees its region), never beyond the whole map."""
    left, top, full_w, full_h = (float(n) for n in view_box.split())
    points = [p.point for p in found if p.point]
    if not points:
        return Frame(left, top, full_w, full_h, 1.0)
    xs, ys = [x for x, _ in points], [y for _, y in points]
    width = max(max(xs) - min(xs) + 2 * MARGIN, SMALLEST)
    height = max(max(ys) - min(ys) + 2 * MARGIN, SMALLEST)
    ratio = full_w / full_h
    width, height = max(width, height * ratio), max(height, width / ratio)
    if width > 0.8 * full_w:  # hardly closer: the whole map
        return Frame(left, top, full_w, full_h, 1.0)
    x = min(max((min(xs) + max(xs) - width) / 2, left), left + full_w - width)
    y = min(max((min(ys) + max(ys) - height) / 2, top), top + full_h - height)
    return Frame(x, y, width, height, width / full_w)


def outlines(shown: Frame) -> list[dict]:
    """The départements' paths that a frame shows (a zoomed map sends only those, not all 96)."""
    right, bottom = shown.x + shown.width, shown.y + shown.height
    boxes = projection.bounds()
    return [
        d for d in maps.coloured({})
        if boxes[d["code"]][0] <= right and boxes[d["code"]][2] >= shown.x
        and boxes[d["code"]][1] <= bottom and boxes[d["code"]][3] >= shown.y
    ]  # fmt: skip


def labels(shown: Frame) -> list[tuple[str, float, float]]:
    """(code, x, y) of the départements whose centre is in a zoomed frame, to tell where the map is; none
    on the whole map (96 codes would hide the points)."""
    if shown.scale == 1.0:
        return []
    return [
        (code, round(x, 1), round(y, 1))
        for code, (x, y) in sorted(projection.centroids().items())
        if shown.x <= x <= shown.x + shown.width and shown.y <= y <= shown.y + shown.height
    ]


def page_of(found: list[Place], page: int) -> Page:
    """The list's page (the map shows every place; the list beside it, PER_PAGE at a time)."""
    page = max(1, page)
    return Page(items=found[(page - 1) * PER_PAGE : page * PER_PAGE], page=page, total=len(found))
