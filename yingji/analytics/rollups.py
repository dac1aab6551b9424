"""The roll-up the cockpit reads: open rows per township (`Tally`), for the tables that grow without bound.

Each count is a condition on one source model, declared by the model's app in its `contributions.py`
(`ROLLUP_COUNTS`: open incidents in incidents, open alarms in monitoring). A save of a source row refreshes its township's tallies after
commit (so the cockpit is live), and the sweep recomputes every tally (so a bulk load, a COPY, a move to another
township or a lost hook is repaired within a minute). Reading a figure for a city is then a sum over a few hundred
tally rows instead of a count over the source table.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.db.models.signals import post_save
from django.utils import timezone

from yingji.analytics.models import Tally
from yingji.core.contributions import RollupCount, contributions
from yingji.core.scoping import code_prefix_q

log = logging.getLogger(__name__)

# A tally row names a township by the first nine digits of the code; rows kept at county or city level land on
# that region itself (its code has zeros there), so every prefix sum stays exact.
TOWNSHIP_DIGITS = 9


def rollup_counts() -> dict[str, RollupCount]:
    """The counts kept, by key: every app's `ROLLUP_COUNTS` (open incidents, open alarms...)."""
    return contributions("ROLLUP_COUNTS")


def _township_of(prefix: str) -> str:
    return prefix.ljust(12, "0")


def _counts(metric: RollupCount, prefix: str | None) -> dict[str, int]:
    queryset = apps.get_model(metric.model)._base_manager.filter(metric.condition())
    if prefix:
        queryset = queryset.filter(code_prefix_q("region__code", prefix))
    rows = (queryset.annotate(township=Substr("region_id", 1, TOWNSHIP_DIGITS)).values_list("township")
            .annotate(n=Count("pk")).order_by())
    return {_township_of(township): n for township, n in rows}


@transaction.atomic
def refresh_tallies(prefix: str | None = None, metrics: list[RollupCount] | None = None) -> int:
    """Recompute the tallies of `metrics` (all by default) under a region prefix (everything by default).

    Returns the number of tally rows written.
    """
    now = timezone.now()
    written = 0
    for metric in metrics or rollup_counts().values():
        counts = _counts(metric, prefix)
        stale = Tally.objects.filter(metric=metric.key).exclude(region_id__in=list(counts)).exclude(value=0)
        if prefix:
            stale = stale.filter(code_prefix_q("region__code", prefix))
        written += stale.update(value=0, updated_at=now)
        rows = [Tally(metric=metric.key, region_id=code, value=n, updated_at=now) for code, n in counts.items()]
        Tally.objects.bulk_create(rows, batch_size=1000, update_conflicts=True, unique_fields=["metric", "region"],
                                  update_fields=["value", "updated_at"])
        written += len(rows)
    return written


def tally_sums(prefix: str, child_length: int | None = None) -> dict[str, dict[str, int]]:
    """{metric: {child prefix or "": sum}} over every tally under `prefix`: one GROUP BY on the tally index."""
    queryset = Tally.objects.filter(code_prefix_q("region__code", prefix), metric__in=list(rollup_counts()))
    result: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if child_length:
        rows = (queryset.annotate(child=Substr("region_id", 1, child_length)).values_list("metric", "child")
                .annotate(total=Sum("value")).order_by())
        for metric, child, total in rows:
            result[metric][child] += total or 0
            result[metric][""] += total or 0
    else:
        for metric, total in queryset.values_list("metric").annotate(total=Sum("value")).order_by():
            result[metric][""] += total or 0
    return result


def _refresh_after_commit(metrics: list[RollupCount], sender, instance, **kwargs) -> None:
    region_id = getattr(instance, "region_id", None)
    if not region_id:
        return
    prefix = region_id[:TOWNSHIP_DIGITS]
    # robust: a failed refresh must never undo or break the write it follows; the sweep repairs the tally.
    transaction.on_commit(functools.partial(refresh_tallies, prefix, metrics), robust=True)


def connect() -> None:
    """Hook every source model's saves (called from AppConfig.ready)."""
    by_model: dict[str, list[RollupCount]] = defaultdict(list)
    for metric in rollup_counts().values():
        by_model[metric.model].append(metric)
    for label, metrics in by_model.items():
        post_save.connect(functools.partial(_refresh_after_commit, metrics), sender=label, weak=False,
                          dispatch_uid=f"analytics-tally-{label}")
