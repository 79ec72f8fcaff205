"""A deterministic synthetic federation for benchmarks: bulk inserts, no per-row ORM work.

It grows with the model: a feature that adds tables adds its rows here.
"""

import enum
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from crm.accounts.models import Role, User
from crm.accounts.services import hash_password
from crm.base.database import search_key, utcnow
from crm.base.enums import Audience, Discipline
from crm.base.extensions import db
from crm.base.geo import departements
from crm.checkin.models import Attendance
from crm.contacts.models import (
    LawfulBasis,
    Organisation,
    OrganisationKind,
    Programmer,
    ProgrammerDiscipline,
    StructureType,
)
from crm.demo import data
from crm.federation import snapshots
from crm.federation.models import BarometerConsent
from crm.followups.messages import DEFAULT_STEPS
from crm.followups.models import (
    Action,
    Answer,
    Choice,
    Enrolment,
    Interaction,
    InteractionKind,
    Path,
    Result,
    RunState,
    Sequence,
    Step,
    StepKind,
    StepRun,
    Task,
)
from crm.impact.models import Outcome, OutcomeDate, OutcomeKind, OutcomeStatus
from crm.impact.travel import measure_footprints
from crm.networks.models import Network
from crm.showcase.models import (
    Assignment,
    Edition,
    EditionStatus,
    EditionVenue,
    Registration,
    RegistrationStatus,
    Show,
    ShowFormat,
    Slot,
    SlotStatus,
)
from crm.territory import communes

SEED = 1789
BATCH = 5000
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
STRUCTURE_TYPES = list(StructureType)


@dataclass(frozen=True)
class Scale:
    networks: int
    editions: int
    companies: int
    structures: int
    programmers: int


SCALES = {
    "national": Scale(networks=30, editions=300, companies=3000, structures=6000, programmers=30000),
    "small": Scale(networks=3, editions=30, companies=300, structures=600, programmers=3000),
    "tiny": Scale(networks=2, editions=4, companies=20, structures=20, programmers=100),
}
GENERATED_TABLES = [
    Network,
    Organisation,
    User,
    Show,
    Programmer,
    ProgrammerDiscipline,
    Edition,
    EditionVenue,
    Registration,
    Slot,
    Assignment,
    Attendance,
    Sequence,
    Step,
    Enrolment,
    StepRun,
    Task,
    Answer,
    Interaction,
    Outcome,
    OutcomeDate,
]
PRESENT_PER_SLOT = 21  # programmers checked in at each assigned slot: 4,800 slots give about 100,000 rows
PER_EDITION = 20  # registrations, slots and (for held editions) assignments per edition


def _bulk(model, rows) -> int:
    """Write rows fast: PostgreSQL's COPY, else batched executemany."""
    if not rows:
        return 0
    if db.session.connection().dialect.name == "postgresql":
        _copy(model.__table__, rows)
        return len(rows)
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start : start + BATCH])
    return len(rows)


def _copy(table, rows: list[dict]) -> None:
    """COPY bypasses SQLAlchemy: the columns' Python-side defaults are filled here, as INSERT would."""
    columns = list(rows[0])
    defaults = {}
    for column in table.columns:
        if column.name not in columns and column.default is not None:
            value = column.default.arg
            defaults[column.name] = value(None) if callable(value) else value
    names = ", ".join(f'"{name}"' for name in [*columns, *defaults])  # quoted: "on" is a keyword
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:  # our own table and column names
        for row in rows:
            copy.write_row(
                [_plain(row.get(column)) for column in columns] + [_plain(v) for v in defaults.values()]
            )
    cursor.close()


