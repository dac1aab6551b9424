"""OASIS CAP 1.2 and the national early-warning platform format (OASIS CAP 1.2; the national platform's CAP profile, see docs/standards.md): build, validate, parse.

Both formats are handled through one neutral `Alert` (with `Info` and `Area` blocks), so an imported
message can be shown and forwarded, and a local warning can be exported either way. OASIS documents are
checked against the official schema shipped in `data/CAP-v1.2.xsd`; the national format has no public
schema, so its rules from §5.1 are checked here. Parsing never resolves entities or fetches anything.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from lxml import etree

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
DATA = Path(__file__).resolve().parent / "data"
SHANGHAI = ZoneInfo("Asia/Shanghai")

LEVELS = ("red", "orange", "yellow", "blue")
# The OASIS export maps the four colours to CAP severities (a convention, not normative).
LEVEL_TO_SEVERITY = {"red": "Extreme", "orange": "Severe", "yellow": "Moderate", "blue": "Minor"}
SEVERITY_TO_LEVEL = {v: k for k, v in LEVEL_TO_SEVERITY.items()}
LEVEL_TO_COLOUR = {"red": "Red", "orange": "Orange", "yellow": "Yellow", "blue": "Blue"}
COLOUR_TO_LEVEL = {v: k for k, v in LEVEL_TO_COLOUR.items()}
NATIONAL_CERTAINTY = {"Observed", "VeryLikely", "Likely", "Possible", "Unlikely", "Unknown"}
NATIONAL_IDENTIFIER = re.compile(r"^\d{14}_\d{14}(_\d)?$")
NATIONAL_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d$")
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


class CapError(ValueError):
    """A message that cannot be accepted; `problems` lists every reason, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class Area:
    desc: str
    polygons: list[str] = field(default_factory=list)  # CAP form: "lat,lon lat,lon ..." closed ring
    circles: list[str] = field(default_factory=list)  # "lat,lon radius"
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Info:
    event: str
    level: str  # red/orange/yellow/blue, or "" when the sender said Unknown
    urgency: str = "Expected"
    certainty: str = "Likely"
    headline: str = ""
    description: str = ""
    instruction: str = ""
    language: str = "zh-CN"
    categories: list[str] = field(default_factory=lambda: ["Met"])
    event_type: str = ""  # national event code, e.g. 11B03
    response_types: list[str] = field(default_factory=list)
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    web: str = ""
    areas: list[Area] = field(default_factory=list)


@dataclass
class Alert:
    identifier: str
    sender: str
    sent: datetime
    msg_type: str = "Alert"
    status: str = "Actual"
    scope: str = "Public"
    references: list[str] = field(default_factory=list)  # identifiers of earlier messages
    reference_entries: list[str] = field(default_factory=list)  # CAP "sender,identifier,sent" as received
    note: str = ""
    sender_code: str = ""
    channels: list[str] = field(default_factory=list)
    infos: list[Info] = field(default_factory=list)
    format: str = "cap"  # "cap" (OASIS) or "national"

    @property
    def first_info(self) -> Info | None:
        return self.infos[0] if self.infos else None


@dataclass(frozen=True)
class EventType:
    code: str
    name: str
    kind: str


@cache
def event_types() -> dict[str, EventType]:
    """The national event codes (§5.1), kept as data: not confirmed as the GB/T 35561 code set."""
    with open(DATA / "event_types.csv", encoding="utf-8") as handle:
        return {row["code"]: EventType(row["code"], row["name"], row["kind"]) for row in csv.DictReader(handle)}


@cache
def schema():
    import xmlschema

    return xmlschema.XMLSchema(str(DATA / "CAP-v1.2.xsd"))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=True)


# -- times ------------------------------------------------------------------------------------------------


def cap_time(value: datetime) -> str:
    """CAP's dateTime: the schema's pattern forbids "Z" and fractions, so always an offset."""
    return value.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def national_time(value: datetime) -> str:
    return cap_time(value).replace("T", " ")


def parse_time(text: str, *, national: bool = False) -> datetime:
    text = text.strip()
    pattern = NATIONAL_TIME if national else CAP_TIME
    if national and CAP_TIME.match(text):
        pattern = CAP_TIME  # some senders keep the "T"; the meaning is the same
    if not pattern.match(text):
        raise ValueError(text)
    return datetime.fromisoformat(text.replace(" ", "T"))


