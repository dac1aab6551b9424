"""The core's outbox handlers: notifications and live events (`yingji.core.outbox`)."""

from yingji.core import live, outbox, tasks, todos
from yingji.core.models import OutboxMessage
from yingji.core.notifications import deliver


@outbox.handler("core.notify")
def notify(message: OutboxMessage) -> None:
    """Store the in-app notifications: exactly once (atomic with the done mark, unique per message and person)."""
    deliver(message)


@outbox.handler("core.live", atomic=False)
def publish_live(message: OutboxMessage) -> None:
    """Publish a live event to Redis: at least once; a repeated event only makes a page refresh once more."""
    live.send(message.payload["topic"], message.payload["event"])


@outbox.handler("core.announce")
def announce(message: OutboxMessage) -> None:
    """Notify the people a move handed its record to (`Transition.announce`): exactly once, like `core.notify`."""
    todos.announce(message)


@outbox.handler("core.run_job", atomic=False)
def run_job(message: OutboxMessage) -> None:
    """Hand a background export or import to a Celery worker (`yingji.core.jobs`)."""
    tasks.run_background_job.delay(message.payload["job"])
