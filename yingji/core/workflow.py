"""Explicit state machines: one table of allowed moves, one function that makes them.

An app's `states.py` declares its statuses and a `Workflow`:

    class HazardStatus(models.TextChoices):
        REPORTED = "reported", _("已上报")
        ...

    WORKFLOW = Workflow(
        choices=HazardStatus,
        transitions=[
            Transition("reported", "assign", "rectifying", _("交办整改"), who=can_assign),
            ...
        ],
    )

`who(user, obj) -> bool` says who may act (a role, the assignee, "not the
rectifier"...). A rule also says, set-based, which records it lets a user act on
(`rows_rule`, `user_rule`, `system_rule`): the to-do lists (`yingji.core.todos`)
count "what awaits this user" from the same tables with one query per model. Its service calls `transition(obj, action=..., actor=...)`, which
locks the row, checks the table and `who`, sets the status, writes the history
and a `StateChange` row (the timeline). Side effects are outbox messages the
service emits in the same transaction (`yingji.core.outbox`). Nothing else
assigns a workflow's status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import bulk, live, outbox
from yingji.core.models import StateChange
from yingji.core.scoping import ensure_in_scope, is_in_scope
from yingji.core.services import save_with_history

Rule = Callable[[Any, models.Model], bool]
TODO_TOPIC = "core.todo"
# The set-based twin of a rule: the records `who(user, record)` holds for, as a filter (None: no record at all).
RowsOf = Callable[[Any], "models.Q | None"]


def rows_rule(rows: RowsOf) -> Callable[[Rule], Rule]:
    """Give a `who` rule its set-based twin, `rows(user) -> Q | None`: the records the rule lets `user` act on
    (jurisdiction and state aside; the to-do lists add those). It must agree with the rule on every record; the
    generated test `core/tests/test_todos.py::test_every_rule_agrees_with_its_rows` checks that."""

    def attach(rule: Rule) -> Rule:
        rule.rows = rows
        return rule

    return attach


def user_rule(rule: Rule) -> Rule:
    """A rule that looks at the user only (a role, a permission), never at the record: it holds for every record
    or for none, so its rows are all or nothing. The record is passed as None when asking it so."""
    rule.rows = lambda user: models.Q() if rule(user, None) else None
    return rule


def system_rule(rule: Rule) -> Rule:
    """A rule no person passes (moves the platform makes itself): nobody's to-do."""
    rule.rows = lambda user: None
    return rule


class InvalidTransition(ValidationError):  # noqa: N818 - the name the style guide uses
    """A move the table or the rules refuse; the message says why, in Chinese."""


@dataclass(frozen=True)
class ActionField:
    """A value a move takes besides its reason: a field of the model by name, or `field` (an unbound model field,
    e.g. `models.BooleanField(_("实战"))`) for a value the model does not store under that name. The page form and
    the API body of the move are both built from it."""

    name: str
    field: models.Field | None = None
    required: bool = False

    def model_field(self, model: type[models.Model]) -> models.Field:
        return self.field if self.field is not None else model._meta.get_field(self.name)


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    label: str
    who: Rule = field(default=lambda user, obj: True, compare=False)
    # Extra checks on the object before the move, e.g. "a major hazard needs its plan".
    requires: Callable[[models.Model], str | None] | None = field(default=None, compare=False)
    reason_required: bool = False
    # What the move takes besides its reason (model field names or ActionFields), for its form and API body.
    fields: tuple[str | ActionField, ...] = field(default=(), compare=False)
    # A record in `source` waits for whoever may make this move: it is on their to-do list. False for a standing
    # option nobody waits for (责令停产 of an operating enterprise, 停用 of a risk point).
    todo: bool = field(default=True, compare=False)
    # After this move, tell the people who may make the next moves of the new state (a notification each, their
    # to-do count updated live): for a move that hands the record to someone else, e.g. 送审 to the signers.
    announce: bool = field(default=False, compare=False)

    def action_fields(self) -> list[ActionField]:
        return [f if isinstance(f, ActionField) else ActionField(f) for f in self.fields]


def unknown_action_message(action: str) -> str:
    return _("未知的操作：%(action)s") % {"action": action}


