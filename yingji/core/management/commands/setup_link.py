"""Print a one-time link for the first configuration of an empty platform (when `make run` is not how it runs)."""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from yingji.core.bureau import setup_link_create, setup_needed


class Command(BaseCommand):
    help = "生成首次设置的一次性链接（仅在尚未配置本局且没有任何用户时可用）"

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="平台的访问地址")

    def handle(self, *args, base_url: str, **options):
        if not setup_needed():
            raise CommandError("平台已配置或已有用户；请用管理员账号登录后在“平台设置”中继续。")
        path = reverse("core:setup", args=[setup_link_create()])
        self.stdout.write(f"{base_url.rstrip('/')}{path}")
        self.stdout.write("链接一次有效，24小时内使用；只保存在本终端，请勿转发。")