def _plain(value):
    """As the column types would bind it: enums by value, instants as naive UTC (UTCDateTime)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _spread(total, parts, index):
    """How many of `total` items fall to part `index` when spread evenly over `parts`."""
    return total // parts + (1 if index < total % parts else 0)


def generate(scale: Scale, today: date) -> dict[str, int]:
    """Fill an empty database with the federation; returns the row count of each table."""
    rng = random.Random(SEED)
    codes = list(departements())
    counts = dict.fromkeys([m.__tablename__ for m in GENERATED_TABLES], 0)
    ids = dict.fromkeys(
        ["org", "programmer", "show", "edition", "user", "registration", "slot", "assignment", "attendance",
         "sequence", "step", "enrolment", "run", "task", "answer", "interaction", "outcome", "outcome_date"],
        0,
    )  # fmt: skip
    password = hash_password(data.PASSWORD)
    for n in range(1, scale.networks + 1):
        counts["networks"] += _bulk(
            Network, [{"id": n, "name": f"Réseau {n:02d}", "slug": f"reseau-{n:02d}", "created_at": CREATED}]
        )
        local = [rng.choice(codes) for _ in range(4)]
        structures = _structures(rng, n, _spread(scale.structures, scale.networks, n - 1), local, ids)
        companies = _companies(rng, n, _spread(scale.companies, scale.networks, n - 1), local, ids)
        counts["organisations"] += _bulk(Organisation, structures + companies)
        shows = _shows(rng, n, companies, ids)
        counts["shows"] += _bulk(Show, shows)
        people, interests = _programmers(
            rng, n, _spread(scale.programmers, scale.networks, n - 1), structures, ids
        )
        counts["programmers"] += _bulk(Programmer, people)
        counts["programmer_disciplines"] += _bulk(ProgrammerDiscipline, interests)
        counts["users"] += _bulk(User, _users(n, companies, password, ids))
        editions = _editions(n, _spread(scale.editions, scale.networks, n - 1), today, ids)
        counts["editions"] += _bulk(Edition, editions)
        venues = [s for s in structures if s["is_venue"]][:3]
        for edition in editions:
            planned = _programme(edition, venues, companies, shows, ids)
            for model, rows in zip((EditionVenue, Registration, Slot, Assignment), planned, strict=True):
                counts[model.__tablename__] += _bulk(model, rows)
            present = _attendances(rng, planned[3], people, ids)
            counts["attendances"] += _bulk(Attendance, present)
            if present:
                tables = [
                    *_followup(rng, edition, present, planned, today, ids),
                    *_outcomes(rng, edition, present, planned, people, codes, ids),
                ]
                models = (Sequence, Step, Enrolment, StepRun, Task, Answer, Interaction, Outcome, OutcomeDate)
                for model, rows in zip(models, tables, strict=True):
                    counts[model.__tablename__] += _bulk(model, rows)
    for table, count in _barometer(scale, password, ids).items():
        counts[table] = counts.get(table, 0) + count
    _reset_sequences()
    db.session.execute(text("ANALYZE"))  # fresh planner statistics for a million new rows
    counts["barometer_figures"] = snapshots.refresh_due(now=utcnow(), years_at_most=None)  # as the tick would
    return counts


def _structures(rng, network_id, count, local, ids):
    rows = []
    for i in range(count):
        ids["org"] += 1
        town = f"Ville {rng.randint(1, 400)}"
        kind = STRUCTURE_TYPES[i % len(STRUCTURE_TYPES)]
        name = f"{kind.label} {network_id}-{i + 1}"
        rows.append(
            _organisation(
                ids["org"],
                network_id,
                OrganisationKind.STRUCTURE,
                name,
                town,
                rng.choice(local),
                structure_type=kind,
                is_venue=i % 5 == 0,
            )
        )
    return rows


def _companies(rng, network_id, count, local, ids):
    rows = []
    for i in range(count):
        ids["org"] += 1
        town = f"Ville {rng.randint(1, 400)}"
        row = _organisation(
            ids["org"],
            network_id,
            OrganisationKind.COMPANY,
            f"Compagnie {network_id}-{i + 1}",
            town,
            rng.choice(local),
            structure_type=None,
            is_venue=False,
        )
        row["member_since"] = date(2010 + i % 16, 1 + i % 12, 1)
        rows.append(row)
    return rows


def _organisation(org_id, network_id, kind, name, town, code, **extra):
    # a real commune of the département (one of its 40 largest), so that travel is measured at scale
    around = communes.in_departement(code)[:40]
    commune = around[org_id % len(around)] if around else None
    town = commune.name if commune else town
    return {
        "id": org_id,
        "network_id": network_id,
        "kind": kind,
        "name": name,
        "city": town,
        "postcode": commune.postcodes[0] if commune and commune.postcodes else None,
        "commune_code": commune.code if commune else None,
        "departement_code": code,
        "address": f"{org_id % 120 + 1} rue de la Gare",
        "search_key": search_key(name, town),
        "created_at": CREATED,
        **extra,
    }


def _shows(rng, network_id, companies, ids):
    rows = []
    for company in companies:
        for k in range(1 + company["id"] % 2):
            ids["show"] += 1
            young = rng.random() < 0.5
            rows.append(
                {
                    "id": ids["show"],
                    "network_id": network_id,
                    "company_id": company["id"],
                    "title": f"{rng.choice(data.SHOW_WORDS)} {rng.choice(data.SHOW_NOUNS)} {k + 1}",
                    "discipline": rng.choice(list(Discipline)),
                    "audience": Audience.YOUNG if young else Audience.ALL,
                    "min_age": 6 if young else None,
                    "duration_minutes": rng.choice([35, 50, 60, 75]),
                    "cast_size": rng.randint(1, 6),
                    "setup_minutes": 60,
                    "strike_minutes": 30,
                    "video_url": None,
                    "summary": None,
                    "created_at": CREATED,
                }
            )
    return rows


def _programmers(rng, network_id, count, structures, ids):
    people, interests = [], []
    for i in range(count):
        ids["programmer"] += 1
        structure = rng.choice(structures)
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        email = f"p{ids['programmer']}@reseau{network_id}.example"
        people.append(
            {
                "id": ids["programmer"],
                "network_id": network_id,
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": None,
                "organisation_id": structure["id"],
                "job_title": rng.choice(data.JOBS),
                "departement_code": structure["departement_code"],
                "wants_young": i % 2 == 0,
                "wants_all": i % 3 != 0,
                "lawful_basis": LawfulBasis.LEGITIMATE_INTEREST,
                "source": "Jeu de données de mesure",
                "created_by_id": None,
                "created_at": CREATED,
                "opted_out_at": None,
                "search_key": search_key(first, last, email, structure["name"], structure["city"]),
            }
        )
        for discipline in rng.sample(list(Discipline), 2):
            interests.append({"programmer_id": ids["programmer"], "discipline": discipline})
    return people, interests


def _users(network_id, companies, password, ids):
    def user(email, role, company_id=None):
        ids["user"] += 1
        return {
            "id": ids["user"],
            "email": email,
            "full_name": email.split("@")[0],
            "password_hash": password,
            "role": role,
            "network_id": network_id,
            "company_id": company_id,
            "locale": "fr",
            "active": True,
            "created_at": CREATED,
            "password_changed_at": CREATED,
        }

    rows = [user(f"coordination@reseau-{network_id:02d}.example", Role.COORDINATOR)]
    rows += [
        user(f"membre{c['id']}@reseau-{network_id:02d}.example", Role.MEMBER, c["id"]) for c in companies
    ]
    return rows


def _editions(network_id, count, today, ids):
    rows = []
    for k in range(count):
        ids["edition"] += 1
        # the last edition is upcoming, the one before is the latest held: every scale has both
        start = today + timedelta(days=120 * (k - count + 2) - 60)
        status = EditionStatus.HELD if start < today else EditionStatus.DRAFT
        rows.append(
            {
                "id": ids["edition"],
                "network_id": network_id,
                "name": f"Édition {k + 1}",
                "slug": f"reseau-{network_id:02d}-edition-{k + 1}",
                "starts_on": start,
                "ends_on": start + timedelta(days=1),
                "status": status,
                "description": None,
                "created_at": CREATED,
                "published_at": CREATED if status == EditionStatus.HELD else None,
            }
        )
    return rows


def _programme(edition, venues, companies, shows, ids):
    """Venues, accepted registrations and slots of an edition; held editions have their assignments."""
    first_show = {}
    for show in shows:
        first_show.setdefault(show["company_id"], show)
    links = [{"edition_id": edition["id"], "venue_id": v["id"], "host_company_id": None} for v in venues]
    registrations, slots, assignments = [], [], []
    for k, company in enumerate(companies[:PER_EDITION]):
        ids["registration"] += 1
        ids["slot"] += 1
        show = first_show[company["id"]]
        registrations.append(
            {
                "id": ids["registration"],
                "edition_id": edition["id"],
                "company_id": company["id"],
                "show_id": show["id"],
                "format": ShowFormat.FULL,
                "status": RegistrationStatus.ACCEPTED,
                "cast_size": show["cast_size"],
                "setup_minutes": 20,
                "strike_minutes": 15,
                "needs_blackout": False,
                "max_slots": 1,
                "created_at": CREATED,
                "updated_at": CREATED,
            }
        )
        starts = datetime.combine(edition["starts_on"], datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=8 + 3 * (k // len(venues)) % 14, days=k // 15 % 2
        )
        slots.append(
            {
                "id": ids["slot"],
                "edition_id": edition["id"],
                "venue_id": venues[k % len(venues)]["id"],
                "band_id": None,
                "format": ShowFormat.FULL,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "status": SlotStatus.PLANNED,
                "sequence": 0,
                "updated_at": CREATED,
            }
        )
        if edition["status"] == EditionStatus.HELD:
            ids["assignment"] += 1
            assignments.append(
                {
                    "id": ids["assignment"],
                    "slot_id": ids["slot"],
                    "registration_id": ids["registration"],
                    "created_at": CREATED,
                }
            )
    return links, registrations, slots, assignments


def _attendances(rng, assignments, people, ids):
    rows = []
    for assignment in assignments:
        for person in rng.sample(people, min(PRESENT_PER_SLOT, len(people))):
            ids["attendance"] += 1
            rows.append(
                {
                    "id": ids["attendance"],
                    "slot_id": assignment["slot_id"],
                    "programmer_id": person["id"],
                    "checked_in_by_id": None,
                    "checked_in_at": CREATED,
                }
            )
    return rows


def _followup(rng, edition, present, planned, today, ids):
    """A held edition's shared follow-up, launched: everyone present enrolled, the steps already due
    done (messages logged on the timeline), company tasks (half done, with a result), some answers."""
    _links, registrations, slots, assignments = planned
    company_of_slot = {
        a["slot_id"]: r["company_id"]
        for a in assignments
        for r in registrations
        if r["id"] == a["registration_id"]
    }
    show_of_company = {r["company_id"]: r["show_id"] for r in registrations}
    ended = datetime.combine(edition["ends_on"], datetime.min.time(), tzinfo=UTC)
    ids["sequence"] += 1
    sequence = {
        "id": ids["sequence"],
        "edition_id": edition["id"],
        "max_calls_per_week": 2,
        "activated_at": ended + timedelta(days=1),
        "created_at": CREATED,
    }
    steps = []
    for template in DEFAULT_STEPS:
        ids["step"] += 1
        steps.append({"id": ids["step"], "sequence_id": sequence["id"], "action": None, **template})
    seen = {}
    for row in present:
        seen.setdefault(row["programmer_id"], []).append(company_of_slot[row["slot_id"]])
    enrolments, runs, tasks, answers, interactions = [], [], [], [], []

    def interaction(person, kind, when, company=None, result=None, summary=""):
        ids["interaction"] += 1
        interactions.append(
            {
                "id": ids["interaction"],
                "network_id": edition["network_id"],
                "programmer_id": person,
                "company_id": company,
                "user_id": None,
                "edition_id": edition["id"],
                "kind": kind,
                "result": result,
                "summary": summary,
                "private": False,
                "occurred_at": when,
                "created_at": when,
            }
        )

    for person, companies in seen.items():
        ids["enrolment"] += 1
        enrolment = ids["enrolment"]
        answered = rng.random() < 0.2
        enrolments.append(
            {
                "id": enrolment,
                "sequence_id": sequence["id"],
                "programmer_id": person,
                "path": Path.ATTENDED,
                "enrolled_at": sequence["activated_at"],
                "answered_at": ended + timedelta(days=3) if answered else None,
                "stopped_at": None,
                "stop_reason": None,
            }
        )
        for step in steps:
            if step["path"] != Path.ATTENDED:
                continue
            ids["run"] += 1
            due = ended + timedelta(days=step["offset_days"], hours=8)
            done = due.date() < today
            runs.append(
                {
                    "id": ids["run"],
                    "step_id": step["id"],
                    "enrolment_id": enrolment,
                    "due_at": due,
                    "state": RunState.DONE if done else RunState.PENDING,
                    "message_id": f"<gen-{ids['run']}@bench>",
                    "claimed_by": None,
                    "done_at": due if done else None,
                    "note": None,
                }
            )
            if not done:
                continue
            if step["kind"] == StepKind.MESSAGE:
                interaction(person, InteractionKind.MESSAGE, due, summary=step["title"])
            elif step["kind"] == StepKind.COMPANY_TASK:
                for company in dict.fromkeys(companies):
                    ids["task"] += 1
                    finished = rng.random() < 0.5
                    result = rng.choice(list(Result)) if finished else None
                    tasks.append(
                        {
                            "id": ids["task"],
                            "network_id": edition["network_id"],
                            "edition_id": edition["id"],
                            "enrolment_id": enrolment,
                            "step_run_id": ids["run"],
                            "programmer_id": person,
                            "company_id": company,
                            "assignee_id": None,
                            "action": step["action"] or Action.CALL,
                            "title": step["title"],
                            "due_on": due.date(),
                            "done_at": due if finished else None,
                            "done_by_id": None,
                            "result": result,
                            "result_note": None,
                            "created_at": due,
                        }
                    )
                    if finished:
                        interaction(person, InteractionKind.CALL, due, company, result, step["title"])
        if answered:
            company = companies[0]
            ids["answer"] += 1
            answers.append(
                {
                    "id": ids["answer"],
                    "enrolment_id": enrolment,
                    "show_id": show_of_company[company],
                    "company_id": company,
                    "choice": rng.choice(list(Choice)),
                    "answered_at": ended + timedelta(days=3),
                }
            )
            interaction(person, InteractionKind.ANSWER, ended + timedelta(days=3), company)
    return [sequence], steps, enrolments, runs, tasks, answers, interactions


OUTCOME_SHARE = 0.53  # of the people present: about 50,000 outcomes at national scale
STATUSES = (
    [OutcomeStatus.CONFIRMED] * 12
    + [OutcomeStatus.OPTION] * 5
    + [OutcomeStatus.CANCELLED] * 2
    + [OutcomeStatus.DRAFT]
)


def _outcomes(rng, edition, present, planned, people, codes, ids):
    """Bookings that came out of the edition: some people present book one of the shows they saw."""
    _links, registrations, _slots, assignments = planned
    registration_of_slot = {a["slot_id"]: a["registration_id"] for a in assignments}
    by_id = {r["id"]: r for r in registrations}
    organisation = {p["id"]: p["organisation_id"] for p in people}
    seen = {}
    for row in present:
        seen.setdefault(row["programmer_id"], by_id[registration_of_slot[row["slot_id"]]])
    outcomes, dates = [], []
    for person, registration in seen.items():
        if rng.random() >= OUTCOME_SHARE:
            continue
        ids["outcome"] += 1
        status = rng.choice(STATUSES)
        decided = edition["ends_on"] + timedelta(days=rng.randint(0, 300))
        outcomes.append(
            {
                "id": ids["outcome"],
                "network_id": edition["network_id"],
                "company_id": registration["company_id"],
                "show_id": registration["show_id"],
                "programmer_id": person,
                "organisation_id": organisation[person],
                "edition_id": edition["id"],
                "attribution_confirmed": rng.random() < 0.7,
                "kind": OutcomeKind.PERFORMANCES if rng.random() < 0.8 else rng.choice(list(OutcomeKind)),
                "status": status,
                "fee_per_performance": Decimal(rng.randrange(500, 3000, 50)),
                "currency": "EUR",
                "decided_on": decided,
                "logo_credited": rng.random() < 0.6,
                "note": None,
                "created_by_id": None,
                "created_at": CREATED,
                "updated_at": CREATED,
            }
        )
        for n in range(rng.randint(1, 3)):
            ids["outcome_date"] += 1
            dates.append(
                {
                    "id": ids["outcome_date"],
                    "outcome_id": ids["outcome"],
                    "on": decided + timedelta(days=60 + n),
                    "venue": None,
                    "town": None,
                    "departement_code": rng.choice(codes),
                }
            )
    return [outcomes, dates]


def _barometer(scale, password, ids) -> dict:
    """The federation: every network but one in ten shares all its figures; one federation account; the
    held editions' travel measured (as the nightly job would have)."""
    rows = [
        {"network_id": n, "since": date(2000, 1, 1), "activity": True, "follow_up": True, "bookings": True,
         "territory": True, "travel": True, "public": False, "updated_at": CREATED}
        for n in range(1, scale.networks + 1) if n % 10
    ]  # fmt: skip
    ids["user"] += 1
    federation = {"id": ids["user"], "email": "federation@vitrine.example", "full_name": "Fédération",
                  "password_hash": password, "role": Role.FEDERATION, "network_id": None,
                  "company_id": None, "locale": "fr", "active": True, "created_at": CREATED,
                  "password_changed_at": CREATED}  # fmt: skip
    held = db.session.scalars(select(Edition.id).where(Edition.status == EditionStatus.HELD)).all()
    measured = measure_footprints(held, now=CREATED)
    return {
        "barometer_consents": _bulk(BarometerConsent, rows),
        "users": _bulk(User, [federation]),
        "edition_footprints": measured,
    }


def _reset_sequences():
    """Explicit ids were inserted: move PostgreSQL's id sequences past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in GENERATED_TABLES:
        if "id" in model.__table__.c and model.__table__.c.id.autoincrement is not False:
            table = model.__tablename__
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )


def is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(Network)) == 0
