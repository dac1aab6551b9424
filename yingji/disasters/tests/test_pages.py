"""Every page and API resource of the disasters app, through the core base classes (jurisdiction included)."""

import datetime

from django.utils import timezone

from yingji.core.models import Organization
from yingji.core.services import organization_create
from yingji.core.testing import ScopedModelAPITests, ScopedModelViewTests
from yingji.disasters import services
from yingji.disasters.models import (
    Consultation,
    ConsultationTask,
    DisasterEvent,
    DisasterInformant,
    DisasterReport,
    FireDanger,
    ReportDuty,
    RiskJudgement,
    WeatherObservation,
    WeatherStation,
)
from yingji.disasters.testing import (
    TOWNSHIP1,
    TOWNSHIP2,
    make_consultation,
    make_event,
    make_report,
    make_station,
    make_task,
    observe,
)

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def station1(world):
    return WeatherStation.objects.filter(code="S1").first() or make_station(world.regions[TOWNSHIP1], "S1", 118.5,
                                                                             36.5)


def station2(world):
    return WeatherStation.objects.filter(code="S2").first() or make_station(world.regions[TOWNSHIP2], "S2", 118.8,
                                                                             36.3)


class Base:
    url_namespace = "disasters"
    actor = "county1_duty"
    outsider = "county2_duty"


# -- fire danger -----------------------------------------------------------------------------------------------


class StationDeclarations(Base):
    model = WeatherStation
    api_url = "/api/weather-stations/"

    def make_in_scope(self, world):
        return station1(world)

    def make_out_of_scope(self, world):
        return station2(world)

    def valid_form_data(self, world):
        return {"code": "S9", "name": "新建测试站", "region": TOWNSHIP1, "longitude": "118.55", "latitude": "36.45",
                "automatic": "on", "active": "on"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "latitude": "200"}, "90"

    def out_of_scope_form_data(self, world):
        return {**self.valid_form_data(world), "region": TOWNSHIP2}

    valid_api_data = valid_form_data
    invalid_api_data = invalid_form_data
    out_of_scope_api_data = out_of_scope_form_data


class TestStationPages(StationDeclarations, ScopedModelViewTests):
    pass


class TestStationAPI(StationDeclarations, ScopedModelAPITests):
    pass


class ObservationDeclarations(Base):
    model = WeatherObservation
    api_url = "/api/weather-observations/"

    def make_in_scope(self, world):
        return observe(station1(world), YESTERDAY)

    def make_out_of_scope(self, world):
        return observe(station2(world), YESTERDAY)

    def valid_form_data(self, world):
        return {"station": station1(world).pk, "date": YESTERDAY.isoformat(), "temperature": "18.5",
                "humidity": "35", "wind_speed": "12", "precipitation": "0"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "humidity": "150"}, "100"

    def out_of_scope_form_data(self, world):
        return {**self.valid_form_data(world), "station": station2(world).pk}

    def valid_api_data(self, world):
        data = self.valid_form_data(world)
        data.pop("station")
        return {**data, "station_code": "S1"}

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "humidity": 150}, "100"

    def out_of_scope_api_data(self, world):
        station2(world)
        return {**self.valid_api_data(world), "station_code": "S2"}


class TestObservationPages(ObservationDeclarations, ScopedModelViewTests):
    pass


class TestObservationAPI(ObservationDeclarations, ScopedModelAPITests):
    pass


class FireDangerDeclarations(Base):
    model = FireDanger
    api_url = "/api/fire-danger/"
    has_create = False
    has_edit = False
    writable = False

    def make_in_scope(self, world):
        observe(station1(world), YESTERDAY)
        return FireDanger.objects.get(station__code="S1", date=YESTERDAY)

    def make_out_of_scope(self, world):
        observe(station2(world), YESTERDAY)
        return FireDanger.objects.get(station__code="S2", date=YESTERDAY)


class TestFireDangerPages(FireDangerDeclarations, ScopedModelViewTests):
    has_history = False  # computed from the observations, which keep the history


class TestFireDangerAPI(FireDangerDeclarations, ScopedModelAPITests):
    pass


# -- disaster reports ----------------------------------------------------------------------------------------------


