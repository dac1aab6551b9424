"""The public pages: reporting without an account, the challenge, abuse limits and the tracking page."""

import re

import pytest
from django.urls import reverse

from yingji.core.services import region_update
from yingji.core.tasks import sweep
from yingji.tipoffs.models import PublicHit, TipOff, TipOffPhoto
from yingji.tipoffs.services import format_tracking_code, tipoff_act, tipoff_submit
from yingji.tipoffs.testing import fake_image, make_tipoff, png_file, public_form_data, solved_challenge

pytestmark = pytest.mark.django_db

REPORT = "/tipoffs/report/"
TRACK = "/tipoffs/track/"


def square(lon, lat, size):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def submit(client, data, **extra):
    return client.post(REPORT, data, **extra)


def test_the_form_opens_without_logging_in_and_asks_a_question(client, world):
    response = client.get(REPORT)
    assert response.status_code == 200
    page = response.content.decode()
    assert "有奖举报" in page and "等于多少" in page and 'name="website"' in page
    assert "甲一街道 / 甲一社区" in page
    assert response.context["title"] and response.context["breadcrumbs"]


def test_a_valid_tipoff_is_saved_and_the_reporter_gets_a_code_once(client, world):
    response = submit(client, public_form_data(world.village1, reporter_name="王举报", reporter_phone="13912345678",
                                               photos=[png_file("a.png"), png_file("b.png")]))
    assert response.status_code == 302, response.content.decode()[:2000]
    tipoff = TipOff.objects.get()
    assert (tipoff.region, tipoff.status, tipoff.reporter_name) == (world.village1, "received", "王举报")
    assert tipoff.photos.count() == 2
    assert all(re.fullmatch(r"tipoffs/\d{4}/\d{2}/[0-9a-f]{32}\.png", p.file.name) for p in tipoff.photos.all())
    done = client.get(response["Location"])
    code = done.context["code"]
    assert len(code.replace("-", "")) == 16 and code in done.content.decode()
    assert code.replace("-", "") not in str(TipOff.objects.values().get())
    assert client.get(response["Location"]).status_code == 302  # shown only once


def test_anonymous_reporting_is_allowed(client, world):
    assert submit(client, public_form_data(world.village1)).status_code == 302
    assert TipOff.objects.get().is_anonymous


def test_the_region_is_found_from_the_point_on_the_map(client, world):
    region_update(actor=None, region=world.village1, boundary=square(118.0, 36.0, 0.05))
    region_update(actor=None, region=world.village2, boundary=square(118.2, 36.0, 0.05))
    response = submit(client, public_form_data(longitude="118.21", latitude="36.02", address=""))
    assert response.status_code == 302
    assert TipOff.objects.get().region == world.village2


