"""Demo training: city question banks for 危险化学品 / 非煤矿山 / 工贸 and general knowledge, enterprise staff as
trainees, a finished exam with results across the city, and an exam open now with tickets waiting.

Everything is drawn from `context["random"]` before anything is written, so the random stream is the same whether or
not the rows exist; banks, questions, trainees, exams, candidates and attempts are matched by natural keys, so a
second run creates nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from yingji.core.demo import person_name
from yingji.standards.resident_id import check_character
from yingji.training import services
from yingji.training.models import (
    Attempt,
    Candidate,
    Exam,
    Industry,
    Post,
    Question,
    QuestionBank,
    QuestionKind,
    Trainee,
)

S, M, J = QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.JUDGE
# (kind, stem, options, answer, explanation)
GENERAL = [
    (S, "安全生产工作坚持（ ）的方针。", ["安全第一、预防为主、综合治理", "以人为本、生产优先", "效益优先、兼顾安全", "先生产后安全"], "A", "《安全生产法》第三条"),
    (S, "生产经营单位的（ ）是本单位安全生产第一责任人。", ["主要负责人", "安全管理人员", "班组长", "工会主席"], "A", "《安全生产法》第五条"),
    (S, "从业人员发现直接危及人身安全的紧急情况时，有权（ ）。", ["停止作业或者在采取可能的应急措施后撤离作业场所", "继续作业", "等待领导指示后再行动", "只向班组长报告"], "A", "《安全生产法》第五十五条"),
    (S, "生产经营单位应当在有较大危险因素的生产经营场所和有关设施、设备上，设置明显的（ ）。", ["安全警示标志", "宣传标语", "广告牌", "企业标识"], "A", "《安全生产法》第三十五条"),
    (S, "火灾报警电话是（ ）。", ["119", "110", "120", "122"], "A", ""),
    (S, "生产经营单位应当建立安全风险分级管控制度，按照安全风险分级采取相应的（ ）。", ["管控措施", "处罚措施", "奖励措施", "宣传措施"], "A", "《安全生产法》第四十一条"),
    (S, "发生生产安全事故后，事故现场有关人员应当立即报告（ ）。", ["本单位负责人", "新闻媒体", "保险公司", "家属"], "A", "《安全生产法》第八十三条"),
    (S, "安全风险等级从高到低依次用（ ）四种颜色标示。", ["红、橙、黄、蓝", "红、黄、橙、蓝", "橙、红、黄、绿", "红、橙、黄、绿"], "A", "重大、较大、一般、低风险分别对应红、橙、黄、蓝"),
    (S, "使用干粉灭火器时，应对准火焰（ ）喷射。", ["根部", "上部", "中部", "外围"], "A", ""),
    (S, "生产经营单位不得使用国家明令淘汰、禁止使用的危及生产安全的（ ）。", ["工艺、设备", "办公用品", "宣传资料", "管理软件"], "A", "《安全生产法》第三十八条"),
    (S, "特种作业人员必须经专门的安全作业培训，取得（ ），方可上岗作业。", ["相应资格", "学历证书", "职称证书", "健康证明"], "A", "《安全生产法》第三十条"),
    (S, "重大危险源及有关安全措施、应急措施应当报有关地方人民政府（ ）备案。", ["应急管理部门和有关部门", "公安机关", "税务部门", "统计部门"], "A", "《安全生产法》第四十条"),
    (M, "从业人员依法享有的安全生产权利包括（ ）。", ["了解危险因素、防范措施和事故应急措施", "批评、检举、控告", "拒绝违章指挥和强令冒险作业", "不服从安全管理"], "ABC", "《安全生产法》第五十三条至第五十五条"),
    (M, "建设项目安全设施必须与主体工程（ ）。", ["同时设计", "同时施工", "同时投入生产和使用", "同时报废"], "ABC", "“三同时”，《安全生产法》第三十一条"),
    (M, "事故隐患治理应当做到（ ）落实。", ["责任", "措施", "资金", "时限和预案"], "ABCD", "隐患治理“五落实”"),
    (M, "风险控制措施的类别包括（ ）。", ["工程技术措施", "管理措施", "培训教育措施", "个体防护措施"], "ABCD", ""),
    (M, "下列属于个体防护用品的有（ ）。", ["安全帽", "防护眼镜", "绝缘手套", "灭火器"], "ABC", ""),
    (M, "有限空间作业应当遵循（ ）的原则。", ["先通风", "再检测", "后作业", "先作业后检测"], "ABC", "《工贸企业有限空间作业安全规定》"),
    (J, "生产经营单位可以发放现金代替劳动防护用品。", [], "F", "劳动防护用品应当按标准配备，不得以货币或其他物品替代"),
    (J, "从业人员有权拒绝违章指挥和强令冒险作业。", [], "T", "《安全生产法》第五十四条"),
    (J, "免除或者减轻生产经营单位对从业人员因生产安全事故伤亡依法应承担责任的协议无效。", [], "T", "《安全生产法》第五十二条"),
    (J, "重大事故隐患排除前或者排除过程中无法保证安全的，应当从危险区域内撤出作业人员。", [], "T", "《安全生产法》第七十条"),
    (J, "为防止人员随意进出，安全出口可以临时上锁。", [], "F", "安全出口、疏散通道必须保持畅通"),
    (J, "生产经营单位应当每年至少组织一次综合应急预案演练或者专项应急预案演练。", [], "T", "《生产安全事故应急预案管理办法》第三十三条"),
    (J, "新上岗的从业人员，岗前安全培训时间不得少于24学时。", [], "T", "《生产经营单位安全培训规定》第十三条"),
    (J, "电气设备着火时，应首先用水扑救。", [], "F", "应先切断电源，使用干粉、二氧化碳等灭火器"),
    (J, "事故隐患只需登记，不需要整改销号。", [], "F", "隐患应当闭环管理：整改、验收、销号"),
    (J, "主要负责人和安全生产管理人员初次安全培训时间不得少于32学时。", [], "T", "《生产经营单位安全培训规定》第九条"),
    (J, "过期的灭火器不影响灭火效果，可以继续使用。", [], "F", ""),
    (J, "发现事故隐患应当立即报告现场安全生产管理人员或者本单位负责人。", [], "T", "《安全生产法》第五十九条"),
]
HAZCHEM = [
    (S, "危险化学品单位应当在作业场所设置通信、报警装置，并保证处于（ ）状态。", ["适用", "关闭", "检修", "备查"], "A", "《危险化学品安全管理条例》第二十一条"),
    (S, "剧毒化学品应当在专用仓库内单独存放，并实行（ ）制度。", ["双人收发、双人保管", "一人保管", "随用随领", "班组自管"], "A", "《危险化学品安全管理条例》第二十四条"),
    (S, "危险化学品重大危险源的辨识依据是（ ）。", ["GB 18218《危险化学品重大危险源辨识》", "GB 6441《企业职工伤亡事故分类》", "GB/T 4754《国民经济行业分类》", "GB 32100《统一社会信用代码》"], "A", ""),
    (S, "可燃气体检测报警器应当（ ）检定或校准。", ["定期", "无需", "只在安装时", "发生事故后"], "A", ""),
    (M, "危险化学品的储存方式包括（ ）。", ["隔离储存", "隔开储存", "分离储存", "混合储存"], "ABC", ""),
    (M, "动火作业前应当（ ）。", ["办理动火作业许可", "进行可燃气体分析", "清理周边可燃物", "撤除监护人"], "ABC", "GB 30871《危险化学品企业特殊作业安全规范》"),
    (M, "危险化学品泄漏处置时应当（ ）。", ["隔离泄漏污染区", "佩戴相应防护器具", "切断火源", "用铁器敲击阀门"], "ABC", ""),
    (J, "危险化学品可以与禁忌物料混合储存。", [], "F", ""),
    (J, "装卸易燃液体时应当设置静电接地。", [], "T", ""),
    (J, "进入受限空间作业前应当进行气体检测。", [], "T", ""),
    (J, "危险化学品生产企业无需向用户提供化学品安全技术说明书。", [], "F", "《危险化学品安全管理条例》第十五条"),
]
NON_COAL_MINE = [
    (S, "地下矿山每个生产水平（中段）至少应当有（ ）个便于行人的安全出口。", ["两", "一", "三", "四"], "A", "GB 16423《金属非金属矿山安全规程》"),
    (S, "露天矿山边坡应当定期进行（ ）。", ["稳定性监测", "绿化", "粉刷", "拍照宣传"], "A", ""),
    (S, "未经安全教育、培训的矿山职工，（ ）上岗作业。", ["不得", "可以", "经班长同意可以", "试用期内可以"], "A", "《矿山安全法》第二十六条"),
    (S, "井下爆破作业必须由（ ）进行。", ["持证爆破作业人员", "任何当班工人", "实习生", "材料员"], "A", ""),
    (M, "地下矿山安全避险“六大系统”包括（ ）。", ["监测监控", "人员定位", "紧急避险", "压风自救"], "ABCD", "另有供水施救、通信联络系统"),
    (M, "尾矿库日常安全管理应当（ ）。", ["定期巡坝", "监测浸润线", "控制库水位", "在坝体上取土"], "ABC", ""),
    (J, "矿山企业可以继续使用国家明令淘汰的设备。", [], "F", ""),
    (J, "露天采场边坡下方可以设置休息场所。", [], "F", ""),
    (J, "尾矿库应当按规定进行安全现状评价。", [], "T", ""),
    (J, "井下作业人员应当随身携带自救器。", [], "T", ""),
]
INDUSTRY_TRADE = [
    (S, "粉尘涉爆企业应当按规定（ ）清扫积尘。", ["及时", "每年一次", "不需要", "停产后"], "A", "《工贸企业粉尘防爆安全规定》"),
    (S, "有限空间作业必须安排（ ）。", ["专人监护", "宣传员", "质检员", "会计"], "A", ""),
    (S, "使用砂轮机时，操作者应站在砂轮的（ ）。", ["侧面", "正面", "背面", "上方"], "A", ""),
    (S, "吊运高温熔融金属应当使用（ ）起重机。", ["冶金铸造", "普通桥式", "汽车", "塔式"], "A", ""),
    (M, "粉尘爆炸的条件包括（ ）。", ["可燃粉尘", "粉尘云达到爆炸浓度", "点火源", "受限空间和助燃气体"], "ABCD", ""),
    (M, "机械设备的安全防护装置包括（ ）。", ["防护罩", "防护栏", "急停装置", "装饰条"], "ABC", ""),
    (J, "可以用压缩空气吹扫积尘。", [], "F", "《工贸企业粉尘防爆安全规定》禁止"),
    (J, "设备运转时可以用手清理铁屑。", [], "F", ""),
    (J, "有限空间作业应当先通风、再检测、后作业。", [], "T", ""),
    (J, "员工可以不佩戴劳动防护用品进入作业现场。", [], "F", ""),
]
BANKS = [
    ("安全生产通用知识题库", Industry.GENERAL, Post.EMPLOYEE, GENERAL),
    ("危险化学品企业安全生产管理人员题库", Industry.HAZCHEM, Post.SAFETY_MANAGER, HAZCHEM),
    ("非煤矿山安全生产管理人员题库", Industry.NON_COAL_MINE, Post.SAFETY_MANAGER, NON_COAL_MINE),
    ("工贸行业从业人员题库", Industry.INDUSTRY_TRADE, Post.EMPLOYEE, INDUSTRY_TRADE),
]
INDUSTRY_OF = {
    "hazchem_production": Industry.HAZCHEM, "hazchem_trade": Industry.HAZCHEM, "hazchem_use": Industry.HAZCHEM,
    "non_coal_mine": Industry.NON_COAL_MINE, "fireworks": Industry.FIREWORKS,
}
POSTS = [Post.PRINCIPAL, Post.SAFETY_MANAGER, Post.SAFETY_MANAGER, Post.SPECIAL_OPERATOR, Post.EMPLOYEE]


def _id_number(rng: random.Random, county_code: str) -> str:
    born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 35))
    first17 = f"{county_code}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_character(first17)


def build_trainees(rng: random.Random, enterprises: list) -> list[dict[str, Any]]:
    """Three to five staff for the first enterprises (the managed ones come first) and every 6th after them."""
    chosen = enterprises[:3] + enterprises[3::6]
    records = []
    for enterprise in chosen:
        industry = INDUSTRY_OF.get(enterprise.category, Industry.INDUSTRY_TRADE)
        for post in POSTS[: rng.randint(3, 5)]:
            records.append({"enterprise": enterprise, "name": person_name(rng), "industry": industry, "post": post,
                            "id_number": _id_number(rng, enterprise.region_id[:6]),
                            "phone": f"139{rng.randrange(10**8):08d}"})
    return records


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def seed(context: dict) -> None:
    rng: random.Random = context["random"]
    log = context["log"]
    city = context["city"]
    today = timezone.localdate()
    trainee_records = build_trainees(rng, context["enterprises"])
    skills = [rng.uniform(0.7, 0.99) for _ in trainee_records]
    draws = [rng.random() for _ in range(len(trainee_records) * 80)]
    tickets = [f"{rng.randrange(10**10):010d}" for _ in range(len(trainee_records) * 2)]
    seeds = [rng.getrandbits(52) for _ in range(len(trainee_records) * 2)]

    banks = {}
    created = 0
    for name, industry, post, questions in BANKS:
        bank = QuestionBank.objects.filter(region=city, name=name).first()
        if bank is None:
            bank = services.bank_create(actor=None, name=name, industry=industry, post=post, region=city,
                                        description=f"{industry.label}{post.label}安全培训考试用题")
        banks[industry] = bank
        have = set(Question.objects.filter(bank=bank).values_list("stem", flat=True))
        for kind, stem, options, answer, explanation in questions:
            if stem in have:
                continue
            letters = {f"option_{c}": text for c, text in zip("abcdef", options, strict=False)}
            services.question_create(actor=None, bank=bank, kind=kind, stem=stem, answer=answer,
                                     explanation=explanation, **letters)
            created += 1
    log(f"培训考试：题库 {len(banks)} 个，新建试题 {created} 道")

    trainees = []
    existing = {(t.enterprise_id, t.id_number): t for t in Trainee.objects.all()}
    for record in trainee_records:
        trainee = existing.get((record["enterprise"].pk, record["id_number"]))
        if trainee is None:
            trainee = services.trainee_create(actor=None, **record)
        trainees.append(trainee)

    past_day = today - datetime.timedelta(days=60)
    past = _exam(name=f"{past_day.year}年危险化学品企业安全生产管理人员考试", region=city,
                 banks=[banks[Industry.GENERAL], banks[Industry.HAZCHEM]], opens_at=_at(past_day, 9),
                 closes_at=_at(past_day, 11, 30), duration=90, single=(15, "2"), multiple=(8, "5"),
                 judge=(15, "2"), pass_mark="80")
    current = _exam(name=f"{today.year}年第四季度企业从业人员安全知识考试", region=city,
                    banks=[banks[Industry.GENERAL], banks[Industry.INDUSTRY_TRADE]],
                    opens_at=_at(today - datetime.timedelta(days=1), 8),
                    closes_at=_at(today + datetime.timedelta(days=14), 18), duration=60,
                    single=(10, "4"), multiple=(5, "4"), judge=(10, "4"), pass_mark="60")

    sat = 0
    for index, (trainee, skill) in enumerate(zip(trainees, skills, strict=True)):
        if trainee.post in (Post.PRINCIPAL, Post.SAFETY_MANAGER):
            exam, when, finished = past, past.opens_at, True
        else:
            exam, when, finished = current, current.opens_at, index % 3 != 0
        candidate = Candidate.objects.filter(exam=exam, trainee=trainee).first() or services.candidate_enrol(
            actor=None, exam=exam, trainee=trainee, at=when - datetime.timedelta(days=7),
            ticket_number=tickets[index])
        draw = iter(draws[index * 80:(index + 1) * 80])
        absent = next(draw) < 0.06
        if not finished or absent or Attempt.objects.filter(candidate=candidate).exists():
            continue
        start = when + datetime.timedelta(minutes=int(next(draw) * 20))
        attempt = services.attempt_start(candidate=candidate, at=start, seed=seeds[index])
        key = dict(Question.objects.filter(pk__in=attempt.paper).values_list("pk", "answer"))
        kinds = dict(Question.objects.filter(pk__in=attempt.paper).values_list("pk", "kind"))
        answers = {}
        for pk in attempt.paper:
            if next(draw) < skill:
                answers[str(pk)] = key[pk]
            else:
                answers[str(pk)] = _wrong(kinds[pk], key[pk])
        services.attempt_submit(attempt=attempt, answers=answers,
                                at=start + datetime.timedelta(minutes=25 + int(next(draw) * 30)))
        sat += 1
    log(f"培训考试：从业人员 {len(trainees)} 人，考试 2 场，新交卷 {sat} 份")
    context["training_exams"] = [past, current]


def _wrong(kind: str, right: str) -> str:
    if kind == J:
        return "F" if right == "T" else "T"
    if kind == M:
        return right[:-1]
    return "B" if right != "B" else "A"


def _exam(*, name, region, banks, opens_at, closes_at, duration, single, multiple, judge, pass_mark) -> Exam:
    exam = Exam.objects.filter(name=name, region=region).first()
    if exam is not None:
        return exam
    return services.exam_create(
        actor=None, banks=banks, name=name, region=region, opens_at=opens_at, closes_at=closes_at,
        duration_minutes=duration, single_count=single[0], single_score=Decimal(single[1]),
        multiple_count=multiple[0], multiple_score=Decimal(multiple[1]), judge_count=judge[0],
        judge_score=Decimal(judge[1]), pass_mark=Decimal(pass_mark),
        instructions="请携带本人身份证，提前15分钟到达考场，经监考人员核验身份后凭准考证号登录。考试期间不得交头接耳、查阅资料。")