# -- identifiers ------------------------------------------------------------------------------------------


def sender_code(division_code: str, department: str = "000") -> str:
    """14 characters: GB/T 2260 division (6) + GB/T 4657 department (3) + internal 000 + extension 00."""
    return f"{division_code[:6]}{department[:3]:0>3}00000"


def national_identifier(code: str, sent: datetime, serial: int = 1) -> str:
    """`ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N` (31 characters)."""
    return f"{code}_{sent.astimezone(SHANGHAI):%Y%m%d%H%M%S}_{serial % 10}"


def national_filename(alert: Alert) -> str:
    """`senderCode_sendTime_eventType_LEVEL_msgType.XML`, e.g. 33000041600000_20121025091026_11B01_BLUE_ALERT.XML."""
    info = alert.first_info
    colour = LEVEL_TO_COLOUR.get(info.level if info else "", "Unknown").upper()
    event_type = info.event_type if info else ""
    return (f"{alert.sender_code}_{alert.sent.astimezone(SHANGHAI):%Y%m%d%H%M%S}_{event_type}_{colour}_"
            f"{alert.msg_type.upper()}.XML")


# -- building ---------------------------------------------------------------------------------------------


def _sub(parent, tag: str, text: str | None, ns: str | None) -> None:
    if text is None or text == "":
        return
    element = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag)
    element.text = str(text)


def _pair(parent, tag: str, name: str, value: str, ns: str | None) -> None:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag)
    _sub(element, "valueName", name, ns)
    _sub(element, "value", value, ns)


def build_cap(alert: Alert) -> bytes:
    """The OASIS CAP 1.2 document, elements in the schema's order."""
    ns = CAP_NS
    root = etree.Element(f"{{{ns}}}alert", nsmap={None: ns})
    _sub(root, "identifier", alert.identifier, ns)
    _sub(root, "sender", alert.sender, ns)
    _sub(root, "sent", cap_time(alert.sent), ns)
    _sub(root, "status", alert.status, ns)
    _sub(root, "msgType", alert.msg_type, ns)
    _sub(root, "scope", alert.scope, ns)
    for channel in alert.channels:
        _sub(root, "code", channel, ns)
    _sub(root, "note", alert.note, ns)
    if alert.reference_entries or alert.references:
        _sub(root, "references", " ".join(alert.reference_entries or alert.references), ns)
    for info in alert.infos:
        element = etree.SubElement(root, f"{{{ns}}}info")
        _sub(element, "language", info.language, ns)
        for category in info.categories or ["Other"]:
            _sub(element, "category", category, ns)
        _sub(element, "event", info.event, ns)
        for response in info.response_types:
            _sub(element, "responseType", response, ns)
        _sub(element, "urgency", info.urgency, ns)
        _sub(element, "severity", LEVEL_TO_SEVERITY.get(info.level, "Unknown"), ns)
        _sub(element, "certainty", info.certainty if info.certainty != "VeryLikely" else "Likely", ns)
        if info.event_type:
            _pair(element, "eventCode", "CN-EVENTTYPE", info.event_type, ns)
        for tag in ("effective", "onset", "expires"):
            value = getattr(info, tag)
            if value is not None:
                _sub(element, tag, cap_time(value), ns)
        _sub(element, "senderName", info.sender_name, ns)
        _sub(element, "headline", info.headline, ns)
        _sub(element, "description", info.description, ns)
        _sub(element, "instruction", info.instruction, ns)
        _sub(element, "web", info.web, ns)
        if info.level:
            _pair(element, "parameter", "CN-COLOUR", LEVEL_TO_COLOUR[info.level], ns)
        for area in info.areas:
            _area(element, area, ns, national=False)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _area(parent, area: Area, ns: str | None, *, national: bool) -> None:
    element = etree.SubElement(parent, f"{{{ns}}}area" if ns else "area")
    _sub(element, "areaDesc", area.desc, ns)
    for polygon in area.polygons:
        _sub(element, "polygon", polygon, ns)
    for circle in area.circles:
        _sub(element, "circle", circle, ns)
    if national:
        codes = [value for _name, value in area.geocodes]
        if codes:
            _sub(element, "geocode", ",".join(codes), ns)
    else:
        for name, value in area.geocodes:
            _pair(element, "geocode", name, value, ns)


