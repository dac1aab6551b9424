from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from yingji.core.api import ReadOnlyScopedViewSet, ScopedModelSerializer, ScopedViewSet
from yingji.training.filters import (
    AttemptFilterSet,
    CandidateFilterSet,
    ExamFilterSet,
    QuestionBankFilterSet,
    QuestionFilterSet,
    TraineeFilterSet,
)
from yingji.training.models import Attempt, Candidate, Exam, Question, QuestionBank, Trainee, is_exam_administrator
from yingji.training.selectors import exam_results
from yingji.training.specs import EXAM, QUESTION, QUESTION_BANK, TRAINEE


class QuestionBankSerializer(ScopedModelSerializer):
    class Meta:
        model = QuestionBank
        fields = ["id", "name", "industry", "post", "region", "description"]


class QuestionBankViewSet(ScopedViewSet):
    """Question banks kept in or above the caller's jurisdiction (changed only by their own jurisdiction)."""

    spec = QUESTION_BANK
    serializer_class = QuestionBankSerializer
    filterset_class = QuestionBankFilterSet
    search_fields = ["name"]


def _viewer(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class QuestionSerializer(ScopedModelSerializer):
    """`answer` and `explanation` are null for anyone but an exam administrator of the question's region."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not is_exam_administrator(_viewer(self), instance.region_id):
            data["answer"] = None
            data["explanation"] = None
        return data

    class Meta:
        model = Question
        fields = ["id", "code", "bank", "kind", "kind_display", "stem", "option_a", "option_b", "option_c", "option_d",
                  "option_e", "option_f", "answer", "explanation", "is_active"]
        extra_kwargs = {"code": {"required": False}}


class QuestionViewSet(ScopedViewSet):
    spec = QUESTION
    serializer_class = QuestionSerializer
    filterset_class = QuestionFilterSet
    search_fields = ["code", "stem"]
    # Never the answer: sorting by it would give the answer key away.
    ordering_fields = ["code", "bank", "kind", "is_active"]


class TraineeSerializer(ScopedModelSerializer):
    """`id_number` is written in full and read back masked, except by the trainee's exam administrators."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["id_number"] = instance.id_number_for(_viewer(self))
        return data

    class Meta:
        model = Trainee
        fields = ["id", "enterprise", "name", "id_number", "industry", "post", "phone"]


class TraineeViewSet(ScopedViewSet):
    """Enterprise staff registered for training and exams."""

    spec = TRAINEE
    serializer_class = TraineeSerializer
    filterset_class = TraineeFilterSet
    # Not the ID number: a substring search would read it back digit by digit.
    search_fields = ["name"]
    ordering_fields = ["name", "enterprise", "industry", "post"]


class ExamSerializer(ScopedModelSerializer):
    total_score = serializers.DecimalField(max_digits=7, decimal_places=1, read_only=True)

    class Meta:
        model = Exam
        fields = ["id", "code", "name", "region", "banks", "single_count", "single_score", "multiple_count",
                  "multiple_score", "judge_count", "judge_score", "total_score", "pass_mark", "duration_minutes",
                  "opens_at", "closes_at", "instructions"]
        read_only_fields = ["code"]


class ExamViewSet(ScopedViewSet):
    """Exams; `results` gives the caller's jurisdiction's figures by enterprise and by region."""

    spec = EXAM
    serializer_class = ExamSerializer
    filterset_class = ExamFilterSet
    search_fields = ["name", "code"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("banks")

    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Enrolled, sat, absent, passed, pass rate (%) and average score: totals, by enterprise, by region."""
        return Response(exam_results(request.user, self.get_object()))


class CandidateSerializer(ScopedModelSerializer):
    trainee_name = serializers.CharField(source="trainee.name", read_only=True)

    class Meta:
        model = Candidate
        fields = ["id", "exam", "trainee", "trainee_name", "enterprise", "region", "ticket_number", "enrolled_at"]


class CandidateViewSet(ReadOnlyScopedViewSet):
    model = Candidate
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilterSet
    select_related = ("trainee",)


class AttemptSerializer(ScopedModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Attempt
        fields = ["id", "exam", "candidate", "enterprise", "region", "seed", "paper", "status", "status_display",
                  "started_at", "deadline_at", "submitted_at", "score", "correct_count", "passed"]


class AttemptViewSet(ReadOnlyScopedViewSet):
    model = Attempt
    serializer_class = AttemptSerializer
    filterset_class = AttemptFilterSet


ROUTES = [
    ("training/banks", QuestionBankViewSet, "training-questionbank"),
    ("training/questions", QuestionViewSet, "training-question"),
    ("training/trainees", TraineeViewSet, "training-trainee"),
    ("training/exams", ExamViewSet, "training-exam"),
    ("training/candidates", CandidateViewSet, "training-candidate"),
    ("training/attempts", AttemptViewSet, "training-attempt"),
]
