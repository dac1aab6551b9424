"""Pages for bureau and enterprise users: banks, questions, trainees, exams, enrolment, results, practice."""

from __future__ import annotations

import random

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from yingji.core import excel
from yingji.core.access import declares_access
from yingji.core.scoping import code_prefix_q, has_model_perm
from yingji.core.tables import Column
from yingji.core.views.generic import ObjectDetailView, ObjectEditView, ObjectImportView, ObjectListView
from yingji.core.workflow import timeline
from yingji.standards.division import significant_prefix
from yingji.training import services
from yingji.training.filters import (
    AttemptFilterSet,
    CandidateFilterSet,
    ExamFilterSet,
    QuestionBankFilterSet,
    QuestionFilterSet,
    TraineeFilterSet,
)
from yingji.training.forms import ExamForm, QuestionBankForm, QuestionForm, TraineeForm
from yingji.training.importing import QuestionImporter
from yingji.training.models import (
    Attempt,
    Candidate,
    Exam,
    Question,
    QuestionBank,
    QuestionKind,
    Trainee,
    is_exam_administrator,
    normalise_answer,
)
from yingji.training.selectors import exam_results
from yingji.training.specs import ATTEMPT, CANDIDATE, EXAM, QUESTION, QUESTION_BANK, TRAINEE


def _home_crumbs() -> list[tuple[str, str | None]]:
    return [(_("首页"), reverse("home"))]


# What anyone but an exam administrator (models.is_exam_administrator) sees in place of an answer key.
HIDDEN = gettext_lazy("仅考试管理人员可见")


def answer_column(user) -> Column:
    """The answer key, for the exam administrators of the question's region only (never sortable: order leaks)."""
    return Column("answer", orderable=False,
                  accessor=lambda q: q.answer_display() if is_exam_administrator(user, q.region_id) else HIDDEN)


def id_number_column(user, path: str = "id_number", trainee=lambda t: t) -> Column:
    """The ID number, in full for the trainee's exam administrators, masked for everyone else."""
    return Column(path, gettext_lazy("公民身份号码"), orderable=False,
                  accessor=lambda row: trainee(row).id_number_for(user))


def mask_history(entries: list[dict], model, field_names: tuple[str, ...], visible: bool) -> list[dict]:
    """The change history with the values of sensitive fields hidden, unless the viewer may see them."""
    if visible:
        return entries
    labels = {str(model._meta.get_field(name).verbose_name) for name in field_names}
    for entry in entries:
        entry["changes"] = [(label, HIDDEN, HIDDEN) if label in labels else (label, old, new)
                            for label, old, new in entry["changes"]]
    return entries


# -- question banks --------------------------------------------------------------------------------------------------


class BankViewMixin:
    spec = QUESTION_BANK


@QUESTION_BANK.register("list")
class BankListView(BankViewMixin, ObjectListView):
    filterset_class = QuestionBankFilterSet
    columns = [Column("name", link=True), Column("industry"), Column("post"),
               Column("region.name", gettext_lazy("编制单位所在区划")),
               Column("question_count", gettext_lazy("试题数"), accessor=lambda b: b.question_count, orderable=False)]

    def get_queryset(self):
        return super().get_queryset().annotate(question_count=Count("questions"))


