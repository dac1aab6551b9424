"""The example files of docs/onboarding.md import as the guide says, in its order, into an empty platform."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from yingji.core import roles
from yingji.core.bureau import bureau_configure
from yingji.core.models import Region

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples" / "onboarding"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def onboarded(db):
    roles.sync_roles()
    bureau_configure(actor=None, name="青禾市应急管理局", root_code="390100000000", root_name="青禾市",
                     ancestor_names=["江海省"])
    run("import_regions", str(EXAMPLES / "regions.csv"), "--apply")
    run("import_boundaries", str(EXAMPLES / "boundaries.geojson"), "--apply")
    run("import_organizations", str(EXAMPLES / "organizations.xlsx"))
    return run("import_users", str(EXAMPLES / "users.xlsx"))


def test_the_region_table_gives_the_city_its_counties_townships_and_villages(onboarded):
    assert Region.objects.filter(code__startswith="3901").count() == 9
    assert Region.objects.get(code="390121100201").parent_id == "390121100000"
    assert Region.objects.get(code="390102001001").urban_rural_code == "111"
