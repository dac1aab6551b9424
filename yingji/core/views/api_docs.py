"""The OpenAPI schema and its Swagger UI, for the roles that connect other systems (`roles.API_DOCS_PERMISSION`)."""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission, IsAuthenticated

from yingji.core.roles import API_DOCS_PERMISSION


def may_read_api_docs(user) -> bool:
    return user.is_authenticated and user.has_perm(API_DOCS_PERMISSION)


class ReadsApiDocs(BasePermission):
    message = "您没有查看接口文档的权限。"

    def has_permission(self, request, view) -> bool:
        return may_read_api_docs(request.user)


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticated, ReadsApiDocs]
    may_open = staticmethod(may_read_api_docs)


class ApiDocsView(SpectacularSwaggerSplitView):
    permission_classes = [IsAuthenticated, ReadsApiDocs]
    may_open = staticmethod(may_read_api_docs)
