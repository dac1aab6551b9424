"""The monthly risk-analysis report (月度风险分析报告): figures assembled from every loop, then a Word document.

`report_figures(region, month)` gathers the month's figures for the region's jurisdiction (through
`scope_principal`, so every query is restricted to that region), `attention_items()` ranks what needs attention,
and `report_docx()` lays them out with the charts (`yingji.analytics.charts`). Each section is computed by the app
that owns its records (`REPORT_SECTIONS` in its contributions.py): hazard figures from the hazards app's statistics
(whole months from its roll-up), the others as counts over one month of indexed rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from yingji.analytics import charts
from yingji.analytics.selectors import NO_DATA, scope_principal
from yingji.core.contributions import ReportMonth, ReportSection, pick
from yingji.core.documents import OfficialDocument, issuer_for
from yingji.core.models import Region, User

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
        items.append((2 * (row.get("level") or 1), "会商研判下月" + judgement_sentence(row)))
    items.sort(key=lambda item: -item[0])
    return [{"rank": i + 1, "score": round(score, 1), "text": text} for i, (score, text) in enumerate(items[:top])]


# -- the Word document ----------------------------------------------------------------------------------------------


def judgement_sentence(row: dict[str, Any]) -> str:
    """One judgement as a sentence: 河口镇森林草原火灾风险为重大风险（红）：林区火险较高（十一月会商）。"""
    text = f"{row.get('region', '')}{row.get('hazard_type', '')}风险为{row.get('level_display', '')}"
    if row.get("description"):
        text += f"：{str(row['description']).rstrip('。')}"
    if row.get("consultation"):
        text += f"（{row['consultation']}）"
    return text + "。"


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "—"
    if not before:
        return "—" if not now else "新增"
    return f"{(now - before) * 100 / before:+.1f}%"


class _Figures:
    """Numbers the charts in the order they appear (图1, 图2, …)."""

    def __init__(self, document: OfficialDocument) -> None:
        self.document, self.count = document, 0

    def chart(self, title: str, categories: list[str], series: list[list[float]], legend: list[str],
              value_label: str, empty: str) -> None:
        image = charts.bar_chart(categories, series, legend, value_label=value_label)
        if image is None:
            self.document.paragraph(empty)
            return
        self.count += 1
        self.document.picture(image, width_mm=150, caption=f"图{self.count}　{title}")


def report_docx(figures: dict[str, Any], *, requested_by: User | None = None) -> bytes:
    month = datetime.date.fromisoformat(figures["month"])
    region_name = figures["region"]["name"]
    region = Region.objects.filter(pk=figures["region"]["code"]).first()
    issuer, _organization = issuer_for(user=requested_by, region=region)
    document = OfficialDocument(issuer=issuer, title=f"{region_name}{month.year}年{month.month}月安全风险分析报告")
    pictures = _Figures(document)
    _attention(document, figures)
    _hazards(document, figures, pictures)
    _alarms(document, figures)
    _incidents(document, figures, pictures)
    _enforcement(document, figures)
    _warnings(document, figures)
    _judgements(document, figures, month)
    document.sign(timezone.localdate())  # the day it was built: the file is kept, so the date stays
    return document.to_bytes()


def _attention(document: OfficialDocument, figures: dict[str, Any]) -> None:
    document.heading("需要重点关注的问题", number=1)
    attention = figures["attention"]
    if not attention:
        document.paragraph("本月未发现需要重点关注的问题。")
    for item in attention:
        document.paragraph(f"{item['rank']}．{item['text'].rstrip('。')}。")


def _hazards(document: OfficialDocument, figures: dict[str, Any], pictures: _Figures) -> None:
    hazards = figures["hazards"]
    current, last, year = hazards["current"], hazards["last_month"], hazards["last_year"]
    document.heading("隐患排查治理", number=2)
    trend = _change(current["found"], last["found"])
    document.paragraph(
        f"本月发现隐患 {current['found']} 项，已销号 {current['closed']} 项，整改率 {_pct(current['rate'])}，逾期未整改 "
        f"{current['overdue']} 项；其中重大隐患 {current['major']} 项（已销号 {current['major_closed']} 项）。"
        + (f"发现数较上月（{last['found']} 项）变化 {trend}。" if trend not in ("—",) else ""))
    shares = hazards["shares"]
    document.paragraph(f"从来源看，企业自查发现占 {_pct(shares['self_found'])}，部门执法发现占 "
                       f"{_pct(shares['enforcement'])}，群众举报占 {_pct(shares['public_report'])}。")
    document.table(["指标", "本月", "上月", "环比", "去年同期", "同比"], [
        [label, _show(current[key]), _show(last[key]), _change(current[key], last[key]), _show(year[key]),
         _change(current[key], year[key])]
        for key, label in [("found", "发现隐患（项）"), ("closed", "已销号（项）"), ("rate", "整改率（%）"),
                           ("major", "重大隐患（项）"), ("overdue", "逾期未改（项）")]])
    for number, (title, key) in enumerate((("按隐患来源", "by_source"), ("按企业监管类别", "by_category"),
                                           ("按区域", "by_region")), start=1):
        rows = [r for r in hazards[key] if r["found"] or r["overdue"]]
        document.heading(title, level=2, number=number)
        if not rows:
            document.paragraph("本月无此类隐患。")
            continue
        document.table(["项目", "发现（项）", "已销号（项）", "整改率（%）", "逾期未改（项）"],
                       [[r["name"], r["found"], r["closed"], _show(r["rate"]), r["overdue"]] for r in rows])
    by_region = hazards["by_region"]
    pictures.chart("各区域隐患发现与销号", [r["name"] for r in by_region],
                   [[r["found"] for r in by_region], [r["closed"] for r in by_region]], ["发现", "已销号"],
                   "隐患（项）", "本月各区域均未发现隐患。")
    trend_rows = hazards["trend"]
    pictures.chart("近12个月隐患发现与销号趋势", [r["name"] for r in trend_rows],
                   [[r["found"] for r in trend_rows], [r["closed"] for r in trend_rows]], ["发现", "已销号"],
                   "隐患（项）", "近12个月未发现隐患。")


def _alarms(document: OfficialDocument, figures: dict[str, Any]) -> None:
    alarms = figures["alarms"]
    document.heading("重大危险源监测预警", number=3)
    levels = "，".join(f"{r['name']} {r['total']} 条" for r in alarms["by_level"] if r["total"])
    kinds = "，".join(f"{r['name']} {r['total']} 条" for r in alarms["by_kind"] if r["total"])
    document.paragraph(f"本月产生报警 {alarms['total']} 条，已消警 {alarms['closed']} 条；在用监测点 {alarms['points']} 个，"
                       f"月度数据在线率 {_pct(alarms['online_rate'])}。"
                       + (f"按级别：{levels}；按类型：{kinds}。" if alarms["total"] else ""))


def _incidents(document: OfficialDocument, figures: dict[str, Any], pictures: _Figures) -> None:
    incidents = figures["incidents"]["current"]
    before = figures["incidents"]["last_month"]
    document.heading("突发事件", number=4)
    document.paragraph(
        f"本月发生突发事件 {incidents['total']} 起（上月 {before['total']} 起），死亡 {incidents['deaths']} 人，"
        f"失踪 {incidents['missing']} 人，重伤 {incidents['serious_injuries']} 人，直接经济损失 "
        f"{incidents['direct_loss_yuan']:g} 元；信息超时报送 {incidents['late_reports']} 次。")
    grades = [(g, b) for g, b in zip(incidents["by_grade"], before["by_grade"], strict=True) if g["total"] or b["total"]]
    if grades:
        document.table(["事件等级", "本月（起）", "上月（起）"], [[g["name"], g["total"], b["total"]] for g, b in grades])
    pictures.chart("突发事件等级分布", [g["name"] for g in incidents["by_grade"]],
                   [[g["total"] for g in incidents["by_grade"]], [b["total"] for b in before["by_grade"]]],
                   ["本月", "上月"], "事件（起）", "本月和上月均未发生突发事件。")


def _enforcement(document: OfficialDocument, figures: dict[str, Any]) -> None:
    document.heading("执法检查", number=5)
    enforcement = figures["enforcement"]
    if enforcement is None:
        document.paragraph(NO_DATA)
        return
    parts = [f"{label.split('（')[0]} {_show(enforcement.get(key))} {label.split('（')[1].rstrip('）')}"
             for key, label in ENFORCEMENT_LABELS if enforcement.get(key) is not None]
    document.paragraph("本月" + "，".join(parts) + "。" if parts else "本月未开展执法检查。")


def _warnings(document: OfficialDocument, figures: dict[str, Any]) -> None:
    warnings = figures["warnings"]
    document.heading("预警发布与叫应", number=6)
    levels = "，".join(f"{r['name']} {r['total']} 条" for r in warnings["by_level"] if r["total"])
    document.paragraph(f"本月发布预警 {warnings['total']} 条" + (f"（{levels}）" if levels else "")
                       + f"；叫应对象 {warnings['recipients']} 人，已应答 {warnings['acknowledged']} 人，叫应率 "
                       f"{_pct(warnings['ack_rate'])}；通知上级责任人 {warnings['superior_called']} 次。")


def _judgements(document: OfficialDocument, figures: dict[str, Any], month: datetime.date) -> None:
    coming = next_month(month)
    document.heading(f"下月风险研判（{coming.year}年{coming.month}月）", number=7)
    judgements = figures["judgements"]
    if judgements is None:
        document.paragraph(NO_DATA)
    elif not judgements:
        document.paragraph("本月会商未作出下月风险研判。")
    else:
        for position, row in enumerate(judgements, start=1):
            document.paragraph(f"{position}．{judgement_sentence(row)}")
