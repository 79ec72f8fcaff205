"""Imports every model so the metadata (and Alembic's autogenerate) knows every table."""

from crm.accounts.models import LoginAttempt, User, UserSession
from crm.contacts.models import Organisation, Programmer, ProgrammerDiscipline
from crm.networks.models import Network
from crm.showcase.models import Edition, Show

__all__ = [
    "Edition", "LoginAttempt", "Network", "Organisation", "Programmer",
    "ProgrammerDiscipline", "Show", "User", "UserSession",
]  # fmt: skip
