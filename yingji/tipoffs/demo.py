"""Demo tip-offs: a few dozen from the public across the demo villages, in every state of the handling workflow.

Everything is generated from `context["random"]` before anything is written, so the random stream is the same
whether or not the rows exist; a tip-off is matched by its description (unique in the generated set), so a second
run creates nothing. Dates are relative to now so the list looks current.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from yingji.core.demo import mobile_number, person_name
from yingji.tipoffs import services
from yingji.tipoffs.models import TipOff, TipOffCategory
from yingji.tipoffs.testing import PATH

COUNT = 36
FINDINGS = [
    (TipOffCategory.FIRE, "小区地下车库", "地下车库内多辆电动车违规充电，飞线私拉"),
    (TipOffCategory.FIRE, "沿街门面", "门面房“三合一”，楼上住人楼下经营"),
    (TipOffCategory.HAZCHEM, "城郊仓库", "仓库内夜间存放大量油漆、稀释剂，无任何手续"),
    (TipOffCategory.HAZCHEM, "加油站旁空地", "有人用塑料桶非法销售散装汽油"),
    (TipOffCategory.ILLEGAL_PRODUCTION, "村东废弃厂房", "废弃厂房内有人非法组织生产，门窗遮挡"),
    (TipOffCategory.ILLEGAL_PRODUCTION, "工业园区", "被责令停产的企业夜间偷偷生产"),
    (TipOffCategory.HAZARD, "建筑工地", "脚手架搭设不规范，工人高处作业不系安全带"),
    (TipOffCategory.HAZARD, "化工厂东墙外", "厂区围墙外常闻到刺鼻气味，疑似管道泄漏"),
    (TipOffCategory.MINE, "山坡采石场", "采石场无证开采，放炮时无警戒"),
    (TipOffCategory.CONCEALED_ACCIDENT, "机械加工厂", "上月有工人受伤送医，企业未上报"),
    (TipOffCategory.OTHER, "河道边", "河道护栏缺失，夜间无照明"),
]
# Where each tip-off ends up, weighted.
OUTCOMES = [("received", 6), ("accepted", 4), ("investigating", 5), ("invalid", 2), ("unsubstantiated", 4),
            ("substantiated", 5), ("reward_proposed", 3), ("reward_approved", 2), ("reward_paid", 5)]


def build_tipoffs(rng: random.Random, villages: list) -> list[dict[str, Any]]:
    now = timezone.now()
    records = []
    for index in range(COUNT):
        category, place, text = FINDINGS[index % len(FINDINGS)]
        village = rng.choice(villages)
        anonymous = rng.random() < 0.4
        name, phone = person_name(rng), mobile_number(rng)
        status = rng.choices([s for s, _w in OUTCOMES], weights=[w for _s, w in OUTCOMES])[0]
        if index < len(OUTCOMES):
            status = OUTCOMES[index][0]  # every state at least once, so every page has an example
        records.append({
            "description": f"{village.name}{place}：{text}（第{index + 1}号）",
            "category": category,
            "region": village,
            "address": f"{village.name}{place}",
            "reporter_name": "" if anonymous else name,
            "reporter_phone": "" if anonymous else phone,
            "submitted_at": now - datetime.timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440)),
            "status": status,
            "amount": str(rng.choice([200, 300, 500, 1000, 2000])),
        })
    return records


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    records = build_tipoffs(rng, context["villages"])
    existing = set(TipOff.objects.values_list("description", flat=True))
    created = 0
    for record in records:
        if record["description"] in existing:
            continue
        record = dict(record)
        status, amount = record.pop("status"), record.pop("amount")
        tipoff, _code = services.tipoff_submit(**record)
        for action, extra in PATH[status]:
            if "amount" in extra:
                extra = {**extra, "amount": amount}
            tipoff = services.tipoff_act(tipoff=tipoff, actor=None, action=action, reason=REASONS[action], **extra)
        created += 1
    context["log"](f"群众举报：新建 {created} 条，共 {len(records)} 条")


REASONS = {
    "accept": "属于安全生产监管范围，予以受理", "reject": "举报内容不属于安全生产范畴，已告知转交相关部门",
    "investigate": "已安排执法人员现场核查", "substantiate": "现场核查情况属实，已登记隐患并责令整改",
    "dismiss": "现场核查未发现举报所述情况", "propose_reward": "依据举报奖励办法提出奖励",
    "approve_reward": "同意", "return_reward": "请核对奖励标准", "pay": "已通过银行转账发放",
}
