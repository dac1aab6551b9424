"""Live updates: writers publish that something changed, open pages hear it over server-sent events.

    publish("monitoring.alarm", {"id": alarm.pk, "action": "raised", "region": alarm.region_id,
                                 "enterprise": alarm.enterprise_id})

An event says only *which* record changed and where it lies (ids, region code, enterprise id), never what it
holds: the page reloads its own scoped partial when told, so nobody learns more from the stream than the
page itself would show them. Each stream forwards only events inside its user's jurisdiction (`audience`).

Two backends carry events between processes (the writer is often the MQTT ingest worker, the reader a web
worker), chosen by `LIVE_BACKEND` (default: "redis" when `REDIS_URL` is set, else "database"):

- **redis**: published on commit to the channel `<LIVE_REDIS_PREFIX><topic>` (through the outbox, handler
  `core.live`, so a commit is never left unannounced); every web process holds one pattern subscription and fans
  the events out to its own streams.
- **database**: a `LiveEvent` row inserted in the writer's transaction (so it appears exactly when the change
  commits, and vanishes with a rollback); every web process polls the table for new ids every
  `LIVE_POLL_SECONDS` while it has a stream open. Rows are pruned after `LIVE_KEEP_SECONDS`.

Either way one listener thread per process (the `Hub`) serves every stream of that process, WSGI threads
and ASGI tasks alike, so a hundred open boards cost one subscription or one cheap query per poll, and no
stream holds a database connection. A stream lives `LIVE_STREAM_SECONDS` and then ends; the browser's
EventSource reconnects by itself (after the `retry` we send), and the page refreshes on every (re)connect,
so nothing published in between is lost to it. When a backend recovers from an outage the hub sends a
`resync` event, on which pages refresh as well.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import StreamingHttpResponse
from django.utils import timezone

from yingji.core import outbox
from yingji.core.models import LiveEvent
from yingji.standards.division import significant_prefix

logger = logging.getLogger(__name__)

Event = dict[str, Any]
RESYNC: Event = {"resync": True}
_CLOSED = object()
# An id published at a lower sequence value than one already seen can still commit later (concurrent writer
# transactions on PostgreSQL); the poller re-reads ids this many seconds behind the newest it delivered.
SETTLE_SECONDS = 10.0
QUEUE_LIMIT = 500


def backend_name() -> str:
    configured = getattr(settings, "LIVE_BACKEND", "") or ""
    if configured:
        return configured
    return "redis" if redis_url() else "database"


def redis_url() -> str:
    return getattr(settings, "LIVE_REDIS_URL", "") or getattr(settings, "REDIS_URL", "") or ""


def _prefix() -> str:
    return getattr(settings, "LIVE_REDIS_PREFIX", "yingji:live:")


def _seconds(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


# -- writing ------------------------------------------------------------------------------------------------

def publish(topic: str, event: Event) -> None:
    """Announce a change to the live pages once the current transaction commits (at once outside one).

    `event` holds ids and short codes only, plus the jurisdiction: "region" (the 12-digit code) and
    "enterprise" (id or None). A failure to publish is logged and never fails the writer.
    """
    event = {**event, "topic": topic}
    event.setdefault("enterprise", None)
    if not isinstance(event.get("region"), str):
        raise ValueError("a live event needs the region code it belongs to")
    for key, value in event.items():
        if not isinstance(value, (str, int, bool, type(None))):
            raise ValueError(f"live event field {key!r} must be an id or a short code")
    if backend_name() != "redis":
        _database_publish(topic, event)
    elif connection.in_atomic_block:
        # Through the outbox: sent once the change commits, even if this process dies right after the commit.
        outbox.emit("core.live", {"topic": topic, "event": event})
    else:
        # No transaction to wait for: whatever the event announces is committed already.
        send(topic, event)


_redis_clients: dict[str, Any] = {}
_redis_lock = threading.Lock()


def _redis_client(url: str):
    import redis

    with _redis_lock:
        client = _redis_clients.get(url)
        if client is None:
            client = _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return client


def send(topic: str, event: Event) -> None:
    """Publish to Redis now (the outbox handler `core.live`); an outage is logged, and the hubs resync after it."""
    try:
        _redis_client(redis_url()).publish(_prefix() + topic, orjson.dumps(event))
    except Exception:
        logger.warning("实时事件未能发布到 Redis：%s", topic, exc_info=True)


_pruned_at = [0.0]


def _database_publish(topic: str, event: Event) -> None:
    data = {k: v for k, v in event.items() if k not in ("topic", "region", "enterprise")}
    LiveEvent.objects.create(topic=topic, region_code=event["region"], enterprise_ref=event["enterprise"],
                             data=data, created_at=timezone.now())
    if time.monotonic() - _pruned_at[0] > 60:
        _pruned_at[0] = time.monotonic()
        # Outside the writer's transaction, so two writers pruning never wait on each other's commit. Not an
        # outbox effect: housekeeping that the next publish repeats if this process dies first.
        transaction.on_commit(prune, robust=True)


def prune() -> int:
    """Delete database events older than LIVE_KEEP_SECONDS (they have long been delivered)."""
    cutoff = timezone.now() - timedelta(seconds=_seconds("LIVE_KEEP_SECONDS", 300))
    deleted, _ = LiveEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# -- who may hear what -------------------------------------------------------------------------------------

def audience(user) -> Callable[[Event], bool]:
    """The events a user's stream may carry: the same jurisdiction rule as `scope_q`, applied to one event."""
    if not user.is_authenticated or not user.is_active:
        return lambda event: False
    if user.scope_enterprise_id:
        enterprise_id = user.scope_enterprise_id
        return lambda event: event.get("enterprise") == enterprise_id
    if user.scope_region_id:
        prefix = significant_prefix(user.scope_region_id)
        return lambda event: str(event.get("region") or "").startswith(prefix)
    if user.is_superuser:
        return lambda event: True
    return lambda event: False


