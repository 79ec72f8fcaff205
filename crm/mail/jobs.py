"""The mail layer's due work, for the scheduler's tick."""

from crm.mail import delivery, imap, inbound


def receive(*, now, worker) -> dict:
    """Mail that came back: what the IMAP poller finds, and any message a crash left half-handled."""
    handled = inbound.handle_left_over(now=now)
    if imap.configured():
        handled += imap.poll(now=now)
    return {"inbound": handled}


def deliver(*, now, worker) -> dict:
    """Every message due, batch after batch, until none is left."""
    counts = {}
    while True:
        sent = delivery.deliver_due(worker=worker)
        for key, value in sent.items():
            counts[f"mail_{key}"] = counts.get(f"mail_{key}", 0) + value
        if not any(sent.values()):
            return counts
