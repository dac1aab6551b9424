from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "yingji.inspections"
    label = "inspections"
    verbose_name = "执法检查"
