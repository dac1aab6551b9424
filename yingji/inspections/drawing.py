"""双随机 draws as pure functions: the same inputs and seed give the same result on every machine.

No Django here. A draw record stores `ALGORITHM_VERSION`, the seed and a canonical snapshot of the inputs; feeding
them back through `run()` must reproduce the stored result exactly ("re-run from record").

The algorithm (version "wswor-fenwick/1"):

1. Each phase gets its own PRNG: `random.Random(int(sha256(f"{seed}:{phase}")))`, i.e. Python's MT19937, whose
   `randrange` over integers has been stable since Python 3.2. Only integers are drawn, never floats, so no
   platform's floating-point rounding can change a result.
2. Targets: sequential weighted sampling without replacement. Candidates are sorted by id; each has a positive
   integer weight (its risk). Repeatedly draw `r = randrange(total weight)`, take the candidate whose cumulative
   weight interval holds `r` (found in O(log n) with a Fenwick tree), remove it (weight to zero), until `count`
   are drawn or none remain. A candidate's chance at each step is its weight over the remaining total.
3. Team members (inspectors or experts) for each drawn target, in draw order: draw uniformly from the pool sorted
   by id, refusing anyone already in the team, over the load limit, in declared conflict with the target, or on
   the target's previous team; after 64 refused picks per member the eligible ones are listed and one is drawn
   from that list (those over the load limit only when nobody else is left), so the result is still a function
   of the seed alone. The load limit is ceil(count × team size / pool size), which spreads the work evenly.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ALGORITHM_VERSION = "wswor-fenwick/1"
MAX_REJECTIONS = 64


class DrawError(ValueError):
    """The inputs cannot give a valid draw; the message says why, in Chinese."""

    def __init__(self, message: str, target: int | None = None) -> None:
        super().__init__(message)
        self.target = target


def canonical(value: Any) -> str:
    """The one text form of a snapshot: sorted keys, no spaces, so its digest is stable."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def phase_rng(seed: str, phase: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(f"{seed}:{phase}".encode()).digest(), "big"))


class _Fenwick:
    """Prefix sums of integer weights with point updates, for O(log n) weighted picks."""

    def __init__(self, weights: Sequence[int]) -> None:
        self.size = len(weights)
        prefix = [0, *itertools.accumulate(weights)]
        # Node i covers the weights (i - lowbit(i), i]: a difference of two prefix sums.
        self.tree = [0] + [prefix[i] - prefix[i - (i & -i)] for i in range(1, self.size + 1)]
        self.total = prefix[-1]
        self.top = 1 << max(self.size.bit_length() - 1, 0) if self.size else 0

    def add(self, position: int, delta: int) -> None:
        index = position + 1
        while index <= self.size:
            self.tree[index] += delta
            index += index & -index
        self.total += delta

    def find(self, value: int) -> int:
        """The position whose cumulative interval holds `value` (0 <= value < total)."""
        position = 0
        step = self.top
        while step:
            nxt = position + step
            if nxt <= self.size and self.tree[nxt] <= value:
                position = nxt
                value -= self.tree[nxt]
            step >>= 1
        return position


def weighted_sample(rng: random.Random, candidates: Iterable[Sequence[int]], count: int) -> list[int]:
    """`count` ids drawn without replacement, each step in proportion to weight. Candidates: (id, weight)."""
    ordered = sorted(map(tuple, candidates))
    if not ordered:
        return []
    ids, weights = (list(column) for column in zip(*ordered, strict=True))
    if any(type(w) is not int for w in weights) or min(weights) <= 0:
        raise DrawError("候选对象的权重应为正整数")
    if any(type(i) is not int for i in ids) or len(set(ids)) != len(ids):
        raise DrawError("候选对象编号应为不重复的整数")
    tree = _Fenwick(weights)
    chosen: list[int] = []
    for _ in range(min(count, len(ids))):
        position = tree.find(rng.randrange(tree.total))
        chosen.append(ids[position])
        tree.add(position, -weights[position])
    return chosen


