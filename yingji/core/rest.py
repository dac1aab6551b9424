"""DRF settings classes, kept apart from the viewsets so DRF can import them at start-up."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import permissions
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle

from yingji.core.client_ip import client_ip
from yingji.core.throttling import throttle_cache


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, including the view permission for reads."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


class SharedThrottleMixin:
    """A DRF throttle that counts in the shared `throttle` cache, per client address as `client_ip()` sees it.

    DRF's own `get_ident()` reads `X-Forwarded-For` as the client sent it, and its default cache is per process.
    """

    @property
    def cache(self):
        return throttle_cache()

    def get_ident(self, request) -> str:
        return client_ip(request)


class TokenThrottle(SharedThrottleMixin, AnonRateThrottle):
    """POST /api/auth/token/: `TOKEN_THROTTLE` requests per client address."""

    scope = "token"


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


def exception_handler(exc, context):
    """Errors raised by services become the API's 400 and 403."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        # Never name the model or hint whether the record exists elsewhere.
        exc = NotFound("未找到该记录，或该记录不在您的管辖范围内。")
    return drf_exception_handler(exc, context)
