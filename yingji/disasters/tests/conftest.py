import pytest

from yingji.disasters.testing import add_people


@pytest.fixture
def world(world):
    """The core test city plus duty officers, village 灾害信息员 and a department user (see testing.add_people)."""
    return add_people(world)
