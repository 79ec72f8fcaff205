"""Executing the follow-up's due step rows (one of the jobs the scheduler's tick runs, see crm/scheduler.py).

A batch is claimed and executed in one transaction (PostgreSQL `FOR UPDATE SKIP LOCKED`, SQLite
`BEGIN IMMEDIATE`): its messages are queued in the outbox, its tasks created and its rows marked done
together, or not at all. Two workers take disjoint batches; a worker killed mid-batch leaves its rows
pending for the next tick. The number of queries per batch does not depend on its size.
"""

import logging
import os
import socket
from collections import Counter
from datetime import timedelta

from babel.dates import format_date
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select

from crm.base.database import claim_rows
from crm.base.extensions import db
from crm.base.links import external_url
from crm.base.phones import display_phone
from crm.base.timeutil import local
from crm.contacts.models import Programmer
from crm.followups import messages, services
from crm.followups.models import (
    Enrolment,
    Interaction,
    InteractionKind,
    PairStop,
    Path,
    RunState,
    Sequence,
    StepKind,
    StepRun,
    Task,
)
from crm.invitations.models import Invitation, InvitationShow
from crm.mail.rendering import designed, paragraph_blocks
from crm.mail.services import may_be_written_to, message_values, queue_many
from crm.networks.models import Network
from crm.showcase.models import Edition

log = logging.getLogger(__name__)

BATCH = 200
ENROL_WINDOW_DAYS = 120  # late attendance (a sheet typed up afterwards) is enrolled at the next tick


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def enrol_late(*, now) -> int:

    active = db.session.scalars(
        select(Sequence)
        .join(Edition, Edition.id == Sequence.edition_id)
        .where(
            Sequence.activated_at.is_not(None),
            Edition.ends_on >= (now - timedelta(days=ENROL_WINDOW_DAYS)).date(),
        )
    ).all()
    return sum(services.enrol(sequence, now=now) for sequence in active)


def run_batch(*, now, worker, limit=BATCH) -> Counter:
    """Claim up to `limit` due rows and execute them, in one transaction."""
    ids = claim_rows(
        StepRun,
        [StepRun.state == RunState.PENDING, StepRun.due_at <= now],
        [StepRun.due_at, StepRun.id],
        limit,
        {"claimed_by": worker},
    )
    counts = Counter()
    if not ids:
        db.session.commit()
        return counts
    runs = db.session.scalars(
        select(StepRun)
        .where(StepRun.id.in_(ids))
        .options(
            db.joinedload(StepRun.step),
            db.joinedload(StepRun.enrolment)
            .joinedload(Enrolment.programmer)
            .joinedload(Programmer.organisation),
            db.joinedload(StepRun.enrolment).joinedload(Enrolment.sequence).joinedload(Sequence.edition),
        )
        .order_by(StepRun.id)
    ).all()
    context = _BatchContext(runs)
    for run in runs:
        outcome = _execute(run, context, now=now)
        counts[outcome] += 1
    context.write()
    db.session.commit()
    log.info("worker %s ran %d step rows: %s", worker, len(runs), dict(counts))
    return counts


