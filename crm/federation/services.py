"""A network's choice about the barometer: give it, change it, withdraw it."""

from flask_babel import gettext as _

from crm.base.audit import security_event
from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.federation import snapshots
from crm.federation.models import BarometerConsent, Category


def consent_of(network_id) -> BarometerConsent | None:
    return db.session.get(BarometerConsent, network_id)


def give(network, data, *, user) -> BarometerConsent:
    """Share the chosen kinds of figures from the chosen date (at least one kind: sharing nothing is
    withdrawing). The public barometer needs its own tick, and only counts along with the first consent."""
    chosen = [category for category in Category if data.get(category.value)]
    if not chosen:
        raise DomainError(
            _("Cochez au moins un type de chiffres, ou retirez vos chiffres du baromètre."), field="activity"
        )
    consent = consent_of(network.id) or BarometerConsent(network_id=network.id)
    consent.since = data["since"]
    for category in Category:
        setattr(consent, category.value, category in chosen)
    consent.public = bool(data.get("public"))
    consent.given_by_id = user.id
    consent.updated_at = utcnow()
    db.session.add(consent)
    snapshots.forget(network.id)  # made under the former choice: computed afresh until the next tick
    db.session.flush()
    security_event("barometer.consent", network=network.id, user=user.id, since=str(consent.since),
                   shared=",".join(c.value for c in chosen), public=consent.public)  # fmt: skip
    return consent


def withdraw(network, *, user) -> bool:
    """Take the network out of the barometer: every figure computed from now on leaves it out."""
    consent = consent_of(network.id)
    if consent is None:
        return False
    db.session.delete(consent)
    snapshots.forget(network.id)
    db.session.flush()
    security_event("barometer.withdrawn", network=network.id, user=user.id)
    return True
