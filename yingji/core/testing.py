"""Test personas, a small region tree, and base classes that test a model's pages and API.

A model's tests declare what differs (model, URLs, how to make a record in and
out of scope, valid and invalid form data); the inherited tests check every
page and endpoint for anonymous access, missing permission, out-of-jurisdiction
access (404, never the data), in-scope access, validation errors, and history.
"""

from __future__ import annotations

import datetime
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import NoReverseMatch, resolve, reverse
from docx import Document as DocxDocument
from docx.shared import Length
from openpyxl import Workbook, load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from yingji.core import roles
from yingji.core.documents import chinese_date
from yingji.core.models import Attachment, Region, User
from yingji.core.scoping import has_model_perm
from yingji.core.services import region_create, user_create
from yingji.core.specs import ModelSpec, spec_for
from yingji.core.views.attachments import attachable_model
from yingji.enterprises.testing import EnterpriseFactory
from yingji.standards.division import level_of, parent_code
from yingji.urls import router

PASSWORD = "Test@Pass2026"

# A fictional city under the unassigned province code 39.
REGION_TREE = [
    ("390000000000", "测试省"),
    ("390100000000", "测试市"),
    ("390102000000", "甲区"),
    ("390102001000", "甲一街道"),
    ("390102001001", "甲一社区"),
    ("390102001002", "甲二社区"),
    ("390103000000", "乙区"),
    ("390103100000", "乙一镇"),
    ("390103100201", "乙一村"),
    ("390103100202", "乙二村"),
]


@dataclass
class World:
    """The people and places every test can use."""

    regions: dict[str, Region]
    users: dict[str, User] = field(default_factory=dict)

    @property
    def city(self) -> Region:
        return self.regions["390100000000"]

    @property
    def county1(self) -> Region:
        return self.regions["390102000000"]

    @property
    def county2(self) -> Region:
        return self.regions["390103000000"]

    @property
    def village1(self) -> Region:
        return self.regions["390102001001"]

    @property
    def village2(self) -> Region:
        return self.regions["390103100201"]

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    if not Group.objects.filter(name=roles.ADMIN).exists():
        roles.sync_roles()
    regions: dict[str, Region] = {}
    for code, name in REGION_TREE:
        parent = parent_code(code)
        regions[code] = region_create(
            actor=None, code=code, name=name, level=level_of(code), parent=regions.get(parent) if parent else None
        )
    world = World(regions=regions)
    people = [
        ("city_admin", [roles.ADMIN], world.city),
        ("county1_admin", [roles.ADMIN], world.county1),
        ("county2_admin", [roles.ADMIN], world.county2),
        ("county1_officer", [roles.SUPERVISOR], world.county1),
        ("county2_officer", [roles.SUPERVISOR], world.county2),
        ("county1_leader", [roles.LEADER], world.county1),
        ("county1_no_role", [], world.county1),
    ]
    for username, role_names, scope in people:
        world.users[username] = user_create(
            actor=None, username=username, password=PASSWORD, real_name=username, roles=role_names, scope_region=scope
        )
    return world


def add_enterprise_user(world: World, username: str, enterprise) -> User:
    user = user_create(
        actor=None, username=username, password=PASSWORD, real_name=username,
        roles=[roles.ENTERPRISE_MANAGER], scope_enterprise=enterprise,
    )
    world.users[username] = user
    return user


# The smallest PNG: an upload every attachment test can use.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def row_values(model: type[models.Model], obj: models.Model) -> dict[str, Any]:
    return model._base_manager.filter(pk=obj.pk).values().get()


def spec_of(model: type[models.Model]) -> ModelSpec | None:
    try:
        return spec_for(model)
    except LookupError:
        return None


def closed_state(spec: ModelSpec | None) -> tuple[str, str] | None:
    """(status field, state) of the first state in which the spec's loop is closed (`Flow.closed`), or None."""
    for flow in (spec.flows if spec is not None else ()):
        if flow.closed:
            return flow.workflow.status_field, flow.closed[0]
    return None


def force_closed(model: type[models.Model], obj: models.Model, spec: ModelSpec) -> models.Model:
    """The record put in a closed state directly (test set-up only: the loop's own moves are tested elsewhere)."""
    field, state = closed_state(spec)
    model._base_manager.filter(pk=obj.pk).update(**{field: state})
    return model._base_manager.get(pk=obj.pk)