class Workflow:
    def __init__(self, *, transitions: Iterable[Transition], status_field: str = "status",
                 choices: type[models.TextChoices], todo: bool = True) -> None:
        self.transitions = list(transitions)
        # False for a status nobody waits on (在产/停产, 待命/出动): none of its moves is anybody's to-do.
        self.todo = todo
        self.status_field = status_field
        self.choices = choices
        self._table = {(t.source, t.action): t for t in self.transitions}
        if len(self._table) != len(self.transitions):
            raise ValueError("duplicate (state, action) in workflow")

    def label_of(self, state: str) -> str:
        return str(dict(self.choices.choices).get(state, state))

    def available(self, obj: models.Model, user) -> list[Transition]:
        """The moves this user may make now, for the buttons of a detail page (none outside the user's own scope)."""
        if user is not None and not is_in_scope(user, obj, "change"):
            return []
        state = getattr(obj, self.status_field)
        return [
            t for t in self.transitions
            if t.source == state and t.who(user, obj) and (t.requires is None or t.requires(obj) is None)
        ]

    def blocked(self, obj: models.Model, user) -> list[tuple[str, str]]:
        """(label, why) of the moves this user could make now but for an unmet `requires`."""
        if user is not None and not is_in_scope(user, obj, "change"):
            return []
        state = getattr(obj, self.status_field)
        found = []
        for t in self.transitions:
            if t.source == state and t.requires is not None and t.who(user, obj):
                problem = t.requires(obj)
                if problem:
                    found.append((str(t.label), problem))
        return found

    def check(self, obj: models.Model, action: str, user) -> Transition:
        state = getattr(obj, self.status_field)
        move = self._table.get((state, action))
        if move is None:
            actions = {t.action: t.label for t in self.transitions}
            raise InvalidTransition(
                _("当前状态为“%(state)s”，不能执行“%(action)s”。")
                % {"state": self.label_of(state), "action": actions.get(action, action)}
            )
        if user is not None and not move.who(user, obj):
            raise InvalidTransition(_("您无权在“%(state)s”状态下执行“%(action)s”。")
                                    % {"state": self.label_of(state), "action": move.label})
        if move.requires is not None:
            problem = move.requires(obj)
            if problem:
                raise InvalidTransition(problem)
        return move

    def diagram(self) -> str:
        """The state diagram in Mermaid, generated from the table for the docs."""
        lines = ["stateDiagram-v2"]
        for t in self.transitions:
            lines.append(f"    {t.source} --> {t.target}: {t.label}")
        return "\n".join(lines)