class _BatchContext:
    """Everything the batch needs, loaded with one query per kind of data."""

    def __init__(self, runs):

        enrolments = {r.enrolment.id: r.enrolment for r in runs}
        programmer_ids = {e.programmer_id for e in enrolments.values()}
        edition_ids = {e.sequence.edition_id for e in enrolments.values()}
        self.seen = services.shows_and_meetings(edition_ids, programmer_ids)  # shows seen, companies met
        missed = any(e.path == Path.MISSED for e in enrolments.values())
        self.programme = services.programme(edition_ids) if missed else {}
        all_rows = [row for rows in self.seen.values() for row in rows]
        all_rows += [row for rows in self.programme.values() for row in rows]
        self.in_charge = services.people_in_charge(all_rows)
        self.stopped_pairs = set(
            db.session.execute(
                select(PairStop.enrolment_id, PairStop.company_id).where(
                    PairStop.enrolment_id.in_(enrolments)
                )
            ).all()
        )
        self.interest = set(
            db.session.execute(
                select(Invitation.edition_id, Invitation.programmer_id, InvitationShow.show_id)
                .join(InvitationShow, InvitationShow.invitation_id == Invitation.id)
                .where(Invitation.edition_id.in_(edition_ids), Invitation.programmer_id.in_(programmer_ids))
            ).all()
        )
        self.company_tasks = Counter(
            (programmer_id, _week(due_on))
            for programmer_id, due_on in db.session.execute(
                select(Task.programmer_id, Task.due_on).where(
                    Task.programmer_id.in_(programmer_ids), Task.company_id.is_not(None)
                )
            ).all()
        )
        self.messages, self.tasks, self.interactions = [], [], []
        network_ids = {e.programmer.network_id for e in enrolments.values()}
        self.networks = {
            n.id: n for n in db.session.scalars(select(Network).where(Network.id.in_(network_ids)))
        }

    def write(self) -> None:
        """What the batch produced, one statement per table whatever the number of rows."""
        queue_many(self.messages)
        for model, rows in ((Task, self.tasks), (Interaction, self.interactions)):
            if rows:
                # render_nulls: rows with a None (a company with no one in charge) stay in the one
                # statement; without it the ORM splits the rows at each change of the keys they fill.
                db.session.execute(insert(model).execution_options(render_nulls=True), rows)

    def shows_for(self, enrolment) -> list:
        edition_id = enrolment.sequence.edition_id
        if enrolment.path == Path.ATTENDED:
            return self.seen.get((edition_id, enrolment.programmer_id), [])
        rows = self.programme.get(edition_id, [])
        wanted = [r for r in rows if (edition_id, enrolment.programmer_id, r.show_id) in self.interest]
        return wanted or rows


def _week(day):
    return day - timedelta(days=day.weekday())


def _execute(run, context, *, now) -> str:
    enrolment, step = run.enrolment, run.step
    person = enrolment.programmer
    run.done_at = now
    if enrolment.stopped_at is None and not may_be_written_to(person):
        reason = "opt_out" if person.opted_out_at else ("bounce" if person.bounced_at else "erased")
        services.stop_everything(enrolment, reason=reason, now=now)
    if enrolment.stopped_at is not None:
        return _skip(run, enrolment.stop_reason)
    if step.kind == StepKind.MESSAGE:
        if enrolment.answered_at is not None:
            return _skip(run, "answered")
        return _message(run, context, now=now)
    if step.kind == StepKind.COORDINATION_TASK:
        if enrolment.answered_at is not None:
            return _skip(run, "answered")
        edition = enrolment.sequence.edition
        context.tasks.append(
            _task(run, None, None, (edition.ends_on + timedelta(days=step.offset_days)), now)
        )
        run.state = RunState.DONE
        return "tasks"
    return _company_tasks(run, context, now=now)


def _skip(run, reason) -> str:
    run.state, run.note = RunState.SKIPPED, reason
    return "skipped"


def _task(run, company_id, assignee, due_on, now) -> dict:
    person = run.enrolment.programmer
    return {
        "network_id": person.network_id,
        "edition_id": run.enrolment.sequence.edition_id,
        "enrolment_id": run.enrolment_id,
        "step_run_id": run.id,
        "programmer_id": person.id,
        "company_id": company_id,
        "assignee_id": assignee.id if assignee else None,
        "action": run.step.action,
        "title": f"{run.step.title} — {person.full_name}",
        "due_on": due_on,
        "created_at": now,
    }


def _company_tasks(run, context, *, now) -> str:
    """One task per company whose show the person saw or that they met in a held meeting, at most N per
    person per week: beyond that, later weeks, the shows the person said interested them first."""
    enrolment = run.enrolment
    edition = enrolment.sequence.edition
    rows = [
        r for r in context.shows_for(enrolment) if (enrolment.id, r.company_id) not in context.stopped_pairs
    ]
    rows.sort(key=lambda r: (edition.id, enrolment.programmer_id, r.show_id) not in context.interest)
    companies = list(dict.fromkeys(r.company_id for r in rows))
    if not companies:
        return _skip(run, "nothing_to_do")
    limit = max(enrolment.sequence.max_calls_per_week, 1)
    due = edition.ends_on + timedelta(days=run.step.offset_days)
    for company_id in companies:
        day = due
        while context.company_tasks[(enrolment.programmer_id, _week(day))] >= limit:
            day = _week(day) + timedelta(days=7)
        context.company_tasks[(enrolment.programmer_id, _week(day))] += 1
        context.tasks.append(_task(run, company_id, context.in_charge.get(company_id), day, now))
    run.state = RunState.DONE
    return "tasks"


