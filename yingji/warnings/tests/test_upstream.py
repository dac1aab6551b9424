from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from yingji.warnings.models import UpstreamMessage, UpstreamSource, Warning
from yingji.warnings.services import upstream_forward, upstream_import
from yingji.warnings.testing import add_warning_staff

pytestmark = pytest.mark.django_db
MESSAGES = Path(__file__).parent / "messages"


def upload(client, name: str, content: bytes):
    return client.post("/warnings/upstream/upload/", {"file": SimpleUploadedFile(name, content, "text/xml")})


def test_an_uploaded_cap_message_is_validated_shown_and_kept_once(client, world):
    client.force_login(world.county1_admin)
    response = upload(client, "rain.xml", (MESSAGES / "met_rainstorm_alert.xml").read_bytes())
    message = UpstreamMessage.objects.get()
    assert response["Location"] == f"/warnings/upstream/{message.pk}/"
    assert (message.level, message.event_type, message.region) == ("orange", "11B03", world.county1)
    page = client.get(response["Location"]).content.decode()
    assert "测试市气象台发布暴雨橙色预警" in page and "转发为本地预警" in page
    again = upload(client, "rain.xml", (MESSAGES / "met_rainstorm_alert.xml").read_bytes())
    assert again.status_code == 400 and "已导入过" in again.content.decode()
    assert UpstreamMessage.objects.count() == 1


@pytest.mark.parametrize(("content", "phrase"), [
    (b"<alert><identifier>", "不是格式正确的 XML"),
    ((MESSAGES / "met_rainstorm_alert.xml").read_bytes().replace(b"<status>Actual</status>", b"<status>Real</status>"),
     "不符合 CAP 1.2 模式"),
    (b"\x89PNG\r\n", "不是格式正确的 XML"),
])
def test_a_malformed_upload_gets_a_clear_error_and_nothing_is_created(client, world, content, phrase):
    client.force_login(world.county1_admin)
    response = upload(client, "bad.xml", content)
    assert response.status_code == 400
    assert phrase in response.content.decode()
    assert not UpstreamMessage.objects.exists()


def test_a_received_warning_is_forwarded_with_local_instructions(client, world):
    add_warning_staff(world)
    message = upstream_import(actor=None, data=(MESSAGES / "geo_landslide_update.xml").read_bytes(),
                              region=world.county1)
    client.force_login(world.county1_duty)
    township = world.regions["390102001000"]
    response = client.post(f"/warnings/upstream/{message.pk}/forward/", {
        "region": world.county1.pk, "level": "", "area_regions": [township.pk],
        "local_instructions": "甲一街道组织隐患点群众转移至甲一小学。"})
    warning = Warning.objects.get()
    assert response["Location"] == f"/warnings/{warning.pk}/"
    assert (warning.upstream, warning.level, warning.kind, warning.event_type) == (message, "red", "geological",
                                                                                    "11D01")
    assert "立即转移隐患点受威胁群众" in warning.instructions and "甲一小学" in warning.instructions
    assert list(warning.area_regions.all()) == [township] and warning.drafted_by == world.county1_duty


def test_forwarding_into_another_county_is_refused(world):
    from django.core.exceptions import PermissionDenied

    add_warning_staff(world)
    message = upstream_import(actor=None, data=(MESSAGES / "geo_landslide_update.xml").read_bytes(),
                              region=world.county1)
    with pytest.raises(PermissionDenied):
        upstream_forward(message=message, actor=world.county2_duty, region=world.county2)
    assert not Warning.objects.exists()


def test_the_drop_folder_imports_each_file_once_and_sets_failures_aside(tmp_path, world):
    (tmp_path / "good.xml").write_bytes((MESSAGES / "national_typhoon_blue.xml").read_bytes())
    (tmp_path / "bad.xml").write_bytes(b"<alert>")
    call_command("watch_cap_folder", str(tmp_path), "--region", world.county1.pk, "--once")
    message = UpstreamMessage.objects.get()
    assert (message.source, message.format, message.file_name) == (UpstreamSource.FOLDER, "national", "good.xml")
    assert (tmp_path / "processed" / "good.xml").exists() and (tmp_path / "failed" / "bad.xml").exists()
    assert "不是格式正确的 XML" in (tmp_path / "failed" / "bad.xml.txt").read_text(encoding="utf-8")
    call_command("watch_cap_folder", str(tmp_path), "--region", world.county1.pk, "--once")
    assert UpstreamMessage.objects.count() == 1