def move_above(world: World, model: type[models.Model], obj: models.Model) -> models.Model:
    """The record moved to the city: above every county persona, who may at most read it."""
    field = getattr(model, "scope_region_field", None)
    if not field or field == "code" or "__" in field:
        pytest.skip("declare make_above_scope(): this model's region is not one field")
    model._base_manager.filter(pk=obj.pk).update(**{f"{field}_id": world.city.code})
    return model._base_manager.get(pk=obj.pk)


def other_enterprise_user(world: World) -> User:
    """An enterprise manager of an enterprise of county 1 that owns none of a test's records."""
    if "other_enterprise_manager" not in world.users:
        add_enterprise_user(world, "other_enterprise_manager", EnterpriseFactory(region=world.village1, name="旁人公司"))
    return world.users["other_enterprise_manager"]


def upload_attachment(client, obj: models.Model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("core:attachment_upload", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])
    return client.post(url, {"file": SimpleUploadedFile("证明.png", PNG), "next": "/"})


def form_as_sent(form_class, obj: models.Model, user: User) -> dict[str, Any]:
    """The POST data a browser sends for an unchanged edit form of `obj`."""
    form = form_class(instance=obj, user=user)
    data: dict[str, Any] = {}
    for name, bound in form.fields.items():
        if bound.disabled:
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(value)
    return data


def form_errors(page: str) -> list[str]:
    """The error messages a form page shows, for an assertion's message."""
    import re

    return re.findall(r'class="invalid-feedback[^"]*" data-field="([^"]+)">([^<]*)<', page) + re.findall(
        r'<div class="alert alert-danger" role="alert"><div>([^<]*)<', page)