def transition(
    obj: models.Model,
    *,
    workflow: Workflow,
    action: str,
    actor,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> models.Model:
    """Make one move of `workflow` on `obj`. Call inside `transaction.atomic()`.

    The row is locked first, so two officers pressing buttons at once are
    serialised and the second sees the state the first left.
    """
    model = type(obj)
    locked = model._base_manager.select_for_update().get(pk=obj.pk)
    if actor is not None:
        ensure_in_scope(actor, locked)
    move = workflow.check(locked, action, actor)
    if move.reason_required and not reason.strip():
        raise InvalidTransition(_("“%(action)s”需要填写原因。") % {"action": move.label})
    source = getattr(locked, workflow.status_field)
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    setattr(locked, workflow.status_field, move.target)
    locked.full_clean()
    save_with_history(locked, actor=actor, reason=f"{move.label}{'：' + reason if reason else ''}")
    StateChange.objects.create(
        subject_type=ContentType.objects.get_for_model(model),
        subject_id=str(locked.pk),
        region_id=locked.region_id,
        enterprise_id=getattr(locked, "enterprise_id", None),
        action=action,
        action_label=str(move.label),
        from_state=source,
        to_state=move.target,
        actor=actor,
        at=timezone.now(),
        reason=reason,
        data=data or {},
    )
    if actor is not None:
        # Open pages of the jurisdiction reload their to-do count (`yingji.core.todos`).
        live.publish(TODO_TOPIC, {"region": locked.region_id, "enterprise": getattr(locked, "enterprise_id", None)})
    if move.announce:
        outbox.emit("core.announce", {"model": model._meta.label_lower, "pk": locked.pk, "action": action,
                                      "state": move.target, "actor": getattr(actor, "pk", None)})
    return locked


# Set-based moves ---------------------------------------------------------------------------------------------

# The columns of a timeline row, in the order `record_moves` and `timeline_insert_sql` write them.
TIMELINE_FIELDS = ("subject_type", "subject_id", "region", "enterprise", "action", "action_label", "from_state",
                   "to_state", "actor", "at", "reason", "data")


def _set_move(workflow: Workflow, action: str) -> tuple[list[str], str, str]:
    """(sources, target, label) of `action` in the table; a set-based move has one target."""
    moves = [t for t in workflow.transitions if t.action == action]
    targets = {t.target for t in moves}
    if len(targets) != 1:
        raise ValueError(f"action {action!r} has {len(targets)} targets; a set-based move needs exactly one")
    return [t.source for t in moves], targets.pop(), str(moves[0].label)


def guard_sql(workflow: Workflow, action: str, column: str) -> tuple[str, list[str]]:
    """The WHERE condition that lets a row make `action` (its state is one of the action's sources), with its
    parameters: set-based UPDATEs build their guard from the table, never from states written by hand."""
    sources, _target, _label = _set_move(workflow, action)
    return f"{column} IN ({', '.join(['%s'] * len(sources))})", sources


def target_of(workflow: Workflow, action: str) -> str:
    return _set_move(workflow, action)[1]


def record_moves(model: type[models.Model], rows: Iterable[tuple[Any, str | None]], *, workflow: Workflow,
                 action: str, at, actor_id: int | None = None, reason: str = "", data: dict | None = None,
                 label: str | None = None, enterprise_id: int | None = None) -> int:
    """The timeline rows of a set-based move, one per (pk, region id) moved, written in bulk: the one function that
    writes StateChange rows for moves made outside `transition()`."""
    sources, target, move_label = _set_move(workflow, action)
    subject_type = ContentType.objects.get_for_model(model).pk
    source = sources[0] if len(sources) == 1 else ""
    return bulk.insert_rows(StateChange, TIMELINE_FIELDS, (
        (subject_type, str(pk), region_id, enterprise_id, action, label or move_label, source, target, actor_id, at,
         reason, data or {})
        for pk, region_id in rows))


def timeline_insert_sql(select: str) -> str:
    """`INSERT INTO <timeline> (<TIMELINE_FIELDS>) <select>`, for a hot path that writes the timeline rows of its
    moved rows in the same statement as the move (the SELECT gives the columns in TIMELINE_FIELDS order)."""
    columns = ", ".join(bulk.column(StateChange, name) for name in TIMELINE_FIELDS)
    return f"INSERT INTO {bulk.table(StateChange)} ({columns}) {select}"


def transition_many(queryset: models.QuerySet, *, workflow: Workflow, action: str, actor=None,
                    changes: dict[str, Any] | None = None, reason: str = "", data: dict | None = None,
                    timeline: bool = True) -> int:
    """Make `action` on every row of `queryset` that the table lets make it, in one guarded UPDATE per batch, and
    record each moved row on the timeline (`timeline=False` only for rows that keep their own times, such as
    messages). Rows in another state are left alone; the number moved is returned. For system moves (sweeps,
    gateway reports): `who` is not asked, so `actor` is only recorded. Call inside `transaction.atomic()`."""
    sources, target, _label = _set_move(workflow, action)
    field = workflow.status_field
    model = queryset.model
    at = timezone.now()
    has_region = any(f.name == "region" for f in model._meta.concrete_fields)
    guarded = queryset.filter(**{f"{field}__in": sources})
    rows = list(guarded.select_for_update().values_list("pk", "region_id" if has_region else "pk"))
    moved = 0
    for start in range(0, len(rows), 5000):
        batch = rows[start:start + 5000]
        moved += model._base_manager.filter(pk__in=[pk for pk, _region in batch], **{f"{field}__in": sources}) \
            .update(**{field: target}, **(changes or {}))
        if timeline:
            record_moves(model, [(pk, region if has_region else None) for pk, region in batch], workflow=workflow,
                         action=action, at=at, actor_id=getattr(actor, "pk", None), reason=reason, data=data)
    return moved


def timeline(obj: models.Model, user) -> list:
    """The moves made on a record, oldest first, for its detail page."""
    return list(
        StateChange.objects.restrict(user, "view")
        .filter(subject_type=ContentType.objects.get_for_model(obj), subject_id=str(obj.pk))
        .select_related("actor")
        .order_by("at", "pk")
    )