# -- one listener per process ------------------------------------------------------------------------------

class Subscription:
    """A stream's mailbox: the hub thread delivers, the stream takes (blocking in a WSGI thread)."""

    def __init__(self, topics: set[str], accepts: Callable[[Event], bool]) -> None:
        self.topics = topics
        self.accepts = accepts
        self._items: collections.deque = collections.deque()
        self._ready = threading.Condition()

    def wants(self, event: Event) -> bool:
        return event is RESYNC or (event.get("topic") in self.topics and self.accepts(event))

    def deliver(self, item: Any) -> None:
        with self._ready:
            if len(self._items) >= QUEUE_LIMIT:
                # A reader that fell this far behind only needs to know it must refresh.
                self._items.clear()
                item = RESYNC
            self._items.append(item)
            self._ready.notify()

    def get(self, timeout: float) -> Any:
        """The next event, None after `timeout` seconds without one, or `_CLOSED` when the hub stops."""
        with self._ready:
            if not self._items:
                self._ready.wait(timeout)
            return self._items.popleft() if self._items else None


class AsyncSubscription(Subscription):
    """The same mailbox for an ASGI stream: delivery wakes the stream's event loop."""

    def __init__(self, topics: set[str], accepts: Callable[[Event], bool]) -> None:
        super().__init__(topics, accepts)
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue = asyncio.Queue()

    def deliver(self, item: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(self._put, item)
        except RuntimeError:  # the loop has closed: the stream is gone
            pass

    def _put(self, item: Any) -> None:
        if self._queue.qsize() >= QUEUE_LIMIT:
            while not self._queue.empty():
                self._queue.get_nowait()
            item = RESYNC
        self._queue.put_nowait(item)

    async def get_async(self, timeout: float) -> Any:
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


class Hub:
    """Listens to the backend on one daemon thread while any stream of this process is open."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0

    def subscribe(self, subscription: Subscription) -> Subscription:
        with self._lock:
            self._subscriptions.add(subscription)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=f"live-{self.backend}", daemon=True)
                self._thread.start()
        self._wake.set()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)

    def listening(self) -> int:
        with self._lock:
            return len(self._subscriptions)

    def dispatch(self, event: Event) -> None:
        with self._lock:
            targets = [s for s in self._subscriptions if s.wants(event)]
        for subscription in targets:
            subscription.deliver(event)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        with self._lock:
            subscriptions = list(self._subscriptions)
            self._subscriptions.clear()
        for subscription in subscriptions:
            subscription.deliver(_CLOSED)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        self._failures = 0
        while not self._stopping.is_set():
            try:
                if self.backend == "redis":
                    self._listen_redis()
                else:
                    self._poll_database()
            except Exception:
                self._failures += 1
                logger.warning("实时事件监听中断，%s 秒后重试", min(self._failures, 5), exc_info=self._failures == 1)
                self._stopping.wait(min(self._failures, 5))
            finally:
                if self.backend != "redis":
                    connection.close()

    def _idle(self) -> bool:
        """Wait while nobody listens; True once the hub is stopping."""
        while True:
            self._wake.clear()  # before looking, so a subscription arriving meanwhile still wakes us
            if self.listening() or self._stopping.is_set():
                return self._stopping.is_set()
            self._wake.wait(5)

    def _recovered(self) -> None:
        """Listening again after a failure: events may have been missed, so every page refreshes."""
        if self._failures:
            self._failures = 0
            self.dispatch(RESYNC)

    def _listen_redis(self) -> None:
        import redis

        client = redis.Redis.from_url(redis_url(), socket_connect_timeout=2, health_check_interval=30)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.psubscribe(_prefix() + "*")
            self._recovered()
            while not self._stopping.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message and message.get("type") == "pmessage":
                    self.dispatch(orjson.loads(message["data"]))
        finally:
            pubsub.close()
            client.close()

    @staticmethod
    def _starting_point() -> tuple[int, dict[int, float]]:
        """Where a poller starts: after what is already there, but with the last seconds' ids marked as seen, so
        a row with a lower id whose transaction commits late is still picked up."""
        from django.db.models import Max

        settled = timezone.now() - timedelta(seconds=SETTLE_SECONDS)
        floor = LiveEvent.objects.filter(created_at__lt=settled).aggregate(top=Max("pk"))["top"] or 0
        now = time.monotonic()
        return floor, {pk: now for pk in LiveEvent.objects.filter(pk__gt=floor).values_list("pk", flat=True)}

    def _poll_database(self) -> None:
        interval = _seconds("LIVE_POLL_SECONDS", 0.25)
        if self._idle():
            return
        floor, delivered = self._starting_point()
        self._recovered()
        errors = 0
        while not self._stopping.is_set():
            if not self.listening():
                connection.close()
                if self._idle():
                    return
                floor, delivered = self._starting_point()
            try:
                rows = list(LiveEvent.objects.filter(pk__gt=floor).order_by("pk")
                            .values_list("pk", "topic", "region_code", "enterprise_ref", "data")[:2000])
            except DatabaseError:
                # A busy table (SQLite) or a dropped connection: the next poll reads from the same floor, so
                # nothing is lost unless it keeps failing, which the caller handles with a resync.
                errors += 1
                if errors > 20:
                    raise
                connection.close()
                self._stopping.wait(interval)
                continue
            errors = 0
            now = time.monotonic()
            for pk, topic, region, enterprise, data in rows:
                if pk in delivered:
                    continue
                delivered[pk] = now
                self.dispatch({**data, "topic": topic, "region": region, "enterprise": enterprise, "seq": pk})
            settled = [pk for pk, seen in delivered.items() if now - seen > SETTLE_SECONDS]
            if settled:
                floor = max(floor, max(settled))
                for pk in [pk for pk in delivered if pk <= floor]:
                    del delivered[pk]
            self._stopping.wait(interval)


_hub: Hub | None = None
_hub_lock = threading.Lock()


def hub() -> Hub:
    global _hub
    with _hub_lock:
        if _hub is None or _hub.backend != backend_name() or _hub._stopping.is_set():
            _hub = Hub(backend_name())
        return _hub


def shutdown() -> None:
    """Stop this process's listener and end its streams (tests; settings changes)."""
    global _hub
    with _hub_lock:
        current, _hub = _hub, None
    if current is not None:
        current.stop()


# -- the server-sent event stream -------------------------------------------------------------------------

def _frame(event: Event) -> bytes:
    data = orjson.dumps({k: v for k, v in event.items() if k != "seq"})
    head = f"id: {event['seq']}\n".encode() if "seq" in event else b""
    return head + b"data: " + data + b"\n\n"


def _hello() -> bytes:
    retry = int(_seconds("LIVE_RETRY_SECONDS", 1) * 1000)
    # The comment padding pushes the first bytes through proxies that buffer small responses.
    return f"retry: {retry}\n: {' ' * 2048}\n\n".encode()


def _sync_stream(subscription: Subscription, lifetime: float, heartbeat: float) -> Iterator[bytes]:
    server = hub()
    server.subscribe(subscription)
    try:
        yield _hello()
        deadline = time.monotonic() + lifetime
        while (remaining := deadline - time.monotonic()) > 0:
            item = subscription.get(min(heartbeat, remaining))
            if item is _CLOSED:
                return
            yield b": ping\n\n" if item is None else _frame(item)
    finally:
        server.unsubscribe(subscription)


async def _async_stream(topics: set[str], accepts: Callable[[Event], bool], lifetime: float,
                        heartbeat: float) -> AsyncIterator[bytes]:
    subscription = AsyncSubscription(topics, accepts)
    server = hub()
    server.subscribe(subscription)
    try:
        yield _hello()
        deadline = time.monotonic() + lifetime
        while (remaining := deadline - time.monotonic()) > 0:
            item = await subscription.get_async(min(heartbeat, remaining))
            if item is _CLOSED:
                return
            yield b": ping\n\n" if item is None else _frame(item)
    finally:
        server.unsubscribe(subscription)


def event_stream(request, topics: list[str] | set[str]) -> StreamingHttpResponse:
    """A `text/event-stream` response carrying the given topics' events inside the user's jurisdiction.

    The caller has checked the user may see the records behind the topics. Under ASGI (uvicorn) the body is
    an async generator served by the event loop; under WSGI (the test live server, a threaded WSGI server)
    a plain generator that holds its thread. Django would drain an iterator of the other kind to the end
    before sending anything, which for an endless stream means never, so the kind follows the handler.
    The stream ends after LIVE_STREAM_SECONDS, which bounds what a WSGI thread is lent for.
    """
    from django.core.handlers.asgi import ASGIRequest

    topics = set(topics)
    accepts = audience(request.user)
    lifetime = _seconds("LIVE_STREAM_SECONDS", 120)
    heartbeat = _seconds("LIVE_HEARTBEAT_SECONDS", 15)
    if isinstance(request, ASGIRequest):
        body: Any = _async_stream(topics, accepts, lifetime, heartbeat)
    else:
        body = _sync_stream(Subscription(topics, accepts), lifetime, heartbeat)
    # The stream reads no database: give the request's connection back now rather than after minutes.
    if not connection.in_atomic_block:
        connection.close()
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response
