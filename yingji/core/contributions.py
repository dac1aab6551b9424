"""What one app offers to another app's pages: read-only figures, map layers, report sections, hints.

An app that shows another app's figures does not import that app. The owner declares them in its own
`<app>/contributions.py`, one list per hook (`MAP_LAYERS = [MapLayer(...), ...]`), each entry a frozen dataclass
of this module with a `key`, and the page asks for them by key:

    LAYERS = pick("MAP_LAYERS", "monitoring", "major_hazards")   # at import time of the consuming module

The modules are found the way the menus are (`yingji.core.discovery.app_modules`). A key nobody contributes, a key
contributed twice, an entry of the wrong type or an upper-case name in a contributions module that is no hook is
`ImproperlyConfigured` when the registry is first read, which is when the consuming module is imported: at
startup, or in the first test that touches it; `manage.py check` reports it too. So a renamed selector fails
loudly instead of turning into 暂无数据 on a leader's screen. See docs/architecture.md, "Dependencies between apps".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from yingji.core.discovery import app_modules
from yingji.core.models import Region, User
from yingji.core.scoping import has_model_perm

# -- the hooks ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLayer:
    """A layer of the command map (一张图): GeoJSON of what `user` may see, decided by the owner's `restrict()`."""

    key: str
    label: str
    read: Callable[[User], dict[str, Any]]


@dataclass(frozen=True)
class HomeFigures:
    """A block of the home page (the user's workbench): `read(user, scope_root)` gives the figures, merged into
    the page's context; `template` shows them, `script` (a static path, optional) draws its charts. `fits(user)`
    says whether the block belongs on this user's workbench (a duty officer's duty block, an enterprise's own
    figures); by default every user with the figures sees it."""

    key: str
    template: str
    read: Callable[[User, Region | None], dict[str, Any]]
    script: str = ""
    fits: Callable[[User], bool] = field(default=lambda user: True, compare=False)
    order: int = 100  # smaller first


@dataclass(frozen=True)
class TodoItem:
    """One line of 我的待办: `count` records await the user's `kind` of action; `url` opens exactly those (the
    record itself when there is one)."""

    key: str
    label: str
    count: int
    url: str
    kind: str = ""


@dataclass(frozen=True)
class TodoSource:
    """To-do entries no workflow table gives (a 叫应 addressed to the user's person, a report due): `read(user)`
    returns them, counted with scoped, set-based queries. The tables' own entries come from
    `yingji.core.todos.workflow_todos`; see docs/dev/adding-a-transition.md."""

    key: str
    read: Callable[[User], list[TodoItem]]


@dataclass(frozen=True)
class RollupCount:
    """Rows of one model the cockpit keeps counted per township (analytics' `Tally`), by a condition."""

    key: str
    model: str  # "app_label.ModelName"; every save of it refreshes the count of its township
    condition: Callable[[], Q]


@dataclass(frozen=True)
class Figure:
    """One tile of the leaders' cockpit. Its link is `url_name` with `params`, narrowed to the cockpit's region
    unless `regional` is False (the page has no region filter)."""

    key: str
    label: str
    unit: str = ""
    url_name: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    regional: bool = True
    overdue: bool = False  # also listed under 超期未办


@dataclass
class CockpitQuery:
    """What a cockpit part is asked for: the region, the principal whose scope is exactly that region (every
    query goes through it), the real user (who decides what is shown) and the rolled-up counts."""

    user: User
    principal: User
    region: Region
    child_length: int | None  # code prefix length of a child region, None when the region has no children shown
    rollup: Callable[[], Mapping[str, Any]]  # {"totals": {key: n}, "children": {prefix: {key: n}}}, read once
    _rolled: Mapping[str, Any] | None = field(default=None, init=False, repr=False)

    def counts(self) -> Mapping[str, Any]:
        if self._rolled is None:
            self._rolled = self.rollup()
        return self._rolled

    def may(self, label: str) -> bool:
        """Whether the real user may view the model `label` ("app_label.ModelName")."""
        return has_model_perm(self.user, apps.get_model(label), "view")

    def url(self, name: str, **params: Any) -> str:
        """A list page narrowed to the region (a village has no region filter of its own)."""
        return region_url(name, self.region, **params)


