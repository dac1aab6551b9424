"""Enterprises for tests, created through the service like any other."""

import itertools

import factory

from yingji.enterprises import services
from yingji.enterprises.models import Enterprise
from yingji.standards.uscc import CHARSET, check_character

_serial = itertools.count(1)


def credit_code(county_code: str = "390102") -> str:
    """A valid, unique 统一社会信用代码 registered in `county_code`."""
    number = next(_serial)
    body = ""
    for _ in range(9):
        number, digit = divmod(number, len(CHARSET))
        body = CHARSET[digit] + body
    first17 = f"91{county_code}{body}"
    return first17 + check_character(first17)


class EnterpriseFactory(factory.Factory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试化工有限公司{n:04d}")
    credit_code = factory.LazyAttribute(lambda o: credit_code(o.region.code[:6]))
    address = "测试路1号"
    longitude = 118.5
    latitude = 36.4
    industry_code = "C2614"
    industry_name = "有机化学原料制造"
    category = "hazchem_production"
    scale_type = "above"
    size = "medium"
    supervision_class = "B"
    legal_representative = "张三"
    principal = "李四"
    principal_phone = "13900000001"
    employee_count = 120
    status = "operating"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.enterprise_create(actor=None, **kwargs)
