import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yingji.core.models import Attachment
from yingji.core.services import attachment_store, user_create
from yingji.core.testing import PASSWORD
from yingji.enterprises.testing import EnterpriseFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_login_page_is_chinese_and_wrong_passwords_are_explained(world):
    client = Client()
    assert "登录" in client.get("/login/").content.decode()
    response = client.post("/login/", {"username": "county1_officer", "password": "wrong"})
    assert "用户名或密码错误" in response.content.decode()
    response = client.post("/login/", {"username": "county1_officer", "password": PASSWORD})
    assert response.status_code == 302


def test_repeated_failures_lock_the_account(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/login/", {"username": "county1_officer", "password": "wrong"})
    response = client.post("/login/", {"username": "county1_officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()


def test_the_token_endpoint_is_throttled_by_lockout_too(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/api/auth/token/", {"username": "county1_officer", "password": "wrong"})
    response = client.post("/api/auth/token/", {"username": "county1_officer", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "token" not in response.content.decode()


@pytest.mark.parametrize(("password", "phrase"), [("short1A!", None), ("alllowercase", "三类"), ("12345678", "只包含数字")])
def test_passwords_are_validated(world, password, phrase):
    if phrase is None:
        user_create(actor=None, username="ok", password=password, real_name="ok", roles=[])
        return
    with pytest.raises(ValidationError) as error:
        user_create(actor=None, username="weak", password=password, real_name="weak", roles=[])
    assert phrase in " ".join(error.value.messages)


def test_forms_need_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.county1_officer)
    assert client.post("/enterprises/new/", {}).status_code == 403


def test_an_attachment_is_stored_under_a_random_name(world):
    enterprise = EnterpriseFactory(region=world.village1)
    upload = SimpleUploadedFile("安全承诺书.png", PNG, content_type="application/pdf")
    attachment = attachment_store(actor=world.county1_officer, uploaded_file=upload, owner=enterprise)
    assert attachment.content_type == "image/png"  # from the bytes, not the claim
    assert "安全承诺书" not in attachment.file.name
    assert attachment.original_name == "安全承诺书.png"
    assert attachment.enterprise == enterprise and attachment.region == world.village1
    assert len(attachment.sha256) == 64


def test_an_attachment_of_a_forbidden_type_is_refused(world):
    enterprise = EnterpriseFactory(region=world.village1)
    upload = SimpleUploadedFile("report.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")
    with pytest.raises(ValidationError, match="不允许上传此类文件"):
        attachment_store(actor=world.county1_officer, uploaded_file=upload, owner=enterprise)
    assert Attachment.objects.count() == 0


def test_an_attachment_over_the_size_limit_is_refused(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    enterprise = EnterpriseFactory(region=world.village1)
    with pytest.raises(ValidationError, match="文件过大"):
        attachment_store(actor=world.county1_officer, uploaded_file=SimpleUploadedFile("a.png", PNG), owner=enterprise)


def test_an_attachment_to_a_record_out_of_scope_is_refused(world):
    theirs = EnterpriseFactory(region=world.village2)
    with pytest.raises(PermissionDenied):
        attachment_store(actor=world.county1_officer, uploaded_file=SimpleUploadedFile("a.png", PNG), owner=theirs)
    assert Attachment.objects.restrict(world.county2_officer).count() == 0


def test_attachments_follow_the_scope_of_their_record(world):
    mine = EnterpriseFactory(region=world.village1)
    attachment_store(actor=world.county1_officer, uploaded_file=SimpleUploadedFile("a.png", io.BytesIO(PNG).read()),
                     owner=mine)
    assert Attachment.objects.restrict(world.county1_officer).count() == 1
    assert Attachment.objects.restrict(world.county2_officer).count() == 0


def test_upload_and_download_through_the_detail_page(client, world):
    mine = EnterpriseFactory(region=world.village1)
    client.force_login(world.county1_officer)
    url = f"/attachments/enterprises/enterprise/{mine.pk}/upload/"
    response = client.post(url, {"file": SimpleUploadedFile("承诺书.png", PNG), "next": f"/enterprises/{mine.pk}/"})
    assert response.status_code == 302
    page = client.get(f"/enterprises/{mine.pk}/").content.decode()
    assert "承诺书.png" in page
    attachment = Attachment.objects.get()
    download = client.get(attachment.download_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    client.force_login(world.county2_officer)
    assert client.get(attachment.download_url).status_code == 404


def test_upload_to_a_record_out_of_scope_is_not_found(client, world):
    theirs = EnterpriseFactory(region=world.village2)
    client.force_login(world.county1_officer)
    url = f"/attachments/enterprises/enterprise/{theirs.pk}/upload/"
    assert client.post(url, {"file": SimpleUploadedFile("a.png", PNG)}).status_code == 404
    assert client.post("/attachments/core/nothing/1/upload/", {}).status_code == 404
    assert Attachment.objects.count() == 0