@dataclass
class TeamRules:
    pool: Sequence[int]
    size: int
    conflicts: Mapping[int, Iterable[int]] = field(default_factory=dict)  # target id -> member ids to avoid
    previous: Mapping[int, Iterable[int]] = field(default_factory=dict)  # target id -> its last team
    load_limit: int | None = None


def assign_teams(rng: random.Random, targets: Sequence[int], rules: TeamRules) -> dict[int, list[int]]:
    """A team of `rules.size` members for each target, in target order; DrawError when one cannot be staffed."""
    pool = sorted(set(rules.pool))
    if rules.size < 1:
        raise DrawError("每组人数至少为1")
    limit = rules.load_limit or max(1, math.ceil(len(targets) * rules.size / max(len(pool), 1)))
    load = dict.fromkeys(pool, 0)
    teams: dict[int, list[int]] = {}
    for target in targets:
        avoid = set(rules.conflicts.get(target, ())) | set(rules.previous.get(target, ()))
        team: list[int] = []
        for _slot in range(rules.size):
            member = None
            for _attempt in range(MAX_REJECTIONS):
                if not pool:
                    break
                pick = pool[rng.randrange(len(pool))]
                if pick not in avoid and pick not in team and load[pick] < limit:
                    member = pick
                    break
            if member is None:
                free = [m for m in pool if m not in avoid and m not in team]
                # The load limit spreads the work; it yields rather than leave a target without a team.
                eligible = [m for m in free if load[m] < limit] or free
                if not eligible:
                    raise DrawError(f"对象 {target} 可选人员不足{rules.size}人（已执行回避规则）", target=target)
                member = eligible[rng.randrange(len(eligible))]
            team.append(member)
            load[member] += 1
        teams[target] = sorted(team)
    return teams


def _int_keys(mapping: Mapping[Any, Iterable[Any]] | None) -> dict[int, list[int]]:
    return {int(key): [int(v) for v in values] for key, values in (mapping or {}).items()}


def draw_targets(*, seed: str, inputs: Mapping[str, Any]) -> list[int]:
    """Phase 1 of `run`: the targets alone (callers look up the team rules of just these, then call draw_teams)."""
    excluded = {int(k) for k in (inputs.get("excluded") or {})}
    candidates = inputs["targets"]
    if excluded:
        candidates = [c for c in candidates if c[0] not in excluded]
    return weighted_sample(phase_rng(seed, "targets"), candidates, int(inputs["count"]))


def draw_teams(*, seed: str, targets: Sequence[int], team: Mapping[str, Any]) -> dict[str, list[int]]:
    """Phase 2 of `run`: a team for each drawn target."""
    rules = TeamRules(
        pool=[int(m) for m in team["pool"]], size=int(team["size"]), conflicts=_int_keys(team.get("conflicts")),
        previous=_int_keys(team.get("previous")), load_limit=team.get("load_limit"),
    )
    return {str(k): v for k, v in assign_teams(phase_rng(seed, "teams"), targets, rules).items()}


def run(*, seed: str, version: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The result of a draw from its stored record; raises DrawError for another algorithm version.

    `inputs`:
      targets: [[id, weight], ...]      candidates after the filters (integer ids, positive integer weights)
      count: number of targets to draw
      team: {pool: [ids], size: n, conflicts: {target: [ids]}, previous: {target: [ids]}, load_limit: n|None}
            (optional; without it only targets are drawn)
      excluded: {id: reason}            candidates removed by avoidance rules before drawing (optional)

    Result: {"targets": [ids in draw order], "teams": {target: [member ids]}} (keys as strings, JSON-ready).
    """
    if version != ALGORITHM_VERSION:
        raise DrawError(f"不支持的抽取算法版本：{version}（当前 {ALGORITHM_VERSION}）")
    targets = draw_targets(seed=seed, inputs=inputs)
    team = inputs.get("team")
    teams = draw_teams(seed=seed, targets=targets, team=team) if team else {}
    return {"targets": targets, "teams": teams}