@dataclass
class CockpitPart:
    """The values of a part's figures (None shows 暂无数据), the line under each, more fields for the page's
    charts, counts per child region (`{prefix: {key: n}}`) and other panels of the screen (the duty list...)."""

    values: dict[str, Any] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: dict[str, dict[str, int]] = field(default_factory=dict)
    panels: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CockpitFigures:
    """A part of the leaders' cockpit an app computes in one go. Left out for a user who may not view `model`;
    if `read` fails, its figures show 暂无数据 and the rest of the screen stays."""

    key: str
    figures: tuple[Figure, ...]
    read: Callable[[CockpitQuery], CockpitPart]
    model: str = ""


@dataclass(frozen=True)
class ReportMonth:
    """The month a monthly report covers, from its first day."""

    first: datetime.date

    @property
    def next(self) -> datetime.date:
        return (self.first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)

    @property
    def previous(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def last(self) -> datetime.date:
        return self.next - datetime.timedelta(days=1)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) of the month in the site's time zone."""
        tz = timezone.get_current_timezone()
        return (datetime.datetime.combine(self.first, datetime.time.min, tzinfo=tz),
                datetime.datetime.combine(self.next, datetime.time.min, tzinfo=tz))


@dataclass(frozen=True)
class ReportSection:
    """A section of the monthly risk-analysis report: `read(principal, month)` gives JSON-serialisable figures
    (stored with the report), for the principal's region."""

    key: str
    read: Callable[[User, ReportMonth], Any]


@dataclass(frozen=True)
class ReadinessHint:
    """What the platform's records say about one item of a township's or village's readiness checklist
    (`plans.ReadinessItemKey`): `read(region, year)` gives one line of text."""

    key: str
    read: Callable[[Region, int], str]


@dataclass(frozen=True)
class Place:
    """A named point a user may read, offered by the place search of the map picker."""

    name: str
    kind: Any  # a label (a lazy translation)
    longitude: float
    latitude: float
    region: str = ""  # the region code, for filling a form's region field


@dataclass(frozen=True)
class PlaceSource:
    """Named points for the map picker's place search: `search(user, term, limit)` gives at most `limit` places
    whose name contains `term`, among what the owner's `restrict(user, "view")` lets the user read."""

    key: str
    label: str
    search: Callable[[User, str, int], list[Place]]


HOOKS: dict[str, type] = {
    "MAP_LAYERS": MapLayer,
    "HOME_FIGURES": HomeFigures,
    "ROLLUP_COUNTS": RollupCount,
    "COCKPIT_FIGURES": CockpitFigures,
    "REPORT_SECTIONS": ReportSection,
    "READINESS_HINTS": ReadinessHint,
    "TODO_ITEMS": TodoSource,
    "PLACE_SOURCES": PlaceSource,
}


# -- the registry ---------------------------------------------------------------------------------------------------