class InformantDeclarations(Base):
    model = DisasterInformant
    api_url = "/api/disaster-informants/"

    def make_in_scope(self, world):
        return services.informant_create(actor=None, name="王信息", mobile="13900000001", region=world.village1)

    def make_out_of_scope(self, world):
        return services.informant_create(actor=None, name="李信息", mobile="13900000002", region=world.village2)

    def valid_form_data(self, world):
        return {"name": "赵信息", "mobile": "13900000003", "region": world.village1.code,
                "training_status": "trained", "trained_on": "2026-03-01", "active": "on"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "mobile": "12345"}, "请输入11位手机号码"

    def out_of_scope_form_data(self, world):
        return {**self.valid_form_data(world), "region": world.village2.code}

    valid_api_data = valid_form_data
    invalid_api_data = invalid_form_data
    out_of_scope_api_data = out_of_scope_form_data


class TestInformantPages(InformantDeclarations, ScopedModelViewTests):
    pass


class TestInformantAPI(InformantDeclarations, ScopedModelAPITests):
    pass


class EventDeclarations(Base):
    model = DisasterEvent
    api_url = "/api/disaster-events/"

    def make_in_scope(self, world):
        return make_event(world.county1, [world.village1], name="甲区暴雨洪涝")

    def make_out_of_scope(self, world):
        return make_event(world.county2, [world.village2], name="乙区暴雨洪涝")

    def valid_form_data(self, world):
        return {"name": "甲区风雹", "hazard_type": "wind_hail", "region": world.county1.code,
                "affected_regions": [world.village1.code], "occurred_at": "2026-11-20T08:00",
                "description": "冰雹", "initial_hours": "2", "followup_hours": "24", "verification_days": "5"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "initial_hours": "0"}, "1"

    def out_of_scope_form_data(self, world):
        return {**self.valid_form_data(world), "region": world.county2.code, "affected_regions": []}

    def valid_api_data(self, world):
        return {**self.valid_form_data(world), "occurred_at": "2026-11-20T08:00:00+08:00"}

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "affected_regions": [world.regions["390102001000"].code,
                                                                   world.village2.code]}, "无效"

    def out_of_scope_api_data(self, world):
        return {**self.valid_api_data(world), "region": world.county2.code, "affected_regions": []}


class TestEventPages(EventDeclarations, ScopedModelViewTests):
    pass


class TestEventAPI(EventDeclarations, ScopedModelAPITests):
    pass


class ReportDeclarations(Base):
    model = DisasterReport
    api_url = "/api/disaster-reports/"

    def event1(self, world):
        return DisasterEvent.objects.filter(region=world.county1).first() or make_event(world.county1,
                                                                                         [world.village1])

    def make_in_scope(self, world):
        return make_report(self.event1(world), world.village1)

    def make_out_of_scope(self, world):
        return make_report(make_event(world.county2, [world.village2]), world.village2)

    def make_editable(self, world):
        return make_report(self.event1(world), world.village1, submit=False)

    def valid_form_data(self, world):
        return {"event": self.event1(world).pk, "region": world.village1.code, "kind": "initial",
                "affected_population": "120", "deaths": "0", "relocated": "30", "crops_affected_ha": "12.5",
                "crops_disaster_ha": "6", "crops_lost_ha": "1", "direct_loss_10k_yuan": "35.5", "note": "房屋进水"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "crops_disaster_ha": "20"}, "农作物成灾面积不能大于受灾面积"

    def out_of_scope_form_data(self, world):
        return {**self.valid_form_data(world), "region": world.village2.code}

    valid_api_data = valid_form_data
    invalid_api_data = invalid_form_data
    out_of_scope_api_data = out_of_scope_form_data


class TestReportPages(ReportDeclarations, ScopedModelViewTests):
    def test_a_village_informant_reports_from_the_form(self, client, world):
        event = self.event1(world)
        self.login(client, world, "village1_grid")
        response = client.post(self.url("create"), {**self.valid_form_data(world), "submit_now": "1"})
        assert response.status_code == 302, response.content.decode()[:2000]
        report = DisasterReport.objects.get(event=event, region=world.village1)
        assert report.status == "submitted"
        assert report.created_by == world.village1_grid


class TestReportAPI(ReportDeclarations, ScopedModelAPITests):
    pass


class DutyDeclarations(Base):
    model = ReportDuty
    has_create = False
    has_edit = False

    def make_in_scope(self, world):
        return make_event(world.county1, [world.village1]).duties.get()

    def make_out_of_scope(self, world):
        return make_event(world.county2, [world.village2]).duties.get()