def attachment_count(obj: models.Model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return Attachment._base_manager.filter(owner_type=ContentType.objects.get_for_model(obj),
                                           owner_id=str(obj.pk)).count()


def xlsx_file(headings: list[str], rows: list[list[Any]]) -> bytes:
    """An Excel file of one sheet: the headings, then the rows (what a person fills in and uploads)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


class FromSpec:
    """The model, its URL namespace and whether it has create and edit pages, read from the model's `spec`
    (`yingji.core.specs`) unless the test class declares them itself."""

    spec: ModelSpec | None = None

    @property
    def model(self) -> type[models.Model]:
        if self.spec is None:
            raise NotImplementedError("declare `spec`, or `model` and `url_namespace`")
        return self.spec.model

    @property
    def url_namespace(self) -> str:
        if self.spec is None:
            raise NotImplementedError("declare `spec`, or `model` and `url_namespace`")
        return self.spec.namespace

    @property
    def has_create(self) -> bool:
        # A spec without a create service may still have its own create page (a request form).
        return self.spec is None or self.spec.create is not None or self._has_route("create")

    @property
    def has_edit(self) -> bool:
        return self.spec is None or self.spec.update is not None or self._has_route("edit")

    def _has_route(self, suffix: str) -> bool:
        try:
            reverse(f"{self.url_namespace}:{self.model._meta.model_name}_{suffix}", args=[0] if suffix == "edit" else [])
        except NoReverseMatch:
            return False
        return True


class ScopedModelViewTests(FromSpec):
    """Inherit in a `Test...` class and declare `spec` (or `model` and `url_namespace`) and the attributes below."""

    actor = "county1_officer"  # may view, add and change in county 1
    outsider = "county2_officer"  # the same role in county 2
    has_export = True
    has_history = True  # False for rows the system computes or keeps as bookkeeping (their sources keep history)

    # -- declarations ------------------------------------------------------------
    def make_in_scope(self, world: World) -> models.Model:
        raise NotImplementedError

    def make_out_of_scope(self, world: World) -> models.Model:
        raise NotImplementedError

    def valid_form_data(self, world: World) -> dict[str, Any]:
        raise NotImplementedError

    def invalid_form_data(self, world: World) -> tuple[dict[str, Any], str]:
        """Form data that must be refused, and a phrase of the error message expected."""
        raise NotImplementedError

    def out_of_scope_form_data(self, world: World) -> dict[str, Any]:
        """Valid data that would put the record in the outsider's county."""
        raise NotImplementedError

    def make_above_scope(self, world: World) -> models.Model:
        """A record of the city, above the actor's county (by default an in-scope record moved up)."""
        return move_above(world, self.model, self.make_in_scope(world))

    def make_editable(self, world: World) -> models.Model:
        """A record in scope in a state its edit page accepts (by default the in-scope record)."""
        return self.make_in_scope(world)

    # -- helpers ----------------------------------------------------------------
    def url(self, suffix: str, *args: Any) -> str:
        return reverse(f"{self.url_namespace}:{self.model._meta.model_name}_{suffix}", args=args)

    def login(self, client, world: World, persona: str):
        client.force_login(getattr(world, persona))
        return client

    # -- anonymous ----------------------------------------------------------------
    def make_closed(self, world: World) -> models.Model:
        """A record whose loop is closed (by default an in-scope record put in its first closed state)."""
        return force_closed(self.model, self.make_in_scope(world), spec_of(self.model))

    def test_a_record_whose_loop_is_closed_is_read_only(self, client, world):
        """No edit button; the edit page, an upload and the update service (behind the API and the import) refuse
        with the reason in Chinese, and nothing changes."""
        spec = spec_of(self.model)
        if closed_state(spec) is None:
            pytest.skip("the model's loops declare no closed state")
        obj = self.make_closed(world)
        message = spec.closed_message(obj)
        before = row_values(self.model, obj)
        self.login(client, world, self.actor)
        detail = client.get(self.url("detail", obj.pk)).content.decode()
        assert message in detail
        if self.has_edit and self._has_route("edit"):
            edit = self.url("edit", obj.pk)
            assert f'href="{edit}"' not in detail
            assert message in client.get(edit, follow=True).content.decode()
            client.post(edit, {})
        files = attachment_count(obj)
        upload_attachment(client, obj)
        assert attachment_count(obj) == files
        if spec.update is not None:
            with pytest.raises(ValidationError, match="办结后只读"):
                spec.update_object(obj, actor=world.users[self.actor])
        assert row_values(self.model, obj) == before

    def test_anonymous_is_sent_to_login(self, client, world):
        obj = self.make_in_scope(world)
        urls = [self.url("list"), self.url("detail", obj.pk)]
        if self.has_create:
            urls.append(self.url("create"))
        if self.has_edit:
            urls.append(self.url("edit", obj.pk))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url

    # -- permission -----------------------------------------------------------------
    def test_user_without_role_is_refused(self, client, world):
        obj = self.make_in_scope(world)
        self.login(client, world, "county1_no_role")
        assert client.get(self.url("list")).status_code == 403
        assert client.get(self.url("detail", obj.pk)).status_code == 403

    # -- jurisdiction -----------------------------------------------------------------
    def test_list_shows_records_in_scope_only(self, client, world):
        mine, theirs = self.make_in_scope(world), self.make_out_of_scope(world)
        self.login(client, world, self.actor)
        response = client.get(self.url("list"))
        assert response.status_code == 200
        content = response.content.decode()
        assert str(mine) in content
        assert str(theirs) not in content

    def test_detail_in_scope_shows_the_record(self, client, world):
        obj = self.make_in_scope(world)
        self.login(client, world, self.actor)
        response = client.get(self.url("detail", obj.pk))
        assert response.status_code == 200
        assert str(obj) in response.content.decode()

    def test_detail_out_of_scope_is_not_found(self, client, world):
        theirs = self.make_out_of_scope(world)
        self.login(client, world, self.actor)
        response = client.get(self.url("detail", theirs.pk))
        assert response.status_code == 404
        assert str(theirs) not in response.content.decode()

    def test_edit_out_of_scope_is_not_found(self, client, world):
        if not self.has_edit:
            pytest.skip("this model has no edit page")
        theirs = self.make_out_of_scope(world)
        before = self.model._base_manager.filter(pk=theirs.pk).values().get()
        self.login(client, world, self.actor)
        assert client.get(self.url("edit", theirs.pk)).status_code == 404
        assert client.post(self.url("edit", theirs.pk), self.valid_form_data(world)).status_code == 404
        assert self.model._base_manager.filter(pk=theirs.pk).values().get() == before

    def test_export_contains_records_in_scope_only(self, client, world):
        if not self.has_export:
            pytest.skip("this model has no export")
        mine, theirs = self.make_in_scope(world), self.make_out_of_scope(world)
        self.login(client, world, self.actor)
        response = client.get(self.url("list") + "?export=xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        cells = {str(c) for row in xlsx_rows(response.content) for c in row if c is not None}
        assert self.exported_as(mine) in cells
        assert self.exported_as(theirs) not in cells

    def exported_as(self, obj: models.Model) -> str:
        """The cell that names `obj` in an export: its import key where the list imports, else its name."""
        importer = self.spec.importer if self.spec is not None else None
        if importer is None:
            return str(obj)
        column = next(c for c in importer.columns if c.field == importer.key_field)
        return str(importer.export_value(obj, column))

    def test_an_untouched_template_imports_nothing(self, client, world):
        importer = self.spec.importer if self.spec is not None else None
        if importer is None:
            pytest.skip("this list has no import")
        self.login(client, world, self.actor)
        template = client.get(self.url("import") + "?template=1").content
        count = self.model._base_manager.count()
        response = client.post(self.url("import"), {"file": SimpleUploadedFile("template.xlsx", template)})
        report = response.context["report"]
        assert (report.created, report.updated, report.errors) == (0, 0, [])
        assert self.model._base_manager.count() == count

    def test_an_exported_file_imports_back_and_changes_nothing(self, client, world):
        """Export → import: the same columns in the same order, every row updates its own record, nothing else."""
        importer = self.spec.importer if self.spec is not None else None
        if importer is None or not self.has_export:
            pytest.skip("this list has no import")
        obj = self.make_editable(world)
        self.login(client, world, self.actor)
        template = xlsx_rows(client.get(self.url("import") + "?template=1").content)
        exported = client.get(self.url("list") + "?export=xlsx")
        rows = xlsx_rows(exported.content)
        assert rows[0] == template[0] == importer.headings()
        key = self.model._meta.pk.attname
        before = {row[key]: row for row in self.model._base_manager.values()}
        response = client.post(self.url("import"), {"file": SimpleUploadedFile("export.xlsx", exported.content)})
        report = response.context["report"]
        assert report.errors == [], report.errors
        assert (report.created, report.updated) == (0, len(rows) - 1)
        after = {row[key]: row for row in self.model._base_manager.values()}
        assert after.keys() == before.keys() and obj.pk in after
        moving = {f.attname for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)}
        for pk, row in before.items():
            assert {k: v for k, v in after[pk].items() if k not in moving} == \
                   {k: v for k, v in row.items() if k not in moving}, pk

    def test_export_writes_stored_text_as_inert_text(self, client, world):
        """Text fields holding a formula and a control character (the API accepts both) export as plain text."""
        if not self.has_export:
            pytest.skip("this model has no export")
        obj = self.make_in_scope(world)
        marker = f"=HYPERLINK(\"http://x.test\",\"{obj.pk}\")\x07"
        fields = {f.name: marker[:f.max_length] for f in self.model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField)) and not f.choices and not f.primary_key
                  and (f.max_length or 99) >= 12}
        if not fields:
            pytest.skip("this model has no free text field")
        self.model._base_manager.filter(pk=obj.pk).update(**fields)  # as stored, whichever way it came in
        self.login(client, world, self.actor)
        response = client.get(self.url("list") + "?export=xlsx")
        assert response.status_code == 200
        cells = [c for row in xlsx_rows(response.content) for c in row if isinstance(c, str)]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\uff1d")) or "\x07" in c]
        if not any(c.startswith("'=HYPERLINK") for c in cells):
            pytest.skip("the export shows none of the model's free text fields as stored")

    # -- create and edit ---------------------------------------------------------------
    def test_create_with_invalid_data_shows_the_error_and_saves_nothing(self, client, world):
        if not self.has_create:
            pytest.skip("this model has no create page")
        count = self.model._base_manager.count()
        data, phrase = self.invalid_form_data(world)
        self.login(client, world, self.actor)
        response = client.post(self.url("create"), data)
        assert response.status_code == 400
        assert phrase in response.content.decode()
        assert self.model._base_manager.count() == count

    def test_create_records_who_created_it(self, client, world):
        if not self.has_create:
            pytest.skip("this model has no create page")
        self.login(client, world, self.actor)
        response = client.post(self.url("create"), self.valid_form_data(world))
        assert response.status_code == 302, response.content.decode()[:3000]
        obj = self.model._base_manager.latest("pk")
        assert response["Location"] == self.url("detail", obj.pk)
        record = obj.history.latest()
        assert record.history_user == getattr(world, self.actor)
        assert record.history_type == "+"

    def test_create_outside_scope_is_refused(self, client, world):
        if not self.has_create:
            pytest.skip("this model has no create page")
        count = self.model._base_manager.count()
        self.login(client, world, self.actor)
        response = client.post(self.url("create"), self.out_of_scope_form_data(world))
        assert response.status_code in (400, 403, 404)
        assert self.model._base_manager.count() == count

    # -- reading may reach up, writing never does -----------------------------------------------------------------
    def test_a_record_above_the_user_cannot_be_changed_from_a_page(self, client, world):
        """Neither the edit page nor an upload changes a record of a higher level or of another enterprise."""
        above = self.make_above_scope(world)
        before = row_values(self.model, above)
        data = self.valid_form_data(world) if self.has_edit else {}
        for persona in (self.actor, "other_enterprise_manager"):
            user = other_enterprise_user(world) if persona == "other_enterprise_manager" else getattr(world, persona)
            client.force_login(user)
            if self.has_edit:
                assert client.get(self.url("edit", above.pk)).status_code in (403, 404), persona
                assert client.post(self.url("edit", above.pk), data).status_code in (403, 404), persona
            assert upload_attachment(client, above).status_code in (403, 404), persona
        assert row_values(self.model, above) == before
        assert attachment_count(above) == 0

    def test_an_edit_inside_the_users_scope_is_saved(self, client, world):
        """The edit form, sent back as the page fills it in, saves the record (a round trip through the page)."""
        if not self.has_edit:
            pytest.skip("this model has no edit page")
        mine = self.make_editable(world)
        self.login(client, world, self.actor)
        url = self.url("edit", mine.pk)
        assert client.get(url).status_code == 200
        response = client.post(url, form_as_sent(resolve(url).func.view_class.form_class, mine, getattr(world, self.actor)))
        assert response.status_code == 302, form_errors(response.content.decode())
        assert response["Location"] == self.url("detail", mine.pk)

    def test_attachments_are_readable_exactly_by_the_readers_of_their_record(self, client, world):
        if attachable_model(self.model._meta.app_label, self.model._meta.model_name) is None:
            pytest.skip("files are not attached to this model")
        mine = self.make_in_scope(world)
        client.force_login(world.city_admin)
        assert upload_attachment(client, mine).status_code == 302
        attachment = Attachment._base_manager.get()
        personas = [world.city_admin, getattr(world, self.actor), getattr(world, self.outsider), world.county1_no_role,
                    other_enterprise_user(world)]
        for user in personas:
            client.force_login(user)
            readable = (has_model_perm(user, Attachment, "view")
                        and self.model.objects.restrict(user, "view").filter(pk=mine.pk).exists())
            assert client.get(attachment.download_url).status_code == (200 if readable else 404), user.username
        client.force_login(world.city_admin)
        assert client.get(reverse("core:attachment_download", args=[uuid.uuid4()])).status_code == 404

    def test_history_shows_on_the_detail_page(self, client, world):
        if not self.has_history:
            pytest.skip("this model keeps no change history of its own")
        obj = self.make_in_scope(world)
        self.login(client, world, self.actor)
        response = client.get(self.url("detail", obj.pk))
        assert "变更记录" in response.content.decode()
        assert "新建" in response.content.decode()


