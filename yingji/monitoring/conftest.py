import pytest

from yingji.monitoring import ingest
from yingji.monitoring.alarms import ENGINE
from yingji.monitoring.services.readings import GATEWAYS_SEEN


@pytest.fixture(autouse=True)
def _fresh_worker_state():
    # Tests roll back their points and alarms; state kept by an earlier test must not answer for the next one.
    ingest.invalidate_point_tables()
    ENGINE.reset()
    GATEWAYS_SEEN.reset()
    yield
    ingest.invalidate_point_tables()
    ENGINE.reset()
    GATEWAYS_SEEN.reset()
