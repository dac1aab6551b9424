"""What awaits a user's action (我的待办), derived from the workflow tables.

A record waits for a user when its current state is the source of a move (`Transition.todo`) whose `who` rule
lets the user make it, inside the user's own jurisdiction (`scope_q(user, model, "change")`, as `transition()`
checks). Every rule carries its set-based twin (`rows_rule`, `user_rule`, `system_rule` in
`yingji.core.workflow`), so one query per model counts all its waiting states at once. A rule without a twin
(a move added without one) is still honoured: its candidates are checked one by one, at most
`FALLBACK_LIMIT` of them, and `manage.py check` warns (core.W110).

What no table says (a 叫应 addressed to the user's person, a report due) an app contributes through the hook
`TODO_ITEMS` of its `contributions.py` (`yingji.core.contributions.TodoSource`).

The same tables say who acts next on one record (`who_may_act`): the detail pages show it ("下一步") and a move
declared with `announce=True` notifies those people (`announce_next`). Every move a person makes publishes the
live event `core.todo` (`transition()`), on which open pages reload their to-do count.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.core import checks
from django.db import models
from django.db.models import Count, Min, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from yingji.core.contributions import TodoItem, contributions
from yingji.core.discovery import app_modules
from yingji.core.models import User
from yingji.core.notifications import notify
from yingji.core.scoping import has_model_perm, scope_q
from yingji.core.specs import ModelSpec, all_specs
from yingji.core.workflow import Transition, Workflow
from yingji.standards.division import ancestor_codes

FALLBACK_LIMIT = 200
# At most this many people are asked whether they may act next on one record (the detail page, an announcement).
CANDIDATE_LIMIT = 300


@dataclass(frozen=True)
class Waiting:
    """The records of one model in one state of one of its workflows, and the moves they wait for."""

    spec: ModelSpec
    workflow: Workflow
    state: str
    moves: tuple[Transition, ...]

    @property
    def token(self) -> str:
        """How a list URL names it: `?todo=<status field>.<state>`."""
        return f"{self.workflow.status_field}.{self.state}"

    @property
    def key(self) -> str:
        return f"{self.spec.model._meta.label_lower}.{self.token}"

    @property
    def primary(self) -> Transition:
        return primary_move(self.moves)

    @property
    def label(self) -> str:
        return _("待%(action)s的%(model)s") % {"action": self.primary.label,
                                              "model": self.spec.model._meta.verbose_name}

    def rows(self, user: User) -> Q | None:
        """The filter of the records in this state the user may act on (jurisdiction aside); None for none."""
        parts = []
        for move in self.moves:
            twin = getattr(move.who, "rows", None)
            if twin is None:
                return self._checked_one_by_one(user)
            found = twin(user)
            if found is not None:
                parts.append(found)
        if not parts:
            return None
        return Q(**{self.workflow.status_field: self.state}) & reduce(operator.or_, parts)

    def _checked_one_by_one(self, user: User) -> Q | None:
        model = self.spec.model
        candidates = _in_own_scope(user, model).filter(**{self.workflow.status_field: self.state})
        ids = [obj.pk for obj in candidates.order_by("-pk")[:FALLBACK_LIMIT]
               if any(move.who(user, obj) for move in self.moves)]
        return Q(pk__in=ids) if ids else None


def awaiting_in(workflow: Workflow, user: User) -> Q | None:
    """The records of `workflow` (of a model without pages of its own, e.g. a 叫应) that await `user`, by the
    rules' set-based twins; jurisdiction is the caller's. For a `TodoSource`."""
    parts = []
    for move in workflow.transitions:
        twin = getattr(move.who, "rows", None)
        found = twin(user) if move.todo and workflow.todo and twin is not None else None
        if found is not None:
            parts.append(Q(**{workflow.status_field: move.source}) & found)
    return reduce(operator.or_, parts) if parts else None


def primary_move(moves: Iterable[Transition]) -> Transition:
    """The move a record chiefly waits for: the first that moves it on without needing a reason (签发 rather than
    退回, 消警 rather than another 处置反馈)."""
    moves = list(moves)
    onward = [m for m in moves if not m.reason_required]
    return next((m for m in onward if m.target != m.source), onward[0] if onward else moves[0])


def waiting_states(spec: ModelSpec) -> list[Waiting]:
    """Every state of the spec's workflows that some move a person may make waits in, in table order."""
    found: list[Waiting] = []
    for flow in spec.flows:
        by_state: dict[str, list[Transition]] = {}
        for move in flow.workflow.transitions:
            if move.todo and flow.workflow.todo:
                by_state.setdefault(str(move.source), []).append(move)
        found += [Waiting(spec, flow.workflow, state, tuple(moves)) for state, moves in by_state.items()]
    return found