def build_national(alert: Alert) -> bytes:
    """The national platform's message (§5.1): colour severities, senderCode, coded eventType, spaced times."""
    root = etree.Element("alert")
    _sub(root, "identifier", alert.identifier, None)
    _sub(root, "sender", alert.sender, None)
    _sub(root, "senderCode", alert.sender_code, None)
    _sub(root, "sendTime", national_time(alert.sent), None)
    _sub(root, "status", alert.status, None)
    _sub(root, "msgType", alert.msg_type, None)
    _sub(root, "scope", alert.scope, None)
    _sub(root, "code", ",".join(alert.channels), None)
    _sub(root, "secClassification", "None", None)
    _sub(root, "note", alert.note, None)
    _sub(root, "references", ",".join(alert.references), None)
    for info in alert.infos:
        element = etree.SubElement(root, "info")
        _sub(element, "eventType", info.event_type, None)
        _sub(element, "urgency", info.urgency, None)
        _sub(element, "severity", LEVEL_TO_COLOUR.get(info.level, "Unknown"), None)
        _sub(element, "certainty", info.certainty, None)
        for tag in ("effective", "onset", "expires"):
            value = getattr(info, tag)
            if value is not None:
                _sub(element, tag, national_time(value), None)
        _sub(element, "senderName", info.sender_name, None)
        _sub(element, "headline", info.headline, None)
        _sub(element, "description", info.description, None)
        _sub(element, "instruction", info.instruction, None)
        _sub(element, "language", info.language, None)
        _sub(element, "web", info.web, None)
        for area in info.areas:
            _area(element, area, None, national=True)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# -- validating and parsing ---------------------------------------------------------------------------------


def _load(data: bytes | str):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise CapError([_("文件是空的，不是 CAP 预警消息。")])
    try:
        return etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise CapError([_("不是格式正确的 XML（第 %(line)s 行）：%(error)s") % {"line": exc.lineno, "error": exc.msg}]
                       ) from None


def validate_cap(data: bytes | str) -> None:
    """Raise CapError unless the document is valid OASIS CAP 1.2 (schema plus the spec's own rules)."""
    root = _load(data)
    _check_cap(root)


def validate_national(data: bytes | str) -> None:
    """Raise CapError with every reason unless the document is a well-formed national-platform message (§5.1)."""
    root = _load(data)
    if detect_format(root) != "national":
        raise CapError([_("不是国家预警信息发布系统格式的消息。")])
    problems = _national_problems(root)
    if problems:
        raise CapError(problems)


def _check_cap(root) -> None:
    if etree.QName(root).namespace != CAP_NS or etree.QName(root).localname != "alert":
        raise CapError([_("根元素应为 CAP 1.2 命名空间（%(ns)s）下的 alert。") % {"ns": CAP_NS}])
    problems = []
    for error in schema().iter_errors(root):
        line = getattr(error, "sourceline", None)
        where = _("第 %(line)s 行 ") % {"line": line} if line else ""
        problems.append(_("不符合 CAP 1.2 模式：%(where)s%(path)s：%(reason)s")
                        % {"where": where, "path": error.path or "", "reason": error.reason or error.message})
        if len(problems) >= 10:
            break
    if problems:
        raise CapError(problems)
    problems = _semantic_problems(root, CAP_NS)
    if problems:
        raise CapError(problems)