def test_a_point_outside_every_village_is_refused_in_chinese(client, world):
    region_update(actor=None, region=world.village1, boundary=square(118.0, 36.0, 0.05))
    response = submit(client, public_form_data(longitude="100.0", latitude="30.0"))
    assert response.status_code == 400
    assert "所选位置不在本市辖区内" in response.content.decode()
    assert not TipOff.objects.exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"description": "太短"}, "确保该变量至少包含 10 字符"),
    ({"category": ""}, "该字段是必填项"),
    ({"region": ""}, "请在地图上点选位置，或选择所在乡镇（街道）/村（社区）"),
    ({"address": ""}, "请填写详细地点"),
    ({"reporter_phone": "abc-123"}, "请输入11位手机号码、带区号的固定电话或服务号码"),
    ({"region": "390102000000"}, "选择一个有效的选项"),
])
def test_invalid_input_shows_chinese_errors_and_saves_nothing(client, world, overrides, message):
    response = submit(client, public_form_data(world.village1, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TipOff.objects.exists()


def test_a_wrong_answer_is_refused_and_a_new_question_is_asked(client, world):
    data = public_form_data(world.village1, answer="8")
    response = submit(client, data)
    assert response.status_code == 400
    assert "验证问题回答错误" in response.content.decode()
    assert response.context["form"].data["challenge"] != data["challenge"]
    assert not TipOff.objects.exists()


def test_a_tampered_or_too_fast_challenge_is_refused(client, world):
    tampered = public_form_data(world.village1, challenge=solved_challenge()["challenge"] + "x")
    assert "验证问题无效" in submit(client, tampered).content.decode()
    too_fast = public_form_data(world.village1, **solved_challenge(seconds_ago=0))
    assert "提交过快" in submit(client, too_fast).content.decode()
    assert not TipOff.objects.exists()


def test_the_honeypot_catches_a_bot(client, world):
    response = submit(client, public_form_data(world.village1, website="http://spam.example"))
    assert response.status_code == 400
    assert "提交未通过校验" in response.content.decode()
    assert not TipOff.objects.exists()


def test_photos_are_checked_by_content_size_and_number(client, world, settings):
    response = submit(client, public_form_data(world.village1, photos=[fake_image()]))
    assert response.status_code == 400 and "不是允许的图片格式" in response.content.decode()
    settings.TIPOFF_PHOTO_MAX_BYTES = 1000
    response = submit(client, public_form_data(world.village1, photos=[png_file(size=2000)]))
    assert response.status_code == 400 and "过大" in response.content.decode()
    response = submit(client, public_form_data(world.village1, photos=[png_file(f"{i}.png") for i in range(4)]))
    assert response.status_code == 400 and "最多上传 3 张照片" in response.content.decode()
    assert not TipOff.objects.exists() and not TipOffPhoto.objects.exists()


def test_the_service_refuses_a_bad_photo_before_writing_anything(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不是允许的图片格式"):
        tipoff_submit(description="某厂违规储存危化品十余桶", category="hazchem", region=world.village1,
                      photos=[png_file(), fake_image()])
    assert not TipOff.objects.exists() and not TipOffPhoto.objects.exists()


def test_submissions_are_limited_per_address(client, world, settings):
    settings.TIPOFF_RATE_LIMIT = 2
    for _ in range(2):
        assert submit(client, public_form_data(world.village1)).status_code == 302
    response = submit(client, public_form_data(world.village1))
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert submit(client, public_form_data(world.village1), REMOTE_ADDR="10.0.0.9").status_code == 302
    assert TipOff.objects.count() == 3
    assert "127.0.0.1" not in str(list(PublicHit.objects.values()))


def test_input_is_escaped_on_every_page(client, world):
    script = "<script>alert('x')</script>某厂车间堆放杂物堵塞通道"
    submit(client, public_form_data(world.village1, description=script, reporter_name="<b>王</b>"))
    tipoff = TipOff.objects.get()
    client.force_login(world.county1_officer)
    for url in (reverse("tipoffs:tipoff_detail", args=[tipoff.pk]), reverse("tipoffs:tipoff_list")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<b>王</b>" not in page
        assert "&lt;script&gt;" in page


def track(client, code, **extra):
    return client.post(TRACK, {"code": code}, **extra)


def test_the_tracking_page_shows_status_and_milestones_only(client, world):
    tipoff, code = tipoff_submit(description="某厂违规储存危化品十余桶", category="hazchem", region=world.village1,
                                 address="工业路1号", reporter_name="王举报", reporter_phone="13912345678")
    tipoff = tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="accept", reason="内部备注甲")
    tipoff_act(tipoff=tipoff, actor=world.county1_officer, action="investigate", reason="内部备注乙")
    other = make_tipoff(world.village1, description="另一个人的举报内容十分机密", reporter_name="李别人")
    response = track(client, format_tracking_code(code).lower())
    page = response.content.decode()
    assert response.status_code == 200
    assert "核查中" in page and "举报已受理" in page and "正在核查" in page
    for secret in ("内部备注", "王举报", "13912345678", "county1_officer", tipoff.number, "李别人", other.description,
                   "工业路1号"):
        assert secret not in page, secret


def test_a_wrong_code_gets_a_generic_message_and_is_limited(client, world, settings):
    settings.TIPOFF_TRACK_RATE_LIMIT = 3
    _tipoff, code = tipoff_submit(description="某厂违规储存危化品十余桶", category="hazchem", region=world.village1,
                                  address="工业路1号")
    for guess in ("AAAA-BBBB-CCCC-DDDD", "short", "AAAA-BBBB-CCCC-DDDE"):
        response = track(client, guess)
        assert response.status_code == 200 and "未查询到对应的举报" in response.content.decode()
    response = track(client, code)
    assert response.status_code == 429 and "查询失败次数过多" in response.content.decode()
    assert "已接收" not in response.content.decode()
    assert track(client, code, REMOTE_ADDR="10.0.0.8").status_code == 200


def test_the_public_boundaries_carry_names_and_outlines_only(client, world):
    region_update(actor=None, region=world.city, boundary=square(118.0, 36.0, 0.4), population=1000)
    region_update(actor=None, region=world.county1, boundary=square(118.0, 36.0, 0.2))
    region_update(actor=None, region=world.village1, boundary=square(118.0, 36.0, 0.05))
    body = client.get("/tipoffs/regions.geojson").json()
    assert [f["properties"]["name"] for f in body["features"]] == ["测试市", "甲区"]
    assert all(set(f["properties"]) == {"code", "name", "role"} for f in body["features"])


def test_the_old_counters_are_swept(world):
    import datetime

    from django.utils import timezone

    PublicHit.objects.create(kind="submit", client_key="x", at=timezone.now() - datetime.timedelta(days=2))
    PublicHit.objects.create(kind="submit", client_key="x", at=timezone.now())
    assert sweep()["yingji.tipoffs.tasks.purge_public_hits"] == 1
    assert PublicHit.objects.count() == 1