def workflow_specs() -> list[ModelSpec]:
    app_modules("specs")  # every spec registered, also where no URLconf has been loaded yet
    return [spec for spec in all_specs() if spec.flows]


def _in_own_scope(user: User, model: type[models.Model]) -> models.QuerySet:
    q = scope_q(user, model, "change")
    manager = model._default_manager
    return manager.all() if q is None else manager.filter(q)


def _detail_url(spec: ModelSpec, pk: Any) -> str | None:
    try:
        return reverse(spec.url_name("detail"), args=[pk])
    except NoReverseMatch:
        return None


def _list_url(spec: ModelSpec, token: str) -> str | None:
    try:
        return f"{reverse(spec.url_name('list'))}?todo={token}"
    except NoReverseMatch:
        return None


def workflow_todos(user: User) -> list[TodoItem]:
    """The to-do entries the workflow tables give `user`: one per model and waiting state with records, counted
    in one query per model. An entry links to the list narrowed to exactly those records, or to the record itself
    when there is one."""
    if not user.is_authenticated or not user.is_active:
        return []
    items = []
    for spec in workflow_specs():
        if not has_model_perm(user, spec.model, "view"):
            continue
        asked = [(waiting, waiting.rows(user)) for waiting in waiting_states(spec)]
        asked = [(waiting, rows) for waiting, rows in asked if rows is not None]
        if not asked:
            continue
        aggregates = {}
        for index, (_waiting, rows) in enumerate(asked):
            aggregates[f"n{index}"] = Count("pk", filter=rows)
            aggregates[f"first{index}"] = Min("pk", filter=rows)
        totals = _in_own_scope(user, spec.model).aggregate(**aggregates)
        for index, (waiting, _rows) in enumerate(asked):
            count = totals[f"n{index}"]
            if not count:
                continue
            url = _detail_url(spec, totals[f"first{index}"]) if count == 1 else None
            url = url or _list_url(spec, waiting.token) or ""
            items.append(TodoItem(key=waiting.key, label=waiting.label, count=count, url=url,
                                  kind=waiting.primary.action))
    return items


def todo_items(user: User) -> list[TodoItem]:
    """Everything awaiting `user`: the workflow tables' entries, then what the apps contribute (`TODO_ITEMS`)."""
    if not user.is_authenticated or not user.is_active:
        return []
    items = workflow_todos(user)
    for source in contributions("TODO_ITEMS").values():
        items += [item for item in source.read(user) if item.count]
    return items


def todos_for_request(request) -> list[TodoItem]:
    """`todo_items` of the request's user, computed once per request (the home page and the header share it)."""
    cached = getattr(request, "_todo_items", None)
    if cached is None:
        cached = request._todo_items = todo_items(request.user)
    return cached


def todo_count(items: Iterable[TodoItem]) -> int:
    return sum(item.count for item in items)


def todo_filter(user: User, model: type[models.Model], token: str) -> tuple[str, Q] | None:
    """(label, filter) of the records of `model` waiting for `user` in the state `token` names (a list's
    `?todo=`), in the user's own jurisdiction; None when the token names no waiting state of the model."""
    for spec in workflow_specs():
        if spec.model is not model:
            continue
        for waiting in waiting_states(spec):
            if waiting.token == token:
                rows = waiting.rows(user)
                own = scope_q(user, model, "change")
                if rows is None:
                    return waiting.label, Q(pk__in=[])
                return waiting.label, rows if own is None else rows & own
    return None


# -- who acts next on one record --------------------------------------------------------------------------------


def _candidates(obj: models.Model) -> list[User]:
    """The people whose own jurisdiction may hold `obj`: bureau users of its region or a region above, users of
    its enterprise; with their permissions loaded in one query (the rules ask `has_perm`)."""
    region = getattr(obj, "region_id", None) or ""
    enterprise = getattr(obj, "enterprise_id", None)
    where = Q(scope_region_id__in=[region, *ancestor_codes(region)]) if region else Q(pk__in=[])
    if enterprise:
        where |= Q(scope_enterprise_id=enterprise)
    people = list(User.objects.filter(where, is_active=True).select_related("organization")
                  .order_by("scope_region_id", "pk")[:CANDIDATE_LIMIT])
    granted: dict[int, set[str]] = {person.pk: set() for person in people}
    through_groups = (Permission.objects.filter(group__user__in=people)
                      .values_list("group__user", "content_type__app_label", "codename"))
    direct = Permission.objects.filter(user__in=people).values_list("user", "content_type__app_label", "codename")
    for person, app_label, codename in [*through_groups, *direct]:
        granted[person].add(f"{app_label}.{codename}")
    for person in people:
        # What ModelBackend would load on the first has_perm, loaded for all of them at once.
        person._perm_cache = granted[person.pk]
        person._user_perm_cache = set()
        person._group_perm_cache = set()
    return people


