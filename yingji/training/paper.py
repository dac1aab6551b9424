"""Drawing a paper from a seed and scoring it: pure functions, so both are reproducible and testable alone."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

# The order of the sections on a paper; part of the draw, so never reorder it.
KIND_ORDER = ("single", "multiple", "judge")
# Bumped whenever draw_paper's algorithm changes; stored nowhere yet because it has never changed.
ALGORITHM_VERSION = 1


def draw_paper(pool: Mapping[str, list[int]], counts: Mapping[str, int], seed: int) -> list[int]:
    """The question ids of one paper: for each kind in KIND_ORDER, `counts[kind]` ids sampled from the pool.

    The same pool, counts and seed always give the same paper (random.Random is specified to be
    reproducible for a given seed across platforms and Python versions for `sample`).
    """
    rng = random.Random(seed)
    paper: list[int] = []
    for kind in KIND_ORDER:
        count = counts.get(kind, 0)
        if count <= 0:
            continue
        candidates = sorted(pool.get(kind, []))
        if count > len(candidates):
            raise ValueError(f"{kind}: {count} wanted, {len(candidates)} in the pool")
        paper.extend(rng.sample(candidates, count))
    return paper


@dataclass(frozen=True)
class Marked:
    score: Decimal
    correct: int
    # question id -> whether the answer was right
    right: dict[int, bool]


def mark(paper: list[int], key: Mapping[int, tuple[str, str]], answers: Mapping[str, str],
         scores: Mapping[str, Decimal]) -> Marked:
    """Score a paper. `key`: id -> (kind, correct answer); `answers`: str(id) -> given answer.

    A question scores its full value only when the answer is exactly right (a multiple-choice answer with
    a letter missing or extra scores nothing), the usual rule of safety-qualification exams.
    """
    total = Decimal("0")
    right: dict[int, bool] = {}
    for question_id in paper:
        kind, correct = key[question_id]
        given = "".join(sorted(set(str(answers.get(str(question_id), "")))))
        is_right = bool(given) and given == "".join(sorted(correct))
        right[question_id] = is_right
        if is_right:
            total += scores[kind]
    return Marked(score=total, correct=sum(right.values()), right=right)