def _message(run, context, *, now) -> str:
    enrolment = run.enrolment
    person = enrolment.programmer
    shows = context.shows_for(enrolment)
    if not shows:
        return _skip(run, "nothing_to_show")
    subject, body, html = compose(run, shows, context.in_charge, context.networks[person.network_id])
    context.messages.append(
        message_values(
            person.network_id,
            person.email,
            subject,
            body,
            html=html,
            programmer_id=person.id,
            unsubscribe_url=external_url(
                "followups.stop", link=services.token_for(enrolment.id, enrolment.link_version)
            ),
            message_id=run.message_id,
            now=now,
        )
    )
    context.interactions.append(
        {
            "network_id": person.network_id,
            "programmer_id": person.id,
            "company_id": None,
            "user_id": None,
            "edition_id": enrolment.sequence.edition_id,
            "kind": InteractionKind.MESSAGE,
            "result": None,
            "summary": subject,
            "private": False,
            "occurred_at": now,
            "created_at": now,
        }
    )
    run.state = RunState.DONE
    return "messages"


def compose(run, shows, in_charge, network, language=None) -> tuple[str, str, str]:
    """Subject, text and HTML of a step's message for one person, in their language (or the one asked
    for, for a preview)."""
    enrolment, step = run.enrolment, run.step
    person = enrolment.programmer
    edition = enrolment.sequence.edition
    wanted = language or person.language
    language = "en" if wanted == "en" and step.body_en and step.subject_en else "fr"
    token = services.token_for(enrolment.id, enrolment.link_version)

    def link(show_id, choice):
        return external_url("followups.answer", link=token, show_id=show_id, choice=choice)

    with force_locale(language):
        when = {id(row): _met_when(row) for row in shows}
    context = {
        "prenom": person.first_name,
        "nom": person.last_name,
        "edition": edition.name,
        "reseau": network.name,
        "structure": person.organisation.name if person.organisation else "",
        "vus": sum(1 for row in shows if getattr(row, "seen", False)),
        "rencontres": sum(1 for row in shows if getattr(row, "met", False)),
        "spectacles": [
            {
                "titre": row.title,
                "compagnie": row.company,
                "video": row.video or "",
                "contact_nom": in_charge[row.company_id].full_name if row.company_id in in_charge else "",
                "contact_email": (
                    in_charge[row.company_id].email
                    if row.company_id in in_charge
                    else row.company_email or ""
                ),
                "contact_telephone": display_phone(row.company_phone) if row.company_phone else "",
                "lien_programmer": link(row.show_id, "book"),
                "lien_dossier": link(row.show_id, "file"),
                "lien_pas_cette_saison": link(row.show_id, "not_this_season"),
                "vu": bool(getattr(row, "seen", False)),
                "rencontre": bool(getattr(row, "met", False)),
                "rencontre_heure": when[id(row)],
            }
            for row in shows
        ],
    }
    subject = messages.render(getattr(step, f"subject_{language}"), context).strip()
    source = getattr(step, f"body_{language}")
    body = messages.render(source, context)
    with force_locale(language):
        footer = _(
            "Vous recevez ce message parce que vous étiez invité·e à %(edition)s par %(network)s "
            "(origine de vos coordonnées : %(source)s). Pour ne plus rien recevoir : %(stop)s",
            edition=edition.name,
            network=network.name,
            source=person.source,
            stop=external_url("followups.stop", link=token),
        )
    text = f"{body.rstrip()}\n\n--\n{footer}\n"
    return subject, text, designed_message(source, context, shows, subject, network, language, footer)


