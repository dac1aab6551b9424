"""How the training models are wired to pages, API and URLs (see `yingji.core.specs`).

Questions are imported into one bank at a time (`banks/<pk>/import/`, `importing.QuestionImporter`); candidates
are enrolled from an exam's page and attempts are made in the exam room, so neither has a create or edit page.
"""

from yingji.core.specs import ModelSpec
from yingji.training import services
from yingji.training.models import Attempt, Candidate, Exam, Question, QuestionBank, Trainee

QUESTION_BANK = ModelSpec(QuestionBank, namespace="training", prefix="banks",
                          create=services.bank_create, update=services.bank_update, object_argument="bank")
QUESTION = ModelSpec(Question, namespace="training", prefix="questions",
                     create=services.question_create, update=services.question_update, object_argument="question")
TRAINEE = ModelSpec(Trainee, namespace="training", prefix="trainees",
                    create=services.trainee_create, update=services.trainee_update, object_argument="trainee")
EXAM = ModelSpec(Exam, namespace="training", prefix="exams",
                 create=services.exam_create, update=services.exam_update, object_argument="exam")
CANDIDATE = ModelSpec(Candidate, namespace="training", prefix="candidates")
ATTEMPT = ModelSpec(Attempt, namespace="training", prefix="attempts")