class Registry:
    """Every hook's entries by key, in INSTALLED_APPS order, checked once when built."""

    def __init__(self, modules: Iterable[tuple[str, ModuleType]]) -> None:
        self.entries: dict[str, dict[str, Any]] = {hook: {} for hook in HOOKS}
        self.owners: dict[tuple[str, str], str] = {}
        for app_label, module in modules:
            for name in dir(module):
                if name in HOOKS:
                    self._add(app_label, module, name)
                elif _looks_like_a_hook(getattr(module, name)):
                    raise ImproperlyConfigured(f"{module.__name__}.{name} is not a contribution hook "
                                               f"({', '.join(HOOKS)})")

    def _add(self, app_label: str, module: ModuleType, hook: str) -> None:
        for entry in getattr(module, hook):
            if not isinstance(entry, HOOKS[hook]):
                raise ImproperlyConfigured(f"{module.__name__}.{hook} holds {entry!r}, not a {HOOKS[hook].__name__}")
            owner = self.owners.get((hook, entry.key))
            if owner is not None:
                raise ImproperlyConfigured(f"{hook} key {entry.key!r} is contributed by both {owner} and {app_label}")
            self.owners[(hook, entry.key)] = app_label
            self.entries[hook][entry.key] = entry

    def all(self, hook: str) -> dict[str, Any]:
        if hook not in HOOKS:
            raise ImproperlyConfigured(f"{hook} is not a contribution hook")
        return dict(self.entries[hook])

    def pick(self, hook: str, *keys: str) -> dict[str, Any]:
        entries = self.all(hook)
        missing = [key for key in keys if key not in entries]
        if missing:
            raise ImproperlyConfigured(f"no app contributes {hook} {', '.join(map(repr, missing))} "
                                       f"(contributed: {', '.join(entries) or 'none'})")
        return {key: entries[key] for key in keys}


def _looks_like_a_hook(value: Any) -> bool:
    """A list of entries under a misspelt name (MAP_LAYER = [MapLayer(...)]) would otherwise be left out unseen."""
    entry_types = tuple(HOOKS.values())
    return isinstance(value, list | tuple) and any(isinstance(item, entry_types) for item in value)


_registry: Registry | None = None


def registry() -> Registry:
    """The registry of every installed app's `contributions` module (built on first use)."""
    global _registry
    if _registry is None:
        _registry = Registry((config.label, module) for config, module in app_modules("contributions")
                             if config.label != "core")
    return _registry


def contributions(hook: str) -> dict[str, Any]:
    """Every entry of `hook`, by key, in INSTALLED_APPS order."""
    return registry().all(hook)


def pick(hook: str, *keys: str) -> dict[str, Any]:
    """The entries of `hook` with these keys, in this order; ImproperlyConfigured if any is missing."""
    return registry().pick(hook, *keys)


@checks.register()
def contributions_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        registry()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="core.E101")]
    return []


# -- helpers for the entries ----------------------------------------------------------------------------------------


def has_role(user: User, *names: str) -> bool:
    """Whether the user holds one of these roles (`yingji.core.roles`), for a home block's `fits`; a superuser
    without a jurisdiction holds them all. The user's role names are read once per user object."""
    if user.is_superuser and not user.scope_region_id and not user.scope_enterprise_id:
        return True
    held = getattr(user, "_role_names", None)
    if held is None:
        held = user._role_names = set(user.groups.values_list("name", flat=True))
    return bool(held.intersection(names))


def region_url(name: str, region: Region | None = None, **params: Any) -> str:
    """The URL `name` with query parameters, narrowed to `region` unless it is a village."""
    if region is not None and region.level != "village":
        params["region"] = region.code
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    url = reverse(name)
    return f"{url}?{query}" if query else url


def plain(value: Any) -> Any:
    """A value as it can be stored in a report's JSON figures (decimals as floats, dates as ISO text)."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def places_of(user: User, model: type, term: str, limit: int, kind: Any) -> list[Place]:
    """The records of `model` the user may read whose name contains `term` and that have coordinates, as places
    (for a PlaceSource of a model with `name`, `longitude`, `latitude` and a `region`)."""
    if not has_model_perm(user, model, "view"):
        return []
    rows = (model._default_manager.restrict(user, "view")
            .filter(name__icontains=term, longitude__isnull=False, latitude__isnull=False)
            .order_by("name").values_list("name", "longitude", "latitude", "region_id")[:limit])
    return [Place(name=name, kind=kind, longitude=lon, latitude=lat, region=region or "")
            for name, lon, lat, region in rows]
