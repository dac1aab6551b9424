from django.apps import AppConfig


class TipoffsConfig(AppConfig):
    name = "yingji.tipoffs"
    label = "tipoffs"
    verbose_name = "有奖举报"
