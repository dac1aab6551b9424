"""The alarm engine: threshold alarms with delay and deadband, rate-of-change alarms, recovery.

It runs on every stored batch, inside the ingest transaction, with per-point state kept in the worker.
The batch is screened with numpy: readings inside a point's quiet band (no threshold reached) of a point
with no state and no rate limit are never looked at one by one; only changes of alarm state go to the
services.

- Delay: a limit must stay reached for `alarm_delay_seconds` of reading time before the alarm is raised.
- Deadband: a raised alarm recovers only once the value is back past the limit by `deadband`, so a value
  hovering at the limit raises one alarm, not one per reading; a recurrence reuses the open alarm.
- Levels: 高高/低低 are level 1, 高/低 and rate of change level 2; a rise from 高 to 高高 raises the level.

Several workers keep separate state; open alarms are re-read from the database periodically, and the
one-open-alarm-per-point-and-kind constraint keeps them from duplicating alarms.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from yingji.monitoring import services
from yingji.monitoring.ingest import PointInfo, PointTable, Readings
from yingji.monitoring.models import Alarm, AlarmKind, AlarmStatus


@dataclass(slots=True)
class PointState:
    high_since: int | None = None
    low_since: int | None = None
    high_level: int = 0  # 0: no open, unrecovered alarm; else its level
    low_level: int = 0
    high_peak: float = 0.0
    low_peak: float = 0.0
    rate_active: bool = False
    offline: bool = False
    last_ts: int | None = None
    last_value: float = 0.0

    def idle(self) -> bool:
        return not (self.high_since or self.low_since or self.high_level or self.low_level or self.rate_active
                    or self.offline)


class AlarmEngine:
    def __init__(self, refresh_seconds: float = 10.0) -> None:
        self.state: dict[int, PointState] = {}
        self.offline_gateways: set[int] = set()
        self.refresh_seconds = refresh_seconds
        self._loaded_at = float("-inf")
        self._watch = np.empty(0, dtype=bool)
        self._watch_version = -1

    def reset(self) -> None:
        self.state.clear()
        self.offline_gateways.clear()
        self._loaded_at = float("-inf")
        self._watch_version = -1

    def load_open_alarms(self) -> None:
        """Adopt the open, unrecovered alarms in the database (raised by another worker or before a restart)."""
        for state in self.state.values():
            state.high_level = state.low_level = 0
            state.rate_active = state.offline = False
        self.offline_gateways = set()
        rows = (Alarm._base_manager.filter(recovered_at__isnull=True).exclude(status=AlarmStatus.CLOSED)
                .values_list("point_id", "gateway_id", "kind", "level", "peak_value"))
        for point_id, gateway_id, kind, level, peak in rows:
            if kind == AlarmKind.GATEWAY_OFFLINE:
                self.offline_gateways.add(gateway_id)
                continue
            state = self.state.setdefault(point_id, PointState())
            if kind == AlarmKind.HIGH:
                state.high_level, state.high_peak = level, peak if peak is not None else 0.0
            elif kind == AlarmKind.LOW:
                state.low_level, state.low_peak = level, peak if peak is not None else 0.0
            elif kind == AlarmKind.RATE:
                state.rate_active = True
            elif kind == AlarmKind.POINT_OFFLINE:
                state.offline = True
        self._loaded_at = time.monotonic()
        self._watch_version = -1

    def __call__(self, readings: Readings | list[tuple[int, int, float]], points: PointTable, now: int,
                 gateway_ids: set[int] | frozenset[int] = frozenset()) -> None:
        """Evaluate newly stored readings (in any order; they are taken in time order)."""
        if time.monotonic() - self._loaded_at > self.refresh_seconds:
            self.load_open_alarms()
        for gateway_id in gateway_ids & self.offline_gateways:
            services.alarm_recover(kind=AlarmKind.GATEWAY_OFFLINE, gateway_id=gateway_id, at_ms=now)
            self.offline_gateways.discard(gateway_id)
        if not isinstance(readings, Readings):
            readings = Readings.from_rows(readings)
        if not len(readings):
            return
        if not len(points.ids):
            points.refresh()
        if self._watch_version != points.version:
            self._rebuild_watch(points)
        position, known = points.positions(readings.point_id)
        value = readings.value
        # Vectorised: only points with state, a rate limit or a reading past a threshold need a look, and
        # for those every reading of the batch (a reading back inside the band may recover an alarm).
        attention = known & (self._watch[position] | (value <= points.quiet_low[position])
                             | (value >= points.quiet_high[position]))
        if not attention.any():
            return
        hot = np.isin(readings.point_id, np.unique(readings.point_id[attention])) & known
        selected = np.flatnonzero(hot)
        selected = selected[np.argsort(readings.ts[selected], kind="stable")]
        by_id = points.by_id
        states = self.state
        for point_id, ts, value, at in zip(readings.point_id[selected].tolist(), readings.ts[selected].tolist(),
                                           readings.value[selected].tolist(), position[selected].tolist(),
                                           strict=True):
            info = by_id[point_id]
            state = states.get(point_id)
            if state is None:
                if info.rate_limit is None and info.quiet_low < value < info.quiet_high:
                    continue
                state = states[point_id] = PointState()
                self._watch[at] = True
            self._evaluate(info, state, ts, value, services)

    def _rebuild_watch(self, points: PointTable) -> None:
        self._watch = points.has_rate.copy()
        if self.state:
            position, known = points.positions(np.fromiter(self.state, np.int64, len(self.state)))
            self._watch[position[known]] = True
        self._watch_version = points.version

    def _evaluate(self, info: PointInfo, state: PointState, ts: int, value: float, services) -> None:
        if state.offline:
            services.alarm_recover(kind=AlarmKind.POINT_OFFLINE, point_id=info.id, at_ms=ts, value=value)
            state.offline = False
        late = state.last_ts is not None and ts < state.last_ts
        if not late:
            self._rate(info, state, ts, value, services)
            state.last_ts, state.last_value = ts, value
        # High side.
        level = 1 if info.high_high is not None and value >= info.high_high else (
            2 if info.high is not None and value >= info.high else 0)
        if level:
            if state.high_level:
                if level < state.high_level:
                    services.alarm_raise(kind=AlarmKind.HIGH, level=level, at_ms=ts, value=value,
                                         threshold=info.high_high, point_id=info.id)
                    state.high_level = level
                if value > state.high_peak:
                    services.alarm_track(point_id=info.id, kind=AlarmKind.HIGH, value=value)
                    state.high_peak = value
            else:
                if state.high_since is None:
                    state.high_since = ts
                if ts - state.high_since >= info.delay_ms:
                    services.alarm_raise(kind=AlarmKind.HIGH, level=level, at_ms=ts, value=value,
                                         threshold=info.high_high if level == 1 else info.high, point_id=info.id)
                    state.high_level, state.high_peak, state.high_since = level, value, None
        else:
            state.high_since = None
            if state.high_level:
                limit = info.high if info.high is not None else info.high_high
                if limit is None or value < limit - info.deadband:
                    services.alarm_recover(kind=AlarmKind.HIGH, point_id=info.id, at_ms=ts, value=value)
                    state.high_level = 0
        # Low side.
        level = 1 if info.low_low is not None and value <= info.low_low else (
            2 if info.low is not None and value <= info.low else 0)
        if level:
            if state.low_level:
                if level < state.low_level:
                    services.alarm_raise(kind=AlarmKind.LOW, level=level, at_ms=ts, value=value,
                                         threshold=info.low_low, point_id=info.id)
                    state.low_level = level
                if value < state.low_peak:
                    services.alarm_track(point_id=info.id, kind=AlarmKind.LOW, value=value)
                    state.low_peak = value
            else:
                if state.low_since is None:
                    state.low_since = ts
                if ts - state.low_since >= info.delay_ms:
                    services.alarm_raise(kind=AlarmKind.LOW, level=level, at_ms=ts, value=value,
                                         threshold=info.low_low if level == 1 else info.low, point_id=info.id)
                    state.low_level, state.low_peak, state.low_since = level, value, None
        else:
            state.low_since = None
            if state.low_level:
                limit = info.low if info.low is not None else info.low_low
                if limit is None or value > limit + info.deadband:
                    services.alarm_recover(kind=AlarmKind.LOW, point_id=info.id, at_ms=ts, value=value)
                    state.low_level = 0

    def _rate(self, info: PointInfo, state: PointState, ts: int, value: float, services) -> None:
        if info.rate_limit is None or state.last_ts is None or ts == state.last_ts:
            return
        per_minute = abs(value - state.last_value) * 60_000 / (ts - state.last_ts)
        if per_minute > info.rate_limit:
            if not state.rate_active:
                services.alarm_raise(kind=AlarmKind.RATE, level=2, at_ms=ts, value=value, threshold=info.rate_limit,
                                     point_id=info.id)
                state.rate_active = True
        elif state.rate_active:
            services.alarm_recover(kind=AlarmKind.RATE, point_id=info.id, at_ms=ts, value=value)
            state.rate_active = False


ENGINE = AlarmEngine()