def who_may_act(obj: models.Model, workflow: Workflow) -> list[tuple[Transition, list[User]]]:
    """Each move `obj` waits for in its current state, with the people who may make it (their jurisdiction holds
    the record and the move's rule lets them)."""
    state = getattr(obj, workflow.status_field)
    moves = [move for move in workflow.transitions if move.todo and move.source == state]
    if not moves:
        return []
    in_scope = _holding(obj, _candidates(obj))
    return [(move, [person for person in in_scope if move.who(person, obj)]) for move in moves]


def _holding(obj: models.Model, people: list[User]) -> list[User]:
    """The people whose own jurisdiction holds `obj`, asked in one query per distinct scope."""
    verdicts: dict[tuple, bool] = {}
    kept = []
    for person in people:
        scope = (person.scope_region_id, person.scope_enterprise_id)
        if scope not in verdicts:
            q = scope_q(person, type(obj), "change")
            verdicts[scope] = q is None or type(obj)._base_manager.filter(q, pk=obj.pk).exists()
        if verdicts[scope]:
            kept.append(person)
    return kept


def next_steps(obj: models.Model, workflows: Iterable[Workflow]) -> list[dict[str, Any]]:
    """"下一步" of a detail page: per move the record waits for, its label and who may make it (people, by unit)."""
    steps = []
    for workflow in workflows:
        waiting = who_may_act(obj, workflow)
        # A move nobody may make is left out when a twin to the same state has people (代企业操作 for an
        # enterprise without an account): the record is not stuck, and "暂无可办理的人员" would say it is.
        covered = {move.target for move, people in waiting if people}
        for move, people in waiting:
            if not people and move.target in covered:
                continue
            steps.append({"action": str(move.label), "people": [_person_label(p) for p in people[:5]],
                          "more": max(len(people) - 5, 0)})
    return steps


def _person_label(person: User) -> str:
    unit = person.organization.name if person.organization_id else person.scope_label
    return f"{unit} {person}"


def announce_next(obj: models.Model, workflow: Workflow, *, actor_id: int | None) -> list:
    """Tell the people who may make the next moves of `obj` that it waits for them, a notification each (the
    outbox handler `core.announce`, after a move declared `announce=True`; see `transition()`)."""
    people: dict[int, User] = {}
    waiting = who_may_act(obj, workflow)
    for _move, who in waiting:
        people.update((person.pk, person) for person in who if person.pk != actor_id)
    if not people:
        return []
    action = primary_move(move for move, _who in waiting).label
    spec = _spec_of(type(obj))
    url = (_detail_url(spec, obj.pk) if spec is not None else None) or ""
    return notify(recipients=people.values(), kind=_("待办"), subject=obj, url=url,
                  title=_("新待办：%(what)s“%(name)s”待您%(action)s") % {
                      "what": obj._meta.verbose_name, "name": obj, "action": action})


def announce(message) -> list:
    """The `core.announce` handler: the record and workflow the message names, announced as `announce_next`."""
    payload = message.payload
    model = apps.get_model(payload["model"])
    obj = model._base_manager.filter(pk=payload["pk"]).first()
    spec = _spec_of(model)
    if obj is None or spec is None:
        return []
    flow = spec.flow_of(payload["action"])
    if flow is None or getattr(obj, flow.workflow.status_field) != payload["state"]:
        return []  # moved on since: the next announcement speaks for it
    return announce_next(obj, flow.workflow, actor_id=payload.get("actor"))


def _spec_of(model: type[models.Model]) -> ModelSpec | None:
    return next((spec for spec in workflow_specs() if spec.model is model), None)


@checks.register()
def todo_rules_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A move whose rule has no set-based twin is counted one record at a time (and at most FALLBACK_LIMIT)."""
    found = []
    for spec in workflow_specs():
        for waiting in waiting_states(spec):
            for move in waiting.moves:
                if getattr(move.who, "rows", None) is None:
                    found.append(checks.Warning(
                        f"{spec.model.__name__}: the rule {getattr(move.who, '__name__', move.who)!r} of move "
                        f"{move.action!r} has no set-based twin; to-do lists check its records one by one",
                        hint="decorate the rule with rows_rule, user_rule or system_rule (yingji.core.workflow), "
                             "or declare the move todo=False", id="core.W110"))
    return found
