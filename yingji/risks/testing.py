"""Risk points for tests, created through the service like any other."""

import datetime

import factory

from yingji.risks import services
from yingji.risks.models import RiskPoint


class RiskPointFactory(factory.Factory):
    class Meta:
        model = RiskPoint

    name = factory.Sequence(lambda n: f"测试风险点{n:04d}")
    place = "一号车间"
    kind = "equipment"
    method = "lec"
    lec_l = "3"
    lec_e = "6"
    lec_c = "7"
    measure_engineering = "设置可燃气体报警仪"
    measure_management = "每班巡检"
    control_level = "workshop"
    responsible_person = "王工"
    responsible_phone = "13800000001"
    next_review = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=180))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.risk_point_create(actor=None, **kwargs)
