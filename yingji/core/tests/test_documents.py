"""The official document layer: GB/T 9704-2012 page, fonts, language, 版头, 落款, 版记, page numbers, 发文字号."""

import datetime

import pytest

from yingji.core.documents import (
    OfficialDocument,
    chinese_date,
    issuing_organization,
    next_document_number,
)
from yingji.core.models import Organization, OrganizationKind
from yingji.core.testing import assert_official_layout

pytestmark = pytest.mark.django_db


def test_a_document_is_laid_out_as_an_official_document():
    document = OfficialDocument(issuer="甲区应急管理局", title="关于开展隐患排查的通知",
                                number="甲区应急〔2026〕12号", recipient="各乡镇（街道）")
    document.heading("工作要求", level=1, number=1)
    document.paragraph("各单位要高度重视。")
    document.table(["序号", "单位"], [(1, "甲一镇")])
    document.sign(datetime.date(2026, 12, 7))
    document.record(printed_by="甲区应急管理局办公室", printed_on=datetime.date(2026, 12, 7), copies_to=["市应急管理局"])
    read = assert_official_layout(document.to_bytes(), issuer="甲区应急管理局", number="甲区应急〔2026〕12号",
                                  title="关于开展隐患排查的通知", day=datetime.date(2026, 12, 7))
    texts = [p.text for p in read.paragraphs]
    assert "各乡镇（街道）：" in texts and "一、工作要求" in texts
    assert "抄送：市应急管理局。" in texts
    assert any(t.startswith("甲区应急管理局办公室") and t.endswith("2026年12月7日印发") for t in texts)
    row = read.tables[0].rows[0]._tr.xml
    assert "cantSplit" in row and "tblHeader" in row
    heading = read.styles["Heading 1"].font
    assert heading.color.rgb is not None and str(heading.color.rgb) == "000000"


def test_dates_are_written_without_leading_zeros():
    assert chinese_date(datetime.date(2026, 3, 5)) == "2026年3月5日"


def test_document_numbers_run_per_organisation_kind_and_year_and_a_record_keeps_its_own(world):
    bureau = Organization.objects.create(name="甲区应急管理局", kind=OrganizationKind.BUREAU, region=world.county1)
    other = Organization.objects.create(name="乙区应急管理局", kind=OrganizationKind.BUREAU, region=world.county2)
    first = next_document_number(organization=bureau, kind="责令限期整改指令书", year=2026, abbreviation="责改",
                                 record=world.county1)
    again = next_document_number(organization=bureau, kind="责令限期整改指令书", year=2026, abbreviation="责改",
                                 record=world.county1)
    second = next_document_number(organization=bureau, kind="责令限期整改指令书", year=2026, abbreviation="责改")
    assert first == again and first.endswith("责改〔2026〕1号") and second.endswith("〔2026〕2号")
    assert next_document_number(organization=bureau, kind="现场检查记录", year=2026).endswith("〔2026〕1号")
    assert next_document_number(organization=bureau, kind="责令限期整改指令书", year=2027).endswith("〔2027〕1号")
    assert next_document_number(organization=other, kind="责令限期整改指令书", year=2026) == "乙区应急〔2026〕1号"


def test_the_issuer_is_the_users_bureau_or_the_nearest_bureau_above_the_region(world):
    Organization.objects.create(name="测试市应急管理局", kind=OrganizationKind.BUREAU, region=world.city)
    bureau = Organization.objects.create(name="甲区应急管理局", kind=OrganizationKind.BUREAU, region=world.county1)
    office = Organization.objects.create(name="甲区应急管理局执法大队", kind=OrganizationKind.BUREAU_DEPARTMENT,
                                         region=world.county1, parent=bureau)
    world.county1_officer.organization = office
    assert issuing_organization(user=world.county1_officer) == bureau
    assert issuing_organization(region=world.village1) == bureau
    assert issuing_organization(region=world.county2).name == "测试市应急管理局"