@QUESTION_BANK.register("detail")
class BankDetailView(BankViewMixin, ObjectDetailView):
    template_name = "training/bank_detail.html"
    fields = [Column("name"), Column("industry"), Column("post"), Column("region.name", gettext_lazy("编制单位所在区划")),
              Column("description")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        counts = dict(obj.questions.filter(is_active=True).values_list("kind").annotate(n=Count("pk")).order_by())
        context["kind_counts"] = [(label, counts.get(value, 0)) for value, label in QuestionKind.choices]
        context["can_import"] = context["edit_url"] is not None and has_model_perm(self.request.user, Question, "add")
        return context


@QUESTION_BANK.register("edit")
class BankEditView(BankViewMixin, ObjectEditView):
    form_class = QuestionBankForm


class QuestionImportView(BankViewMixin, ObjectImportView):
    """Import into one bank the user's jurisdiction keeps."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not has_model_perm(request.user, Question, "add"):
                raise PermissionDenied(_("您没有权限访问此页面。"))
            self.bank = get_object_or_404(QuestionBank.objects.restrict(request.user, "change"), pk=kwargs["pk"])
            self.importer = QuestionImporter(self.bank)
        return super().dispatch(request, *args, **kwargs)

    @property
    def verbose_name(self) -> str:
        return _("“%(bank)s”试题") % {"bank": self.bank}


# -- questions -----------------------------------------------------------------------------------------------------


class QuestionViewMixin:
    spec = QUESTION


@QUESTION.register("list")
class QuestionListView(QuestionViewMixin, ObjectListView):
    filterset_class = QuestionFilterSet

    def get(self, request, *args, **kwargs):
        # The same columns make the table and the Excel export.
        self.columns = [Column("code", link=True), Column("bank.name", gettext_lazy("所属题库")), Column("kind"),
                        Column("stem", orderable=False), answer_column(request.user), Column("is_active")]
        return super().get(request, *args, **kwargs)


@QUESTION.register("detail")
class QuestionDetailView(QuestionViewMixin, ObjectDetailView):
    def get_context_data(self, obj):
        user = self.request.user
        visible = is_exam_administrator(user, obj.region_id)
        self.fields = [
            Column("code"), Column("bank.name", gettext_lazy("所属题库")), Column("kind"), Column("stem"),
            Column("options", gettext_lazy("选项"),
                   accessor=lambda q: "；".join(f"{letter}. {text}" for letter, text in q.options)),
            answer_column(user), Column("explanation", accessor=lambda q: q.explanation if visible else HIDDEN),
            Column("is_active")]
        context = super().get_context_data(obj)
        context["history"] = mask_history(context["history"], Question, ("answer", "explanation"), visible)
        return context


@QUESTION.register("edit")
class QuestionEditView(QuestionViewMixin, ObjectEditView):
    form_class = QuestionForm

    def get_initial(self):
        return {"bank": self.request.GET.get("bank")} if self.request.GET.get("bank") else {}


# -- trainees ------------------------------------------------------------------------------------------------------


class TraineeViewMixin:
    spec = TRAINEE


@TRAINEE.register("list")
class TraineeListView(TraineeViewMixin, ObjectListView):
    filterset_class = TraineeFilterSet

    def get(self, request, *args, **kwargs):
        self.columns = [Column("name", link=True), id_number_column(request.user),
                        Column("enterprise.name", gettext_lazy("所在企业")),
                        Column("region.parent.name", gettext_lazy("乡镇（街道）")),
                        Column("industry"), Column("post"), Column("phone", orderable=False)]
        return super().get(request, *args, **kwargs)


@TRAINEE.register("detail")
class TraineeDetailView(TraineeViewMixin, ObjectDetailView):
    def get_context_data(self, obj):
        user = self.request.user
        self.fields = [Column("name"), id_number_column(user), Column("enterprise.name", gettext_lazy("所在企业")),
                       Column("industry"), Column("post"), Column("phone")]
        context = super().get_context_data(obj)
        context["history"] = mask_history(context["history"], Trainee, ("id_number",),
                                          is_exam_administrator(user, obj.region_id))
        return context


@TRAINEE.register("edit")
class TraineeEditView(TraineeViewMixin, ObjectEditView):
    form_class = TraineeForm


# -- exams ---------------------------------------------------------------------------------------------------------


class ExamViewMixin:
    spec = EXAM


@EXAM.register("list")
class ExamListView(ExamViewMixin, ObjectListView):
    filterset_class = ExamFilterSet
    columns = [Column("code"), Column("name", link=True), Column("region.name", gettext_lazy("组织单位所在区划")),
               Column("opens_at"), Column("closes_at"), Column("duration_minutes"), Column("pass_mark")]


@EXAM.register("detail")
class ExamDetailView(ExamViewMixin, ObjectDetailView):
    template_name = "training/exam_detail.html"
    fields = [
        Column("code"), Column("name"), Column("region.name", gettext_lazy("组织单位所在区划")),
        Column("banks", gettext_lazy("题库"), accessor=lambda e: "、".join(b.name for b in e.banks.all())),
        Column("rule", gettext_lazy("试卷规则"), accessor=lambda e: "；".join(
            _("%(kind)s %(count)d 题×%(score)s 分") % {"kind": QuestionKind(kind).label, "count": count,
                                                       "score": score}
            for kind, (count, score) in e.rule.items() if count)),
        Column("total_score", gettext_lazy("试卷总分"), accessor=lambda e: e.total_score),
        Column("pass_mark"), Column("duration_minutes"), Column("opens_at"), Column("closes_at"),
        Column("instructions"),
    ]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        user = self.request.user
        candidates = Candidate.objects.restrict(user, "view").filter(exam=obj)
        context["candidate_count"] = candidates.count()
        context["can_issue_room_codes"] = is_exam_administrator(user, obj.region_id)
        context["can_enrol"] = has_model_perm(user, Candidate, "add")
        if context["can_enrol"]:
            context["enrollable"] = (
                Trainee.objects.restrict(user, "view")
                .filter(code_prefix_q("region__code", significant_prefix(obj.region_id)))
                .exclude(id_number__in=Candidate._base_manager.filter(exam=obj).values("trainee__id_number"))
                .select_related("enterprise").order_by("enterprise__name", "name")[:500]
            )
        return context


@EXAM.register("edit")
class ExamEditView(ExamViewMixin, ObjectEditView):
    form_class = ExamForm


@login_required
@require_POST
def exam_enrol(request, pk: int):
    """Enrol the chosen trainees; each refusal is reported by name, the others are enrolled."""
    exam = get_object_or_404(Exam.objects.restrict(request.user, "view"), pk=pk)
    if not has_model_perm(request.user, Candidate, "add"):
        raise PermissionDenied(_("您没有权限为考试报名。"))
    trainees = Trainee.objects.restrict(request.user, "view").filter(pk__in=request.POST.getlist("trainees"))
    enrolled, refused = 0, []
    for trainee in trainees:
        try:
            with transaction.atomic():
                services.candidate_enrol(actor=request.user, exam=exam, trainee=trainee)
        except (ValidationError, PermissionDenied) as exc:
            refused.append("；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            enrolled += 1
    if enrolled:
        messages.success(request, _("已报名 %(n)d 人，准考证号见考生名单") % {"n": enrolled})
    for reason in refused:
        messages.error(request, reason)
    if not enrolled and not refused:
        messages.error(request, _("请选择要报名的人员"))
    return HttpResponseRedirect(reverse("training:candidate_list") + f"?exam={exam.pk}")


@login_required
@require_POST
def exam_room_codes(request, pk: int):
    """Issue one-time entry codes (入场码) to the exam's candidates, or to those chosen, and show them once to print.

    Exam administrators of the exam's region only; the codes are not stored in clear, so this page is the only
    place they appear. Issuing again replaces a candidate's previous code.
    """
    exam = get_object_or_404(Exam.objects.restrict(request.user, "view"), pk=pk)
    chosen = request.POST.getlist("candidates") or None
    try:
        issued = services.room_codes_issue(actor=request.user, exam=exam, candidate_ids=chosen)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(reverse("training:exam_detail", args=[exam.pk]))
    title = _("%(exam)s 入场码") % {"exam": exam.name}
    response = render(request, "training/room_codes.html", {
        "title": title, "exam": exam,
        "rows": [(candidate, candidate.trainee.id_number_for(request.user), code) for candidate, code in issued],
        "breadcrumbs": _home_crumbs() + [(_("考试"), reverse("training:exam_list")),
                                         (str(exam), reverse("training:exam_detail", args=[exam.pk])),
                                         (_("入场码"), None)],
    })
    response["Cache-Control"] = "no-store"
    return response


# -- candidates and attempts ---------------------------------------------------------------------------------------


class CandidateViewMixin:
    spec = CANDIDATE


@CANDIDATE.register("list")
class CandidateListView(CandidateViewMixin, ObjectListView):
    filterset_class = CandidateFilterSet
    title = gettext_lazy("考生名单（准考证）")

    def get(self, request, *args, **kwargs):
        self.columns = [Column("ticket_number", gettext_lazy("考生"), accessor=str, link=True),
                        Column("trainee.name", gettext_lazy("姓名")),
                        id_number_column(request.user, "trainee.id_number", trainee=lambda c: c.trainee),
                        Column("enterprise.name", gettext_lazy("所在企业")), Column("exam.name", gettext_lazy("考试")),
                        Column("exam.opens_at", gettext_lazy("开考时间")),
                        Column("exam.closes_at", gettext_lazy("截止时间"))]
        return super().get(request, *args, **kwargs)


@CANDIDATE.register("detail")
class CandidateDetailView(CandidateViewMixin, ObjectDetailView):
    def get_context_data(self, obj):
        self.fields = [Column("ticket_number"), Column("trainee.name", gettext_lazy("姓名")),
                       id_number_column(self.request.user, "trainee.id_number", trainee=lambda c: c.trainee),
                       Column("enterprise.name", gettext_lazy("所在企业")), Column("exam.name", gettext_lazy("考试")),
                       Column("enrolled_at")]
        return super().get_context_data(obj)


class AttemptViewMixin:
    spec = ATTEMPT


@ATTEMPT.register("list")
class AttemptListView(AttemptViewMixin, ObjectListView):
    filterset_class = AttemptFilterSet
    columns = [Column("candidate", gettext_lazy("考生"), accessor=str, link=True),
               Column("candidate.ticket_number", gettext_lazy("准考证号")),
               Column("candidate.trainee.name", gettext_lazy("姓名")), Column("enterprise.name", gettext_lazy("所在企业")),
               Column("exam.name", gettext_lazy("考试")), Column("status"), Column("started_at"),
               Column("submitted_at"), Column("score"), Column("passed")]


@ATTEMPT.register("detail")
class AttemptDetailView(AttemptViewMixin, ObjectDetailView):
    template_name = "training/attempt_detail.html"
    fields = [Column("candidate.ticket_number", gettext_lazy("准考证号")),
              Column("candidate.trainee.name", gettext_lazy("姓名")), Column("enterprise.name", gettext_lazy("所在企业")),
              Column("exam.name", gettext_lazy("考试")), Column("status"), Column("seed"), Column("started_at"),
              Column("deadline_at"), Column("submitted_at"), Column("score"), Column("correct_count"),
              Column("passed")]

    def get_context_data(self, obj):
        context = super().get_context_data(obj)
        # The right answers (and ✔/✘, which give them away) only for the exam's administrators.
        context["paper"] = paper_rows(obj, reveal=obj.status != "in_progress"
                                      and is_exam_administrator(self.request.user, obj.exam.region_id))
        context["timeline"] = timeline(obj, self.request.user)
        return context


def paper_rows(attempt: Attempt, *, reveal: bool) -> list[dict]:
    """The questions of a paper in order, with the answer given (and, when revealed, the right one)."""
    by_id = Question._base_manager.in_bulk(attempt.paper)
    rows = []
    for number, question_id in enumerate(attempt.paper, start=1):
        question = by_id[question_id]
        given = attempt.answers.get(str(question_id), "")
        rows.append({"number": number, "question": question, "given": given,
                     "right": reveal and given == question.answer,
                     "answer": question.answer_display() if reveal else ""})
    return rows


@login_required
def exam_results_page(request, pk: int):
    exam = get_object_or_404(Exam.objects.restrict(request.user, "view"), pk=pk)
    if not has_model_perm(request.user, Attempt, "view"):
        raise PermissionDenied(_("您没有权限访问此页面。"))
    results = exam_results(request.user, exam)
    if request.GET.get("export") == "xlsx":
        return excel.workbook_response(results_workbook(exam, results), _("%(exam)s成绩统计") % {"exam": exam.name})
    title = _("%(exam)s 成绩统计") % {"exam": exam.name}
    context = {
        "title": title, "exam": exam, "results": results,
        "breadcrumbs": _home_crumbs() + [(_("考试"), reverse("training:exam_list")),
                                         (str(exam), reverse("training:exam_detail", args=[exam.pk])), (_("成绩统计"), None)],
        "chart": [{"name": r["name"], "total": float(r["pass_rate"] or 0)} for r in results["by_region"]],
    }
    return render(request, "training/exam_results.html", context)


HEADINGS = ["报名人数", "参考人数", "缺考人数", "合格人数", "合格率（%）", "平均分"]


def _figures_row(row: dict) -> list:
    return [row["enrolled"], row["sat"], row["absent"], row["passed"],
            None if row["pass_rate"] is None else float(row["pass_rate"]),
            None if row["average"] is None else float(row["average"])]


def results_workbook(exam: Exam, results: dict) -> Workbook:
    workbook = excel.export_rows(_("按企业"), ["企业", *HEADINGS],
                                 ([r["name"], *_figures_row(r)] for r in results["by_enterprise"]))
    excel.add_sheet(workbook, _("按区域"), ["区域", *HEADINGS],
                    [*([r["name"], *_figures_row(r)] for r in results["by_region"]),
                     ["合计", *_figures_row(results["totals"])]])
    return workbook


# -- practice ------------------------------------------------------------------------------------------------------


def may_practise(user) -> bool:
    """A signed-in user practises the banks they see (a candidate without an account, those of their exam)."""
    return user.is_authenticated and has_model_perm(user, Question, "view")


def practice_banks(request):
    """Banks the visitor may practise: a user's visible banks, or a candidate's exam banks."""
    if may_practise(request.user):
        return QuestionBank.objects.restrict(request.user, "view")
    candidate_id = request.session.get("training_candidate")
    if candidate_id:
        candidate = Candidate._base_manager.filter(pk=candidate_id).select_related("exam").first()
        if candidate is not None:
            return candidate.exam.banks.all()
    return None


@declares_access(may_practise)
def practice(request):
    """One random question at a time; the answer is checked at once and explained."""
    banks = practice_banks(request)
    if banks is None:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("login") + f"?next={request.path}")
        raise PermissionDenied(_("您没有权限访问此页面。"))
    banks = banks.order_by("industry", "post", "name")
    bank = banks.filter(pk=request.GET.get("bank") or request.POST.get("bank") or 0).first() or banks.first()
    feedback = None
    question = None
    if request.method == "POST" and bank is not None:
        # Only the question this session was just asked: naming any id would read the bank's answer key.
        served = request.session.pop("training_practice_question", None)
        asked = request.POST.get("question") or ""
        question = (Question._base_manager.filter(bank=bank, pk=served).first()
                    if served is not None and asked == str(served) else None)
        if question is not None:
            given = normalise_answer(question.kind, "".join(request.POST.getlist("answer")))
            feedback = {"given": given, "right": given == question.answer, "answer": question.answer_display()}
            done = request.session.get("training_practice", {"asked": 0, "right": 0})
            done = {"asked": done["asked"] + 1, "right": done["right"] + int(feedback["right"])}
            request.session["training_practice"] = done
    if question is None and bank is not None:
        ids = list(Question._base_manager.filter(bank=bank, is_active=True).values_list("pk", flat=True))
        question = Question._base_manager.get(pk=random.SystemRandom().choice(ids)) if ids else None
        if question is not None:
            request.session["training_practice_question"] = question.pk
    context = {
        "title": _("练习"), "banks": banks, "bank": bank, "question": question, "feedback": feedback,
        "tally": request.session.get("training_practice", {"asked": 0, "right": 0}),
        "breadcrumbs": _home_crumbs() + [(_("练习"), None)] if request.user.is_authenticated else [],
    }
    return render(request, "training/practice.html", context)
