"""The follow-up's domain, in parts: `sequences` (the sequence, its steps, launching, enrolment),
`links` (personal links), `seen` (what each person saw, whom they met, who answers for each company),
`answers` (one-click answers and stops), `tasks` (tasks and the shared log of exchanges). Plain
functions; views commit. This module gathers their public functions for the pages and the other features."""

from crm.followups.answers import (
    record_answer,
    stop_everything,
    stop_pair,
)
from crm.followups.links import (
    by_token,
    revoke_links,
    token_for,
)
from crm.followups.seen import (
    answerable,
    companies_met,
    held_meeting,
    people_in_charge,
    programme,
    shows_and_meetings,
    shows_seen,
)
from crm.followups.sequences import (
    activate,
    delete_step,
    enrol,
    save_settings,
    save_step,
    sequence_for,
)
from crm.followups.tasks import (
    answer_by_mail,
    complete,
    log_interaction,
    may_handle,
    tasks_query,
    timeline_query,
    visible_interactions,
)

__all__ = [
    "activate",
    "delete_step",
    "enrol",
    "save_settings",
    "save_step",
    "sequence_for",
    "by_token",
    "revoke_links",
    "token_for",
    "answerable",
    "companies_met",
    "held_meeting",
    "people_in_charge",
    "programme",
    "shows_and_meetings",
    "shows_seen",
    "record_answer",
    "stop_everything",
    "stop_pair",
    "answer_by_mail",
    "complete",
    "log_interaction",
    "may_handle",
    "tasks_query",
    "timeline_query",
    "visible_interactions",
]
