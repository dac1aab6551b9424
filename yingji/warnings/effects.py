"""The warnings app's outbox handlers (`yingji.core.outbox`)."""

from yingji.core import outbox
from yingji.core.models import OutboxMessage
from yingji.warnings.tasks import send_deliveries


@outbox.handler("warnings.send_deliveries", atomic=False)
def wake_sender(message: OutboxMessage) -> None:
    """Ask a Celery worker to send the queued deliveries now. At least once, and harmless to repeat: the sender
    claims queued rows, so a second wake-up finds nothing; the deliveries themselves are rows the sweep sends
    even without any wake-up; if no worker is reachable the next sweep sends them anyway."""
    try:
        send_deliveries.delay()
    except Exception:  # a broker outage must not fail the message: the sweep sends the queued rows
        pass
