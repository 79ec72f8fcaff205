"""A network's commissions: who is in them, and what a departmental commission's members may see and do
for their départements only (review the registrations of the companies from there, decide on them
when the network delegates it, propose host companies and venues)."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.accounts.models import Role, User
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.geo import departement
from crm.contacts.models import Organisation, OrganisationKind, Programmer
from crm.cooperation.models import (
    Commission,
    CommissionDepartement,
    CommissionKind,
    CommissionMember,
    CommissionTask,
    HostProposal,
)
from crm.followups.models import Task
from crm.showcase import registrations
from crm.showcase.models import Edition, EditionStatus, Registration
from crm.showcase.programme import programme_slots

OPEN = (EditionStatus.DRAFT, EditionStatus.REGISTRATIONS_OPEN, EditionStatus.REGISTRATIONS_CLOSED,
        EditionStatus.PUBLISHED)  # fmt: skip


def of_network(network_id) -> list[Commission]:
    return db.session.scalars(
        select(Commission)
        .where(Commission.network_id == network_id)
        .options(selectinload(Commission.members).joinedload(CommissionMember.user),
                 selectinload(Commission.departements), selectinload(Commission.referent))
        .order_by(Commission.kind, Commission.name)
    ).all()  # fmt: skip


def network_people(network_id) -> list[User]:
    """Who may sit on a commission: the network's coordinators and company members."""
    return db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.network_id == network_id,
               User.role.in_([Role.COORDINATOR, Role.MEMBER]))
        .order_by(User.full_name)
    ).all()  # fmt: skip


def is_member(commission, user) -> bool:
    return any(m.user_id == user.id for m in commission.members)


def save(network, commission, data) -> Commission:
    """Create (`commission` None) or change a commission; nothing saved when something is wrong."""
    kind = CommissionKind(data["kind"])
    codes = sorted(set(data.get("departements") or []))
    if any(departement(code) is None for code in codes):
        raise DomainError(_("Choisissez des départements de la liste."), field="departements")
    if kind == CommissionKind.DEPARTMENTAL and not codes:
        raise DomainError(
            _("Une commission départementale couvre au moins un département."), field="departements"
        )
    people = {u.id for u in network_people(network.id)}
    member_ids = sorted(set(data.get("member_ids") or []))
    if any(uid not in people for uid in member_ids):
        raise DomainError(_("Choisissez des personnes du réseau."), field="member_ids")
    referent = data.get("referent_id")
    if referent is not None and referent not in member_ids:
        raise DomainError(_("La ou le référent est l'un des membres de la commission."), field="referent_id")
    commission = commission or Commission(network_id=network.id)
    commission.kind, commission.name = kind, data["name"].strip()
    commission.referent_id = referent
    commission.decides = bool(data.get("decides")) and kind == CommissionKind.DEPARTMENTAL
    commission.members = [CommissionMember(user_id=uid) for uid in member_ids]
    commission.departements = (
        [CommissionDepartement(code=code) for code in codes] if kind == CommissionKind.DEPARTMENTAL else []
    )
    db.session.add(commission)
    db.session.flush()
    return commission


def editions_to_review(network_id) -> list[Edition]:
    """The network's editions still being prepared, soonest first."""
    return db.session.scalars(
        select(Edition)
        .where(Edition.network_id == network_id, Edition.status.in_(OPEN))
        .order_by(Edition.starts_on)
    ).all()


def registrations_for(commission, edition) -> list[Registration]:
    """The edition's registrations from companies of the commission's départements, nothing else."""
    query = registrations.review_query(edition).where(Organisation.departement_code.in_(commission.codes))
    return list(db.session.scalars(query).unique())


def covers(commission, registration) -> bool:
    return registration.company.departement_code in commission.codes


def decide(commission, registration, decision, message) -> None:
    """A commission decides only on its départements' registrations, and only when the network lets it."""
    if not commission.decides:
        raise DomainError(_("La décision revient à la coordination du réseau."))
    if not covers(commission, registration):
        raise DomainError(_("Cette candidature n'est pas d'un de vos départements."))
    registrations.decide(registration, decision, message)


