from django.apps import AppConfig


class DisastersConfig(AppConfig):
    name = "yingji.disasters"
    label = "disasters"
    verbose_name = "自然灾害"