def _semantic_problems(root, ns: str | None) -> list[str]:
    """Rules of the CAP 1.2 text that its schema does not express."""
    q = (lambda tag: f"{{{ns}}}{tag}") if ns else (lambda tag: tag)
    problems = []
    msg_type = root.findtext(q("msgType"), "").strip()
    if msg_type in ("Update", "Cancel") and not root.findtext(q("references"), "").strip():
        problems.append(_("“%(type)s”消息必须在 references 中引用原预警。") % {"type": msg_type})
    for polygon in root.iter(q("polygon")):
        points = (polygon.text or "").split()
        try:
            pairs = [tuple(float(v) for v in p.split(",")) for p in points]
        except ValueError:
            pairs = []
        if len(pairs) < 4 or any(len(p) != 2 for p in pairs) or pairs[0] != pairs[-1]:
            problems.append(_("多边形应至少有4个“纬度,经度”点且首尾相同：%(text)s") % {"text": (polygon.text or "")[:60]})
        elif any(not (-90 <= lat <= 90 and -180 <= lon <= 180) for lat, lon in pairs):
            problems.append(_("多边形坐标超出范围：%(text)s") % {"text": (polygon.text or "")[:60]})
    for circle in root.iter(q("circle")):
        match = re.match(r"^\s*(-?[\d.]+),(-?[\d.]+)\s+([\d.]+)\s*$", circle.text or "")
        if not match:
            problems.append(_("圆形区域应为“纬度,经度 半径”：%(text)s") % {"text": (circle.text or "")[:60]})
    return problems


def detect_format(root) -> str:
    if etree.QName(root).namespace == CAP_NS:
        return "cap"
    if etree.QName(root).localname == "alert" and root.find("sendTime") is not None:
        return "national"
    if etree.QName(root).localname == "alert" and etree.QName(root).namespace:
        return "other-cap"
    return "unknown"


def parse(data: bytes | str) -> Alert:
    """Validate and read an incoming message of either format; raise CapError with every reason."""
    root = _load(data)
    kind = detect_format(root)
    if kind == "cap":
        _check_cap(root)
        return _read(root, CAP_NS, national=False)
    if kind == "national":
        problems = _national_problems(root)
        if problems:
            raise CapError(problems)
        return _read(root, None, national=True)
    if kind == "other-cap":
        raise CapError([_("不支持的 CAP 版本（命名空间 %(ns)s），仅接收 CAP 1.2。") % {"ns": etree.QName(root).namespace}])
    raise CapError([_("不是 CAP 1.2 预警消息，也不是国家预警信息发布系统格式（根元素为 %(tag)s）。")
                    % {"tag": etree.QName(root).localname}])


def _national_problems(root) -> list[str]:
    problems = []
    for tag in ("identifier", "sender", "senderCode", "sendTime", "status", "msgType"):
        if not (root.findtext(tag) or "").strip():
            problems.append(_("缺少必填元素 %(tag)s。") % {"tag": tag})
    identifier = (root.findtext("identifier") or "").strip()
    if identifier and not NATIONAL_IDENTIFIER.match(identifier):
        problems.append(_("预警标识 identifier 应为“14位发布单位编码_14位时间_序号”：%(id)s") % {"id": identifier})
    code = (root.findtext("senderCode") or "").strip()
    if code and not re.fullmatch(r"\d{14}", code):
        problems.append(_("发布单位编码 senderCode 应为14位数字：%(code)s") % {"code": code})
    for tag in ("sendTime",):
        text = (root.findtext(tag) or "").strip()
        if text and not (NATIONAL_TIME.match(text) or CAP_TIME.match(text)):
            problems.append(_("时间 %(tag)s 格式应为“YYYY-MM-DD hh:mm:ss+08:00”：%(text)s") % {"tag": tag, "text": text})
    if (root.findtext("status") or "").strip() not in ("", "Actual", "Exercise", "Test", "Draft"):
        problems.append(_("status 取值无效：%(v)s") % {"v": root.findtext("status")})
    if (root.findtext("msgType") or "").strip() not in ("", "Alert", "Update", "Cancel"):
        problems.append(_("msgType 取值无效：%(v)s") % {"v": root.findtext("msgType")})
    infos = root.findall("info")
    if not infos:
        problems.append(_("缺少 info 预警内容。"))
    for number, info in enumerate(infos, start=1):
        event_type = (info.findtext("eventType") or "").strip()
        if event_type not in event_types():
            problems.append(_("第 %(n)d 个 info 的事件类型代码 eventType 未知：%(code)s") % {"n": number, "code": event_type})
        severity = (info.findtext("severity") or "").strip()
        if severity not in (*COLOUR_TO_LEVEL, "Unknown"):
            problems.append(_("第 %(n)d 个 info 的预警级别 severity 应为 Red/Orange/Yellow/Blue/Unknown：%(v)s")
                            % {"n": number, "v": severity})
        certainty = (info.findtext("certainty") or "").strip()
        if certainty and certainty not in NATIONAL_CERTAINTY:
            problems.append(_("第 %(n)d 个 info 的 certainty 取值无效：%(v)s") % {"n": number, "v": certainty})
        for tag in ("effective", "onset", "expires"):
            text = (info.findtext(tag) or "").strip()
            if text and not (NATIONAL_TIME.match(text) or CAP_TIME.match(text)):
                problems.append(_("第 %(n)d 个 info 的时间 %(tag)s 格式无效：%(text)s") % {"n": number, "tag": tag, "text": text})
    problems += _semantic_problems(root, None)
    return problems


