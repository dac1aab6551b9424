from django.urls import path

from yingji.training import exam_views, views

app_name = "training"

urlpatterns = [
    path("banks/", views.BankListView.as_view(), name="questionbank_list"),
    path("banks/new/", views.BankEditView.as_view(), name="questionbank_create"),
    path("banks/<int:pk>/", views.BankDetailView.as_view(), name="questionbank_detail"),
    path("banks/<int:pk>/edit/", views.BankEditView.as_view(), name="questionbank_edit"),
    path("banks/<int:pk>/import/", views.QuestionImportView.as_view(), name="question_import"),
    path("questions/", views.QuestionListView.as_view(), name="question_list"),
    path("questions/new/", views.QuestionEditView.as_view(), name="question_create"),
    path("questions/<int:pk>/", views.QuestionDetailView.as_view(), name="question_detail"),
    path("questions/<int:pk>/edit/", views.QuestionEditView.as_view(), name="question_edit"),
    path("practice/", views.practice, name="practice"),
    path("trainees/", views.TraineeListView.as_view(), name="trainee_list"),
    path("trainees/new/", views.TraineeEditView.as_view(), name="trainee_create"),
    path("trainees/<int:pk>/", views.TraineeDetailView.as_view(), name="trainee_detail"),
    path("trainees/<int:pk>/edit/", views.TraineeEditView.as_view(), name="trainee_edit"),
    path("exams/", views.ExamListView.as_view(), name="exam_list"),
    path("exams/new/", views.ExamEditView.as_view(), name="exam_create"),
    path("exams/<int:pk>/", views.ExamDetailView.as_view(), name="exam_detail"),
    path("exams/<int:pk>/edit/", views.ExamEditView.as_view(), name="exam_edit"),
    path("exams/<int:pk>/enrol/", views.exam_enrol, name="exam_enrol"),
    path("exams/<int:pk>/results/", views.exam_results_page, name="exam_results"),
    path("exams/<int:pk>/room-codes/", views.exam_room_codes, name="exam_room_codes"),
    path("candidates/", views.CandidateListView.as_view(), name="candidate_list"),
    path("candidates/<int:pk>/", views.CandidateDetailView.as_view(), name="candidate_detail"),
    path("attempts/", views.AttemptListView.as_view(), name="attempt_list"),
    path("attempts/<int:pk>/", views.AttemptDetailView.as_view(), name="attempt_detail"),
    # The exam room, for candidates without platform accounts.
    path("exam/login/", exam_views.exam_login, name="exam_login"),
    path("exam/", exam_views.exam_room, name="exam_room"),
    path("exam/start/", exam_views.exam_start, name="exam_start"),
    path("exam/paper/", exam_views.exam_paper, name="exam_paper"),
    path("exam/logout/", exam_views.exam_logout, name="exam_logout"),
]
