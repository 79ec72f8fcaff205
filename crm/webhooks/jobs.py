"""The webhooks' due work, for the scheduler's tick."""

from crm.webhooks import delivery


def deliver(*, now, worker) -> dict:
    """Every message due, batch after batch, until none is left."""
    counts = {}
    while True:
        sent = delivery.deliver_due(worker=worker, now=now)
        for key, value in sent.items():
            counts[f"webhooks_{key}"] = counts.get(f"webhooks_{key}", 0) + value
        if not any(sent.values()):
            return counts
