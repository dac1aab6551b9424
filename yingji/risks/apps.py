from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "yingji.risks"
    label = "risks"
    verbose_name = "风险分级管控"
