"""Database-specific speedups behind one portable interface."""

from django.db import connection
from django.db.models import QuerySet


def lock_due_rows(queryset: QuerySet) -> QuerySet:
    """Lock rows for processing; on PostgreSQL skip rows another worker holds."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset.select_for_update()