class ScopedModelAPITests(FromSpec):
    """REST tests for one resource; declare `spec` (or `model`), `api_url` and the same makers as above."""

    api_url: str
    actor = "county1_officer"
    outsider = "county2_officer"
    writable = True

    def make_in_scope(self, world: World) -> models.Model:
        raise NotImplementedError

    def make_out_of_scope(self, world: World) -> models.Model:
        raise NotImplementedError

    def valid_api_data(self, world: World) -> dict[str, Any]:
        raise NotImplementedError

    def invalid_api_data(self, world: World) -> tuple[dict[str, Any], str]:
        raise NotImplementedError

    def out_of_scope_api_data(self, world: World) -> dict[str, Any]:
        raise NotImplementedError

    def make_above_scope(self, world: World) -> models.Model:
        """A record of the city, above the actor's county (by default an in-scope record moved up)."""
        return move_above(world, self.model, self.make_in_scope(world))

    def make_editable(self, world: World) -> models.Model:
        """A record in scope in a state its update accepts (by default the in-scope record)."""
        return self.make_in_scope(world)

    def custom_detail_actions(self, obj: models.Model) -> list[tuple[str, str]]:
        """(method, url) of every custom action of this resource on one record, from the router."""
        prefix = self.api_url.strip("/").removeprefix("api/")
        found = []
        for registered, viewset, basename in router.registry:
            if registered != prefix:
                continue
            for extra in viewset.get_extra_actions():
                if extra.detail:
                    url = reverse(f"{basename}-{extra.url_name}", args=[obj.pk])
                    found += [(method, url) for method in extra.mapping if method in ("post", "put", "patch")]
        return found

    def api(self, world: World, persona: str | None = None) -> APIClient:
        client = APIClient()
        if persona:
            token, _created = Token.objects.get_or_create(user=getattr(world, persona))
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    def detail_url(self, obj: models.Model) -> str:
        return f"{self.api_url}{obj.pk}/"

    def make_closed(self, world: World) -> models.Model:
        return force_closed(self.model, self.make_in_scope(world), spec_of(self.model))

    def test_a_record_whose_loop_is_closed_refuses_put_and_patch(self, world):
        if closed_state(spec_of(self.model)) is None or not self.writable:
            pytest.skip("the model's loops declare no closed state, or the resource is read-only")
        obj = self.make_closed(world)
        before = row_values(self.model, obj)
        response = self.api(world, self.actor).patch(self.detail_url(obj), {}, format="json")
        assert response.status_code == 400, response.content
        assert "办结后只读" in response.content.decode()
        assert row_values(self.model, obj) == before

    def test_anonymous_gets_401(self, world):
        obj = self.make_in_scope(world)
        client = self.api(world)
        assert client.get(self.api_url).status_code == 401
        assert client.get(self.detail_url(obj)).status_code == 401
        if self.writable:
            assert client.post(self.api_url, self.valid_api_data(world), format="json").status_code == 401

    def test_user_without_role_gets_403(self, world):
        self.make_in_scope(world)
        assert self.api(world, "county1_no_role").get(self.api_url).status_code == 403

    def test_list_is_paginated_and_scoped(self, world):
        mine, theirs = self.make_in_scope(world), self.make_out_of_scope(world)
        response = self.api(world, self.actor).get(self.api_url)
        assert response.status_code == 200
        body = response.json()
        assert set(body) >= {"count", "next", "previous", "results"}
        keys = {str(row[self.model._meta.pk.name if self.model._meta.pk.name != "id" else "id"]) for row in body["results"]}
        assert str(mine.pk) in keys
        assert str(theirs.pk) not in keys

    def test_detail_out_of_scope_is_404(self, world):
        theirs = self.make_out_of_scope(world)
        response = self.api(world, self.actor).get(self.detail_url(theirs))
        assert response.status_code == 404
        assert str(theirs) not in response.content.decode()

    def test_detail_in_scope(self, world):
        mine = self.make_in_scope(world)
        response = self.api(world, self.actor).get(self.detail_url(mine))
        assert response.status_code == 200

    def test_update_out_of_scope_is_404(self, world):
        if not self.writable:
            pytest.skip("this resource is read-only")
        theirs = self.make_out_of_scope(world)
        before = self.model._base_manager.filter(pk=theirs.pk).values().get()
        response = self.api(world, self.actor).patch(self.detail_url(theirs), {"name": "改名"}, format="json")
        assert response.status_code == 404
        assert self.model._base_manager.filter(pk=theirs.pk).values().get() == before

    def test_a_record_above_the_user_cannot_be_changed_through_the_api(self, world):
        """PUT, PATCH and every custom action refuse a record of a higher level or of another enterprise."""
        above = self.make_above_scope(world)
        before = row_values(self.model, above)
        other_enterprise_user(world)
        for persona in (self.actor, "other_enterprise_manager"):
            client = self.api(world, persona)
            calls = [("patch", self.detail_url(above)), ("put", self.detail_url(above))] if self.writable else []
            calls += self.custom_detail_actions(above)
            for method, url in calls:
                response = getattr(client, method)(url, {}, format="json")
                assert response.status_code in (403, 404, 405), f"{persona} {method.upper()} {url}: {response.status_code}"
        assert row_values(self.model, above) == before

    def test_an_update_inside_the_users_scope_is_saved(self, world):
        """What the API gives, put back, is accepted (a round trip through the API)."""
        if not self.writable:
            pytest.skip("this resource is read-only")
        mine = self.make_editable(world)
        client = self.api(world, self.actor)
        shown = client.get(self.detail_url(mine)).json()
        response = client.put(self.detail_url(mine), {k: v for k, v in shown.items() if v is not None}, format="json")
        assert response.status_code == 200, response.content.decode()

    def test_create_invalid_is_400_with_the_reason(self, world):
        if not self.writable:
            pytest.skip("this resource is read-only")
        count = self.model._base_manager.count()
        data, phrase = self.invalid_api_data(world)
        response = self.api(world, self.actor).post(self.api_url, data, format="json")
        assert response.status_code == 400
        assert phrase in response.content.decode()
        assert self.model._base_manager.count() == count

    def test_create_valid_is_201_and_recorded(self, world):
        if not self.writable:
            pytest.skip("this resource is read-only")
        response = self.api(world, self.actor).post(self.api_url, self.valid_api_data(world), format="json")
        assert response.status_code == 201, response.content.decode()
        obj = self.model._base_manager.latest("pk")
        assert obj.history.latest().history_user == getattr(world, self.actor)

    def test_create_outside_scope_is_refused(self, world):
        if not self.writable:
            pytest.skip("this resource is read-only")
        count = self.model._base_manager.count()
        response = self.api(world, self.actor).post(self.api_url, self.out_of_scope_api_data(world), format="json")
        assert response.status_code in (400, 403)
        assert self.model._base_manager.count() == count


