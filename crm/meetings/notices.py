"""What the people of a session are told: one message with their schedule when it is published, one
more when a re-plan changes it; and their meetings as calendar events."""

import logging

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Event

from crm.accounts.services import company_addresses
from crm.base.extensions import db
from crm.base.links import external_url
from crm.base.timeutil import local
from crm.contacts.models import Organisation, Programmer
from crm.invitations.models import Invitation
from crm.invitations.services import signed_token
from crm.mail.services import may_be_written_to, send
from crm.meetings import services
from crm.meetings.models import MeetingCompany

log = logging.getLogger(__name__)


def _place(venue) -> str:
    town = " ".join(p for p in (venue.postcode, venue.city) if p)
    return ", ".join(p for p in (venue.name, venue.address, town) if p)


def _hour(moment) -> str:
    return local(moment).strftime("%H:%M")


def schedule_lines(session, meetings, who) -> list[str]:
    """One line per meeting: round, hours, table, with whom."""
    times = {n: (start, end) for n, start, end in services.round_times(session)}
    at_table = {}
    if who == "p":
        at_table = dict(
            db.session.execute(
                db.select(MeetingCompany.company_id, MeetingCompany.at_table).where(
                    MeetingCompany.session_id == session.id
                )
            ).all()
        )
    lines = []
    for meeting in sorted(meetings, key=lambda m: m.round):
        start, end = times[meeting.round]
        if who == "p":
            other = meeting.company.name
            if at_table.get(meeting.company_id):
                other += f" ({at_table[meeting.company_id]})"
        else:
            person = meeting.programmer
            structure = person.organisation.name if person.organisation else ""
            other = f"{person.full_name}, {structure}" if structure else person.full_name
        lines.append(
            _(
                "Tour %(round)s, %(start)s–%(end)s, table %(table)s : %(other)s",
                round=meeting.round,
                start=_hour(start),
                end=_hour(end),
                table=meeting.table_number,
                other=other,
            )
        )
    return lines


def tell(session, who, meetings, *, changed=False) -> bool:
    """Write to one participant (("p", programmer id) or ("c", company id)) with their schedule."""
    kind, owner = who
    place = _place(session.venue)
    if kind == "p":
        person = db.session.get(Programmer, owner)
        if person is None or not may_be_written_to(person):
            return False
        invitation = db.session.scalar(
            db.select(Invitation).where(
                Invitation.edition_id == session.edition_id, Invitation.programmer_id == owner
            )
        )
        link = external_url("meetings.programmer_page", token=signed_token(invitation), session_id=session.id)
        language, greeting = person.language or "fr", person.first_name
        to, extra = [person.email], {"programmer_id": person.id}
    else:
        company = db.session.get(Organisation, owner)
        link = external_url("meetings.company_page", session_id=session.id)
        language, greeting = "fr", company.name
        to, extra = company_addresses(company), {"company_id": company.id}
    with force_locale(language if language in ("fr", "en") else "fr"):
        lines = schedule_lines(session, meetings, kind)
        day = session.day.strftime("%d/%m/%Y")
        subject = (
            _("Vos rendez-vous ont changé — %(name)s, %(day)s", name=session.name, day=day)
            if changed
            else _("Vos rendez-vous — %(name)s, %(day)s", name=session.name, day=day)
        )
        intro = (
            _(
                "Bonjour %(name)s,\n\nDes absences ont libéré des places : voici votre planning à jour.",
                name=greeting,
            )
            if changed
            else _(
                "Bonjour %(name)s,\n\nVoici votre planning des rencontres professionnelles.", name=greeting
            )
        )
        body = "\n".join(
            [
                intro,
                "",
                f"{session.name} — {day}, {place}",
                "",
                *(f"- {line}" for line in lines),
                *([] if lines else [_("Aucun rendez-vous ne vous a été attribué cette fois-ci.")]),
                "",
                _("Votre planning, toujours à jour : %(link)s", link=link),
            ]
        )
    sent = send(session.network_id, to, subject, body + "\n", **extra)
    return bool(sent)


def events(session_meetings, who) -> list[Event]:
    """Calendar events of published meetings ([(session, meeting)]), for a person's agenda ("p") or a
    company's feed ("c")."""
    found = []
    times = {}
    for session, meeting in session_meetings:
        if session.id not in times:
            times[session.id] = {n: (s, e) for n, s, e in services.round_times(session)}
        start, end = times[session.id][meeting.round]
        other = meeting.company.name if who == "p" else meeting.programmer.full_name
        changed = max(session.published_at, meeting.created_at)
        event = Event()
        event.add("uid", f"meeting-{meeting.id}@vitrine")
        event.add("sequence", 0)
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("dtstart", local(start))
        event.add("dtend", local(end))
        event.add(
            "summary", _("Rendez-vous : %(other)s (table %(table)s)", other=other, table=meeting.table_number)
        )
        event.add("location", _place(session.venue))
        event.add("description", _("%(name)s, tour %(round)s", name=session.name, round=meeting.round))
        event.add("status", "CONFIRMED")
        found.append(event)
    return found
