"""The warnings app's outbox handlers (`yingji.core.outbox`)."""

from yingji.core import outbox
from yingji.core.models import OutboxMessage


@outbox.handler("warnings.send_deliveries", atomic=False)
def wake_sender(message: OutboxMessage) -> None:
    """Ask a Celery worker to send the queued deliveries now. At least once, and harmless to repeat: the sender
    claims queued rows, so a second wake-up finds nothing; the deliveries themselves are rows the sweep sends
    even without any wake-up."""
    from yingji.warnings.delivery import kick_sender

    kick_sender()