def _read(root, ns: str | None, *, national: bool) -> Alert:
    q = (lambda tag: f"{{{ns}}}{tag}") if ns else (lambda tag: tag)

    def text(element, tag: str) -> str:
        return (element.findtext(q(tag)) or "").strip()

    def when(element, tag: str) -> datetime | None:
        value = text(element, tag)
        return parse_time(value, national=national) if value else None

    raw_references = text(root, "references")
    if national:
        entries = [r for r in re.split(r"[,\s]+", raw_references) if r]
        references = entries
    else:
        entries = raw_references.split()
        references = [entry.split(",")[1] if entry.count(",") >= 2 else entry for entry in entries]
    alert = Alert(
        identifier=text(root, "identifier"),
        sender=text(root, "sender"),
        sent=when(root, "sendTime" if national else "sent"),
        msg_type=text(root, "msgType"),
        status=text(root, "status"),
        scope=text(root, "scope") or "Public",
        references=references,
        reference_entries=entries,
        note=text(root, "note"),
        sender_code=text(root, "senderCode") if national else "",
        channels=[c for c in re.split(r"[,\s]+", text(root, "code")) if c] if national
        else [(c.text or "").strip() for c in root.findall(q("code"))],
        format="national" if national else "cap",
    )
    for element in root.findall(q("info")):
        if national:
            event_type = text(element, "eventType")
            known = event_types().get(event_type)
            event = known.name if known else event_type
            level = COLOUR_TO_LEVEL.get(text(element, "severity"), "")
            categories: list[str] = []
        else:
            codes = {text(c, "valueName"): text(c, "value") for c in element.findall(q("eventCode"))}
            event_type = codes.get("CN-EVENTTYPE", "")
            event = text(element, "event")
            level = SEVERITY_TO_LEVEL.get(text(element, "severity"), "")
            categories = [(c.text or "").strip() for c in element.findall(q("category"))]
        info = Info(
            event=event, level=level, urgency=text(element, "urgency"), certainty=text(element, "certainty"),
            headline=text(element, "headline"), description=text(element, "description"),
            instruction=text(element, "instruction"), language=text(element, "language") or "zh-CN",
            categories=categories, event_type=event_type,
            response_types=[(r.text or "").strip() for r in element.findall(q("responseType"))],
            effective=when(element, "effective"), onset=when(element, "onset"), expires=when(element, "expires"),
            sender_name=text(element, "senderName"), web=text(element, "web"),
        )
        for area_element in element.findall(q("area")):
            if national:
                geocodes = [("GB/T 2260", c) for c in re.split(r"[,\s]+", text(area_element, "geocode")) if c]
            else:
                geocodes = [(text(g, "valueName"), text(g, "value")) for g in area_element.findall(q("geocode"))]
            info.areas.append(Area(
                desc=text(area_element, "areaDesc"),
                polygons=[(p.text or "").strip() for p in area_element.findall(q("polygon"))],
                circles=[(c.text or "").strip() for c in area_element.findall(q("circle"))],
                geocodes=geocodes,
            ))
        alert.infos.append(info)
    return alert


def polygon_from_geojson(geometry: dict | None) -> list[str]:
    """GeoJSON (lon, lat) rings as CAP polygons ("lat,lon ..."), outer rings only."""
    if not geometry:
        return []
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    rings = []
    for polygon in polygons:
        if polygon:
            rings.append(" ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in polygon[0]))
    return rings
