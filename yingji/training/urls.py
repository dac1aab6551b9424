from django.urls import path

from yingji.core.views.generic import model_urls
from yingji.training import exam_views, views
from yingji.training.specs import ATTEMPT, CANDIDATE, EXAM, QUESTION, QUESTION_BANK, TRAINEE

app_name = "training"

urlpatterns = [
    *model_urls(QUESTION_BANK),
    path("banks/<int:pk>/import/", views.QuestionImportView.as_view(), name="question_import"),
    *model_urls(QUESTION),
    path("practice/", views.practice, name="practice"),
    *model_urls(TRAINEE),
    *model_urls(EXAM),
    path("exams/<int:pk>/enrol/", views.exam_enrol, name="exam_enrol"),
    path("exams/<int:pk>/results/", views.exam_results_page, name="exam_results"),
    path("exams/<int:pk>/room-codes/", views.exam_room_codes, name="exam_room_codes"),
    *model_urls(CANDIDATE),
    *model_urls(ATTEMPT),
    # The exam room, for candidates without platform accounts.
    path("exam/login/", exam_views.exam_login, name="exam_login"),
    path("exam/", exam_views.exam_room, name="exam_room"),
    path("exam/start/", exam_views.exam_start, name="exam_start"),
    path("exam/paper/", exam_views.exam_paper, name="exam_paper"),
    path("exam/logout/", exam_views.exam_logout, name="exam_logout"),
]
