"""The monthly risk-analysis report (月度风险分析报告): figures assembled from every loop, then a Word document.

`report_figures(region, month)` gathers the month's figures for the region's jurisdiction (through
`scope_principal`, so every query is restricted to that region), `attention_items()` ranks what needs attention,
and `report_docx()` lays them out with the charts (`yingji.analytics.charts`). Each section is computed by the app
that owns its records (`REPORT_SECTIONS` in its contributions.py): hazard figures from the hazards app's statistics
(whole months from its roll-up), the others as counts over one month of indexed rows.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

from yingji.analytics import charts
from yingji.analytics.selectors import NO_DATA, scope_principal
from yingji.core.contributions import ReportMonth, ReportSection, pick
from yingji.core.excel import xml_text
from yingji.core.models import Region

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def next_month(month: datetime.date) -> datetime.date:
    return ReportMonth(month).next


def previous_month(month: datetime.date) -> datetime.date:
    return ReportMonth(month).previous


# The sections, one per loop, each computed by its own app (`REPORT_SECTIONS` in its contributions.py), with the
# progress shown before it.
SECTIONS: dict[str, ReportSection] = pick("REPORT_SECTIONS", "hazards", "alarms", "incidents", "warnings",
                                          "enforcement", "judgements")
STEPS = {"hazards": (10, "隐患排查治理"), "alarms": (35, "监测预警"), "incidents": (50, "突发事件"),
         "warnings": (60, "预警叫应"), "enforcement": (65, "执法检查与会商研判")}

ENFORCEMENT_LABELS = [("units_inspected", "检查单位（家）"), ("inspections", "检查（次）"), ("cases", "立案（件）"),
                      ("penalties", "行政处罚（起）"), ("suspensions", "责令停产停业（家）"), ("closures", "提请关闭（家）"),
                      ("fines_yuan", "罚款（元）")]


def report_figures(region: Region, month: datetime.date,
                   progress: Callable[[int, str], None] | None = None) -> dict[str, Any]:
    """Every figure of the report of `region` for `month` (its first day), JSON-serialisable."""
    principal = scope_principal(region)
    step = progress or (lambda percent, what: None)
    figures: dict[str, Any] = {"region": {"code": region.code, "name": region.name}, "month": month.isoformat()}
    for key, section in SECTIONS.items():
        if key in STEPS:
            step(*STEPS[key])
        figures[key] = section.read(principal, ReportMonth(month))
    figures["attention"] = attention_items(figures)
    return figures


def attention_items(figures: dict[str, Any], top: int = 10) -> list[dict[str, Any]]:
    """What needs attention, most urgent first: a weight per kind of problem times its size."""
    items: list[tuple[float, str]] = []
    hazards = figures["hazards"]
    current = hazards["current"]
    open_major = current["major"] - current["major_closed"]
    if open_major:
        items.append((10 * open_major, f"本月发现重大隐患 {current['major']} 项，尚有 {open_major} 项未销号，须挂牌督办、跟踪治理"))
    for row in hazards["by_region"]:
        if row["overdue"]:
            items.append((3 * row["overdue"], f"{row['name']}逾期未整改隐患 {row['overdue']} 项"))
    if current["rate"] is not None and current["rate"] < 80:
        items.append((80 - current["rate"], f"隐患整改率 {current['rate']}%，低于 80%"))
    last = hazards["last_month"]["found"]
    if last and current["found"] > last * 1.3:
        items.append((5 + (current["found"] - last) / last * 10,
                      f"隐患发现数 {current['found']} 项，较上月 {last} 项明显上升"))
    incidents = figures["incidents"]["current"]
    serious = [g for g in incidents["by_grade"] if g["key"] != "general" and g["total"]]
    for grade in serious:
        items.append((25 * grade["total"], f"发生{grade['name']}突发事件 {grade['total']} 起"))
    if incidents["deaths"]:
        items.append((15 * incidents["deaths"], f"突发事件造成死亡 {incidents['deaths']} 人"))
    if incidents["late_reports"]:
        items.append((4 * incidents["late_reports"], f"事件信息超时报送 {incidents['late_reports']} 次"))
    alarms = figures["alarms"]
    if alarms["online_rate"] is not None and alarms["online_rate"] < 95:
        items.append((2 * (95 - alarms["online_rate"]), f"监测数据在线率 {alarms['online_rate']}%，低于 95%"))
    if alarms["total"] - alarms["closed"] > 0:
        items.append((alarms["total"] - alarms["closed"], f"本月报警 {alarms['total']} 条，"
                                                         f"{alarms['total'] - alarms['closed']} 条尚未消警"))
    warnings = figures["warnings"]
    if warnings["ack_rate"] is not None and warnings["ack_rate"] < 100:
        items.append((100 - warnings["ack_rate"], f"预警叫应率 {warnings['ack_rate']}%，"
                                                  f"{warnings['recipients'] - warnings['acknowledged']} 人未应答"))
    for row in figures.get("judgements") or []:
        text = "，".join(str(v) for v in row.values() if v not in (None, ""))
        if text:
            items.append((8, f"会商研判：{text}"))
    items.sort(key=lambda item: -item[0])
    return [{"rank": i + 1, "score": round(score, 1), "text": text} for i, (score, text) in enumerate(items[:top])]


# -- the Word document ----------------------------------------------------------------------------------------------


def _font(run, size: float, name: str = "仿宋_GB2312", bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(document, text: str, size: float = 12, name: str = "仿宋_GB2312", bold: bool = False,
          center: bool = False):
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(xml_text(text)), size, name, bold)
    return paragraph


def _heading(document, text: str) -> None:
    _para(document, text, 15, "黑体", bold=True)


def _table(document, headings: list[str], rows: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        _font(cell.paragraphs[0].add_run(xml_text(text)), 10.5, "黑体", bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _font(cell.paragraphs[0].add_run(xml_text(_show(value))), 10.5)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _chart(document, title: str, names: list[str], series: list[list[float]], legend: list[str]) -> None:
    _para(document, title, 11, "黑体")
    document.add_picture(io.BytesIO(charts.bar_chart(series)), width=Inches(6))
    key = "；".join(f"{i + 1}. {name}" for i, name in enumerate(names))
    colours = "、".join(f"{label}（第{k + 1}色）" for k, label in enumerate(legend)) if len(legend) > 1 else ""
    _para(document, f"横轴：{key}" + (f"。图例：{colours}" if colours else ""), 9)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "—"
    if not before:
        return "—" if not now else "新增"
    return f"{(now - before) * 100 / before:+.1f}%"


def report_docx(figures: dict[str, Any]) -> bytes:
    month = datetime.date.fromisoformat(figures["month"])
    region = figures["region"]["name"]
    document = Document()
    _para(document, f"{region}{month:%Y年%m月}安全风险分析报告", 20, "方正小标宋简体", bold=True, center=True)
    _para(document, f"（生成时间：{timezone.localtime():%Y年%m月%d日 %H:%M}）", 11, "楷体_GB2312", center=True)

    _heading(document, "一、需要重点关注的问题")
    attention = figures["attention"]
    if attention:
        _table(document, ["序号", "问题", "关注度"], [[a["rank"], a["text"], a["score"]] for a in attention])
    else:
        _para(document, "本月未发现需要重点关注的问题。")

    hazards = figures["hazards"]
    current, last, year = hazards["current"], hazards["last_month"], hazards["last_year"]
    _heading(document, "二、隐患排查治理")
    _para(document, f"本月发现隐患 {current['found']} 项，已销号 {current['closed']} 项，整改率 "
                    f"{_pct(current['rate'])}，逾期未整改 {current['overdue']} 项；其中重大隐患 {current['major']} 项"
                    f"（已销号 {current['major_closed']} 项）。")
    _table(document, ["指标", "本月", "上月", "环比", "去年同期", "同比"], [
        [label, current[key], last[key], _change(current[key], last[key]), year[key], _change(current[key], year[key])]
        for key, label in [("found", "发现隐患（项）"), ("closed", "已销号（项）"), ("rate", "整改率（%）"),
                           ("major", "重大隐患（项）"), ("overdue", "逾期未改（项）")]])
    shares = hazards["shares"]
    _para(document, f"企业自查发现占 {_pct(shares['self_found'])}，部门执法发现占 {_pct(shares['enforcement'])}，"
                    f"群众举报占 {_pct(shares['public_report'])}。")
    for title, key in (("按隐患来源", "by_source"), ("按企业监管类别", "by_category"), ("按区域", "by_region")):
        rows = [r for r in hazards[key] if r["found"] or key == "by_region"]
        _para(document, title, 11, "黑体")
        _table(document, ["项目", "发现", "已销号", "整改率（%）", "逾期未改"],
               [[r["name"], r["found"], r["closed"], r["rate"], r["overdue"]] for r in rows])
    if hazards["by_region"]:
        _chart(document, "图1 各区域隐患发现与销号", [r["name"] for r in hazards["by_region"]],
               [[r["found"] for r in hazards["by_region"]], [r["closed"] for r in hazards["by_region"]]],
               ["发现", "已销号"])
    _chart(document, "图2 近12个月隐患发现与销号趋势", [r["name"] for r in hazards["trend"]],
           [[r["found"] for r in hazards["trend"]], [r["closed"] for r in hazards["trend"]]], ["发现", "已销号"])

    alarms = figures["alarms"]
    _heading(document, "三、重大危险源监测预警")
    _para(document, f"本月产生报警 {alarms['total']} 条，已消警 {alarms['closed']} 条；在用监测点 {alarms['points']} 个，"
                    f"月度数据在线率 {_pct(alarms['online_rate'])}。")
    _table(document, ["报警级别", "条数"], [[r["name"], r["total"]] for r in alarms["by_level"]])
    _table(document, ["报警类型", "条数"], [[r["name"], r["total"]] for r in alarms["by_kind"]])

    incidents = figures["incidents"]["current"]
    before = figures["incidents"]["last_month"]
    _heading(document, "四、突发事件")
    _para(document, f"本月发生突发事件 {incidents['total']} 起（上月 {before['total']} 起），死亡 {incidents['deaths']} 人，"
                    f"失踪 {incidents['missing']} 人，重伤 {incidents['serious_injuries']} 人，直接经济损失 "
                    f"{incidents['direct_loss_yuan']:g} 元；信息超时报送 {incidents['late_reports']} 次。")
    _table(document, ["事件等级", "本月（起）", "上月（起）"],
           [[g["name"], g["total"], b["total"]] for g, b in zip(incidents["by_grade"], before["by_grade"], strict=True)])
    _chart(document, "图3 突发事件等级分布", [g["name"] for g in incidents["by_grade"]],
           [[g["total"] for g in incidents["by_grade"]], [b["total"] for b in before["by_grade"]]], ["本月", "上月"])

    _heading(document, "五、执法检查")
    enforcement = figures["enforcement"]
    if enforcement is None:
        _para(document, NO_DATA)
    else:
        _table(document, ["指标", "本月"], [[label, enforcement.get(key)] for key, label in ENFORCEMENT_LABELS])

    warnings = figures["warnings"]
    _heading(document, "六、预警发布与叫应")
    _para(document, f"本月发布预警 {warnings['total']} 条；叫应对象 {warnings['recipients']} 人，已应答 "
                    f"{warnings['acknowledged']} 人，叫应率 {_pct(warnings['ack_rate'])}；通知上级责任人 "
                    f"{warnings['superior_called']} 次。")
    _table(document, ["预警级别", "条数"], [[r["name"], r["total"]] for r in warnings["by_level"]])

    _heading(document, f"七、下月风险研判（{next_month(month):%Y年%m月}）")
    judgements = figures["judgements"]
    if judgements is None:
        _para(document, NO_DATA)
    elif not judgements:
        _para(document, "本月会商未作出下月风险研判。")
    else:
        for row in judgements:
            _para(document, "・" + "，".join(f"{v}" for v in row.values() if v not in (None, "")))

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
