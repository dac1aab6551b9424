"""Old rate-limit counters are removed by the periodic sweep, so the table stays the size of one day."""

from yingji.core.tasks import sweeper
from yingji.tipoffs.services import throttle_purge


@sweeper
def purge_public_hits() -> int:
    return throttle_purge()