class TestDutyPages(DutyDeclarations, ScopedModelViewTests):
    has_history = False  # bookkeeping rows of the event; its reports and timeline keep the history


# -- consultations ----------------------------------------------------------------------------------------------


class ConsultationDeclarations(Base):
    model = Consultation
    api_url = "/api/consultations/"

    def make_in_scope(self, world):
        return make_consultation(world.county1, "甲区十二月会商")

    def make_out_of_scope(self, world):
        return make_consultation(world.county2, "乙区十二月会商")

    def valid_form_data(self, world):
        return {"topic": "甲区防火期会商", "kind": "regular", "period": "fire_season", "region": world.county1.code,
                "held_at": "2026-11-20T09:00", "place": "会商室", "participants": "张三 水利局",
                "period_start": "2026-12-01", "period_end": "2027-03-31", "conclusions": ""}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "kind": "special"}, "专题会商不选择定期周期"

    def out_of_scope_form_data(self, world):
        return {**self.valid_form_data(world), "region": world.county2.code}

    def valid_api_data(self, world):
        return {**self.valid_form_data(world), "held_at": "2026-11-20T09:00:00+08:00"}

    def invalid_api_data(self, world):
        return {**self.valid_api_data(world), "kind": "special"}, "专题会商不选择定期周期"

    out_of_scope_api_data = out_of_scope_form_data


class TestConsultationPages(ConsultationDeclarations, ScopedModelViewTests):
    pass


class TestConsultationAPI(ConsultationDeclarations, ScopedModelAPITests):
    pass


class JudgementDeclarations(Base):
    model = RiskJudgement

    def consultation1(self, world):
        return Consultation.objects.filter(region=world.county1).first() or make_consultation(world.county1, "甲区会商")

    def make_in_scope(self, world):
        return services.judgement_create(actor=None, consultation=self.consultation1(world),
                                         region=world.regions[TOWNSHIP1], hazard_type="forest_fire", level=3,
                                         description="林区火险较高")

    def make_out_of_scope(self, world):
        return services.judgement_create(actor=None, consultation=make_consultation(world.county2, "乙区会商"),
                                         region=world.regions[TOWNSHIP2], hazard_type="flood", level=2,
                                         description="河道水位偏高")

    def valid_form_data(self, world):
        return {"consultation": self.consultation1(world).pk, "region": TOWNSHIP1, "hazard_type": "geological",
                "level": "2", "description": "注意山体滑坡"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "level": ""}, "该字段是必填项"

    def out_of_scope_form_data(self, world):
        return {**self.valid_form_data(world), "region": TOWNSHIP2}


class TestJudgementPages(JudgementDeclarations, ScopedModelViewTests):
    pass


class TaskDeclarations(Base):
    model = ConsultationTask
    api_url = "/api/consultation-tasks/"

    def consultation1(self, world):
        return Consultation.objects.filter(region=world.county1).first() or make_consultation(world.county1, "甲区会商")

    def org(self, world, county):
        name = f"{county.name}林业局"

        return Organization.objects.filter(name=name).first() or organization_create(
            actor=None, name=name, kind="industry", region=county)

    def make_in_scope(self, world):
        return make_task(self.consultation1(world), self.org(world, world.county1), "甲区开展防火巡查")

    def make_out_of_scope(self, world):
        return make_task(make_consultation(world.county2, "乙区会商"), self.org(world, world.county2), "乙区清理可燃物")

    def valid_form_data(self, world):
        return {"consultation": self.consultation1(world).pk, "title": "检修防火通道",
                "organization": self.org(world, world.county1).pk, "due_date": "2026-12-10"}

    def invalid_form_data(self, world):
        return {**self.valid_form_data(world), "due_date": "下周"}, "有效的日期"

    def out_of_scope_form_data(self, world):
        return {**self.valid_form_data(world), "organization": self.org(world, world.county2).pk}

    valid_api_data = valid_form_data
    out_of_scope_api_data = out_of_scope_form_data

    def invalid_api_data(self, world):
        return {**self.valid_form_data(world), "due_date": "下周"}, "日期"


class TestTaskPages(TaskDeclarations, ScopedModelViewTests):
    pass


class TestTaskAPI(TaskDeclarations, ScopedModelAPITests):
    pass
