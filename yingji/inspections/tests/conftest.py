import pytest

from yingji.enterprises.testing import EnterpriseFactory
from yingji.inspections.testing import make_inspector


@pytest.fixture
def firms(world):
    """Two enterprises in county 1 and one in county 2."""
    return {
        "a": EnterpriseFactory(region=world.village1, name="甲化工有限公司", supervision_class="A"),
        "b": EnterpriseFactory(region=world.village1, name="乙机械有限公司", category="machinery"),
        "c": EnterpriseFactory(region=world.village2, name="丙化工有限公司"),
    }


@pytest.fixture
def officers(world):
    """Four certified officers of county 1 and two of county 2."""
    return {
        "county1": [make_inspector(world.county1, name=f"甲区执法员{n}") for n in range(1, 5)],
        "county2": [make_inspector(world.county2, name=f"乙区执法员{n}") for n in range(1, 3)],
    }
