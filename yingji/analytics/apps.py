from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "yingji.analytics"
    label = "analytics"
    verbose_name = "分析研判"