def _met_when(row) -> str:
    """When the person met the show's company ("jeudi 4 mars à 14:20", in the zone people think in), or
    an empty string; in the current locale."""
    met_at = getattr(row, "met_at", None)
    if not getattr(row, "met", False) or met_at is None:
        return ""
    moment = local(met_at)
    return _(
        "%(day)s à %(time)s",
        day=format_date(moment.date(), "EEEE d MMMM", locale=get_locale()),
        time=moment.strftime("%H:%M"),
    )


_MARK = "\x00show\x00"


def designed_message(source, context, shows, subject, network, language, footer) -> str:
    """The HTML part: the coordinator's words before and after the list of shows, and one card per show
    with its video, its contact and the three answers as buttons (the list is found by rendering the
    template once with a marked show: what comes before and after its lines is the text around it)."""
    sample = [dict.fromkeys(context["spectacles"][0], _MARK)] if context["spectacles"] else []
    marked = messages.render(source, {**context, "spectacles": sample})
    lines = marked.splitlines()
    shown = [i for i, line in enumerate(lines) if _MARK in line]
    intro = "\n".join(lines[: shown[0]]) if shown else marked
    outro = "\n".join(lines[shown[-1] + 1 :]) if shown else ""
    with force_locale(language):
        answers = (_("Je souhaite le programmer"), _("Envoyez-moi le dossier complet"), _("Pas cette saison"))
        labels = {"video": _("Voir la vidéo"), "contact": _("Contact :")}
        cards = [
            _card(row, item, answers, language)
            for row, item in zip(shows, context["spectacles"], strict=True)
        ]
        return designed(
            subject=subject,
            brand=network.display_sender,
            lang=language,
            preheader=_("%(n)d spectacle(s), un clic pour dire ce qui vous intéresse.", n=len(cards)),
            intro=paragraph_blocks(intro, language) if shown else (),
            cards=cards if shown else (),
            outro=paragraph_blocks(outro if shown else intro, language),
            footer=paragraph_blocks(footer, language),
            labels=labels,
        )


def _card(row, item, answers, language) -> dict:
    meta = [item["compagnie"], row.discipline.label, row.audience.label]
    if row.min_age:
        meta.append(_("dès %(n)d ans", n=row.min_age))
    met = ""
    if item["rencontre"]:
        met = (
            _("Rencontre en tête-à-tête, %(when)s", when=item["rencontre_heure"])
            if item["rencontre_heure"]
            else _("Rencontre en tête-à-tête")
        )
    return {
        "title": item["titre"],
        "meta": " · ".join(str(m) for m in meta),
        "met": met,
        "video": item["video"],
        "contact_name": item["contact_nom"],
        "contact_email": item["contact_email"],
        "contact_phone": item["contact_telephone"],
        "contact_tel": (row.company_phone or "").replace(" ", ""),
        "answers": [
            (answers[0], item["lien_programmer"], True),
            (answers[1], item["lien_dossier"], False),
            (answers[2], item["lien_pas_cette_saison"], False),
        ],
    }


def preview(step, person) -> tuple[list, str | None]:
    """The step's message as this person would receive it, in each language it is written in; nothing
    is sent or saved (a person not yet enrolled is enrolled for the occasion, in memory only). A
    template error is returned to show to its author."""
    edition = step.sequence.edition
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.sequence_id == step.sequence_id, Enrolment.programmer_id == person.id
        )
    ) or Enrolment(id=0, sequence=step.sequence, programmer=person, path=step.path)
    listed = services.shows_and_meetings([edition.id], [person.id]).get((edition.id, person.id), [])
    shows = listed or services.programme([edition.id]).get(edition.id, [])
    languages = ["fr", "en"] if step.subject_en and step.body_en else ["fr"]
    previews = []
    try:
        for language in languages:
            run = StepRun(step=step, enrolment=enrolment)
            previews.append(
                compose(run, shows, services.people_in_charge(shows), edition.network, language=language)
            )
    except Exception as problem:  # noqa: BLE001 - a template error is shown to its author, not raised
        return previews, str(problem)
    return previews, None
