"""A region retired by a later year's division table is not offered any more, but records that point to it keep it."""

import pytest
from django.utils import timezone

from yingji.core.forms import OrganizationForm
from yingji.core.models import Region
from yingji.core.services import organization_create

pytestmark = pytest.mark.django_db


def test_a_retired_region_is_not_offered_for_a_new_record(world):
    Region.objects.filter(pk=world.village2.pk).update(retired_at=timezone.now())
    offered = set(OrganizationForm(user=world.city_admin).fields["region"].queryset.values_list("pk", flat=True))
    assert world.village1.pk in offered and world.village2.pk not in offered


def test_a_record_on_a_retired_region_keeps_it_until_changed(world):
    unit = organization_create(actor=None, name="乙二村委会", kind="village_committee", region=world.village2)
    Region.objects.filter(pk=world.village2.pk).update(retired_at=timezone.now())
    form = OrganizationForm(instance=unit, user=world.city_admin)
    offered = set(form.fields["region"].queryset.values_list("pk", flat=True))
    assert world.village2.pk in offered
    other = OrganizationForm(instance=organization_create(actor=None, name="甲一社区居委会", kind="village_committee",
                                                          region=world.village1), user=world.city_admin)
    assert world.village2.pk not in set(other.fields["region"].queryset.values_list("pk", flat=True))
