"""The exam room: a candidate logs in with their ID number, admission ticket and entry code, takes the paper.

Candidates are enterprise staff without platform accounts. The ID number and the admission ticket (printed on
the candidate list) identify the candidate, but the enterprise that enrolled them knows both, so neither proves
that the person at the keyboard is the candidate. In a supervised exam the invigilator (an exam administrator of
the exam's region) checks each candidate's identity card at the door and hands over a one-time entry code
(入场码, `services.room_codes_issue`); the three together open that candidate's own attempt once, and only while
the exam window is open. The session holds the candidate id, nothing else. The server keeps the clock: every
save and the hand-in are checked against the attempt's deadline.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.client_ip import client_ip
from yingji.core.throttling import count_hit, hits
from yingji.training import services
from yingji.training.forms import ExamLoginForm
from yingji.training.models import Attempt, AttemptStatus, Candidate
from yingji.training.views import paper_rows

SESSION_KEY = "training_candidate"
LOGIN_LIMIT = 10  # failed logins per client address per window
LOGIN_WINDOW = 600  # seconds


def _candidate(request) -> Candidate | None:
    candidate_id = request.session.get(SESSION_KEY)
    if not candidate_id:
        return None
    return Candidate._base_manager.select_related("exam", "trainee", "enterprise").filter(pk=candidate_id).first()


def _to_login():
    return HttpResponseRedirect(reverse("training:exam_login"))


def exam_login(request):
    """ID number + admission ticket + entry code; failures are counted per client address in the shared throttle
    cache (every web process sees them) and never say which part was wrong."""
    key = f"training-login-failures:{client_ip(request)}"
    form = ExamLoginForm(request.POST or None)
    error = None
    if request.method == "POST":
        if hits(key) >= LOGIN_LIMIT:
            error = _("登录失败次数过多，请 10 分钟后再试或联系监考人员。")
        elif form.is_valid():
            candidate = services.candidate_for_login(**form.cleaned_data)
            if candidate is None:
                count_hit(key, LOGIN_WINDOW)
                error = _("公民身份号码、准考证号或入场码不正确，或入场码已使用。请联系监考人员重新发放入场码。")
            elif timezone.now() >= candidate.exam.closes_at:
                error = _("本场考试已于 %(time)s 截止。") % {
                    "time": timezone.localtime(candidate.exam.closes_at).strftime("%Y-%m-%d %H:%M")}
            else:
                request.session.cycle_key()
                request.session[SESSION_KEY] = candidate.pk
                return HttpResponseRedirect(reverse("training:exam_room"))
    status = 400 if error or (request.method == "POST" and not form.is_valid()) else 200
    return render(request, "training/exam_login.html", {"title": _("考生登录"), "form": form, "error": error},
                  status=status)


def exam_room(request):
    """The candidate's exam: its rules and window, start / carry on, or the result once handed in."""
    candidate = _candidate(request)
    if candidate is None:
        return _to_login()
    attempt = Attempt._base_manager.filter(candidate=candidate).first()
    if attempt is not None and attempt.status == AttemptStatus.IN_PROGRESS:
        attempt = services.attempt_time_out(attempt=attempt) or attempt
    context = {"title": candidate.exam.name, "candidate": candidate, "exam": candidate.exam, "attempt": attempt,
               "now": timezone.now(), "message": request.session.pop("training_message", None)}
    return render(request, "training/exam_room.html", context)


@require_POST
def exam_start(request):
    candidate = _candidate(request)
    if candidate is None:
        return _to_login()
    try:
        services.attempt_start(candidate=candidate)
    except ValidationError as exc:
        request.session["training_message"] = "；".join(exc.messages)
        return HttpResponseRedirect(reverse("training:exam_room"))
    return HttpResponseRedirect(reverse("training:exam_paper"))


def _answers_from(request, attempt: Attempt) -> dict[str, str]:
    return {str(pk): "".join(request.POST.getlist(f"q{pk}")) for pk in attempt.paper}


def exam_paper(request):
    """The paper. POST with `save` keeps the answers; POST with `submit` hands in. Both are refused after time."""
    candidate = _candidate(request)
    if candidate is None:
        return _to_login()
    attempt = Attempt._base_manager.filter(candidate=candidate).select_related("exam").first()
    if attempt is None:
        return HttpResponseRedirect(reverse("training:exam_room"))
    error = None
    if request.method == "POST":
        answers = _answers_from(request, attempt)
        try:
            if "submit" in request.POST:
                services.attempt_submit(attempt=attempt, answers=answers)
                return HttpResponseRedirect(reverse("training:exam_room"))
            attempt = services.attempt_save(attempt=attempt, answers=answers)
        except ValidationError as exc:
            error = "；".join(exc.messages)
            # Time is up: hand in what was saved before the limit, so the score is there at once.
            services.attempt_time_out(attempt=attempt)
            attempt.refresh_from_db()
    if attempt.status != AttemptStatus.IN_PROGRESS and error is None:
        return HttpResponseRedirect(reverse("training:exam_room"))
    context = {
        "title": attempt.exam.name, "candidate": candidate, "attempt": attempt, "error": error,
        "rows": paper_rows(attempt, reveal=False), "saved": request.method == "POST" and error is None,
        "seconds_left": max(0, int((attempt.deadline_at - timezone.now()).total_seconds())),
    }
    return render(request, "training/exam_paper.html", context, status=400 if error else 200)


@require_POST
def exam_logout(request):
    request.session.pop(SESSION_KEY, None)
    return _to_login()