def assert_official_layout(content: bytes, *, issuer: str, number: str | None, title: str,
                           day: datetime.date) -> DocxDocument:
    """What every generated document must show (LibreOffice and Word read these properties): A4 with the GB/T 9704
    margins and type area, zh-CN and the official fonts, the 版头 (issuer, 发文字号), the title, the 落款 (issuer and
    成文日期) and page numbers on odd and even pages."""
    document = DocxDocument(io.BytesIO(content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert round(Length(section.page_width - section.left_margin - section.right_margin).mm) == 156
    assert round(Length(section.page_height - section.top_margin - section.bottom_margin).mm) == 225
    styles = document.styles.element.xml
    assert 'w:eastAsia="zh-CN"' in styles and "仿宋_GB2312" in styles and 'w:val="en-US"' not in styles
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == issuer  # 版头: the issuing authority's mark
    if number:
        assert any(number in text for text in texts[:4]), texts[:4]
    assert title in texts
    assert issuer in texts[-8:] and chinese_date(day) in texts[-8:]  # 落款 and 成文日期
    for footer in (section.footer, section.even_page_footer):
        assert "PAGE" in footer._element.xml and "— " in footer.paragraphs[0].text
    assert document.core_properties.language == "zh-CN"
    return document


def add_role_users(world: World) -> dict[str, User]:
    """One user of every role but the administrator, in county 1 (an enterprise manager of an enterprise there, a
    grid member of a village), by role name."""
    found: dict[str, User] = {}
    for role in roles.ROLE_PERMISSIONS:
        if role == roles.ADMIN:
            continue
        username = f"role_{list(roles.ROLE_PERMISSIONS).index(role)}"
        if username not in world.users:
            if role == roles.ENTERPRISE_MANAGER:
                add_enterprise_user(world, username, EnterpriseFactory(region=world.village1, name="角色测试企业"))
            else:
                scope = world.village1 if role == roles.GRID_MEMBER else world.county1
                world.users[username] = user_create(actor=None, username=username, password=PASSWORD,
                                                    real_name=username, roles=[role], scope_region=scope)
        found[role] = world.users[username]
    return found