def places(commission) -> tuple[list[Organisation], list[Organisation]]:
    """(venues, companies) of the commission's départements, by name."""
    found = db.session.scalars(
        select(Organisation)
        .where(Organisation.network_id == commission.network_id,
               Organisation.departement_code.in_(commission.codes),
               (Organisation.kind == OrganisationKind.COMPANY) | Organisation.is_venue.is_(True))
        .order_by(Organisation.name)
    ).all()  # fmt: skip
    return ([o for o in found if o.kind != OrganisationKind.COMPANY],
            [o for o in found if o.kind == OrganisationKind.COMPANY])  # fmt: skip


def propose_host(commission, edition, data, *, actor) -> HostProposal:
    venues, companies = places(commission)
    if data.get("venue_id") not in {v.id for v in venues}:
        raise DomainError(_("Choisissez un lieu de vos départements."), field="venue_id")
    host = data.get("host_company_id")
    if host is not None and host not in {c.id for c in companies}:
        raise DomainError(_("Choisissez une compagnie de vos départements."), field="host_company_id")
    proposal = HostProposal(commission_id=commission.id, edition_id=edition.id, venue_id=data["venue_id"],
                            host_company_id=host, note=(data.get("note") or "").strip() or None,
                            created_by_id=actor.id)  # fmt: skip
    db.session.add(proposal)
    db.session.flush()
    return proposal


def proposals_for(edition) -> list[HostProposal]:
    return db.session.scalars(
        select(HostProposal)
        .where(HostProposal.edition_id == edition.id)
        .options(selectinload(HostProposal.commission), selectinload(HostProposal.venue),
                 selectinload(HostProposal.host_company))
        .order_by(HostProposal.created_at)
    ).all()  # fmt: skip


def tasks_of(commission) -> list[CommissionTask]:
    """The commission's tasks: those to do first (soonest due first), then those done."""
    return db.session.scalars(
        select(CommissionTask)
        .where(CommissionTask.commission_id == commission.id)
        .options(selectinload(CommissionTask.assignee), selectinload(CommissionTask.edition))
        .order_by(CommissionTask.done_at.is_not(None), CommissionTask.due_on.is_(None), CommissionTask.due_on,
                  CommissionTask.id)
    ).all()  # fmt: skip


def add_task(commission, data, *, actor) -> CommissionTask:
    assignee = data.get("assignee_id")
    if assignee is not None and assignee not in {m.user_id for m in commission.members}:
        raise DomainError(_("Confiez la tâche à un membre de la commission."), field="assignee_id")
    edition_id = data.get("edition_id")
    if edition_id is not None:
        edition = db.session.get(Edition, edition_id)
        if edition is None or edition.network_id != commission.network_id:
            raise DomainError(_("Choisissez dans la liste."), field="edition_id")
    task = CommissionTask(commission_id=commission.id, edition_id=edition_id, title=data["title"].strip(),
                          assignee_id=assignee, due_on=data.get("due_on"),
                          created_by_id=actor.id)  # fmt: skip
    db.session.add(task)
    db.session.flush()
    return task


def toggle_task(task, *, now) -> CommissionTask:
    task.done_at = None if task.done_at else now
    db.session.flush()
    return task


def programme_of_venues(commission, edition) -> list:
    """The edition's programme at the venues of the commission's départements."""
    return [slot for slot in programme_slots(edition) if slot.venue.departement_code in commission.codes]


def followup_tasks(commission):
    """The coordination's open follow-up tasks about programmers of the commission's départements (the
    query, for a page of them): what a member may take on."""
    return (
        select(Task)
        .join(Programmer, Programmer.id == Task.programmer_id)
        .where(Task.network_id == commission.network_id, Task.company_id.is_(None), Task.done_at.is_(None),
               Programmer.departement_code.in_(commission.codes))
        .options(selectinload(Task.programmer).selectinload(Programmer.organisation),
                 selectinload(Task.assignee), selectinload(Task.edition))
        .order_by(Task.due_on, Task.id)
    )  # fmt: skip


def take_task(commission, task, user) -> Task:
    """A member takes on one of those tasks: it is theirs from now on (in « Mes tâches »)."""
    programmer = db.session.get(Programmer, task.programmer_id)
    if (task.network_id != commission.network_id or task.company_id is not None
            or programmer.departement_code not in commission.codes):  # fmt: skip
        raise DomainError(_("Cette tâche n'est pas d'un de vos départements."))
    if task.done_at is not None:
        raise DomainError(_("Cette tâche est déjà faite."))
    if task.assignee_id not in (None, user.id):
        raise DomainError(_("Quelqu'un s'en charge déjà."))
    task.assignee_id = user.id
    db.session.flush()
    return task
