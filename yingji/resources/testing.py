"""Resources for tests, created through the services like any other."""

import itertools

import factory

from yingji.resources import services
from yingji.resources.models import Expert, Material, RescueTeam, ResourcePoint, Shelter, Warehouse

_codes = itertools.count(1)


class _ServiceFactory(factory.Factory):
    class Meta:
        abstract = True

    longitude = 118.5
    latitude = 36.4


class RescueTeamFactory(_ServiceFactory):
    class Meta:
        model = RescueTeam

    name = factory.Sequence(lambda n: f"测试救援队{n:04d}")
    kind = "professional"
    member_count = 20
    leader = "赵队长"
    phone = "13900000011"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.rescue_team_create(actor=None, **kwargs)


class WarehouseFactory(_ServiceFactory):
    class Meta:
        model = Warehouse

    name = factory.Sequence(lambda n: f"测试物资库{n:04d}")
    level = "county"
    manager = "钱库管"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.warehouse_create(actor=None, **kwargs)


class MaterialFactory(factory.Factory):
    """A catalogue entry; pass `region` for its owner (by default the top bureau's, as the system makes them)."""

    class Meta:
        model = Material

    code = factory.LazyFunction(lambda: f"WZ{next(_codes):05d}")
    name = factory.Sequence(lambda n: f"测试物资{n:04d}")
    category = "rescue"
    unit = "件"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.material_create(actor=None, **kwargs)


class ShelterFactory(_ServiceFactory):
    class Meta:
        model = Shelter

    name = factory.Sequence(lambda n: f"测试避难场所{n:04d}")
    kind = "fixed"
    effective_area_m2 = 3000

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.shelter_create(actor=None, **kwargs)


class ExpertFactory(_ServiceFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"专家{n:04d}")
    field = "hazchem"
    title = "高级工程师"
    organization = "测试化工研究院"
    phone = "13900000022"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.expert_create(actor=None, **kwargs)


class ResourcePointFactory(_ServiceFactory):
    class Meta:
        model = ResourcePoint

    name = factory.Sequence(lambda n: f"测试医院{n:04d}")
    kind = "medical"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.resource_point_create(actor=None, **kwargs)
