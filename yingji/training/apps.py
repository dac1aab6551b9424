from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "yingji.training"
    label = "training"
    verbose_name = "培训考试"
