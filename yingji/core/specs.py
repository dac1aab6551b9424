"""A model's wiring, declared once: its services, pages, API, import, URLs and workflows.

An app declares one `ModelSpec` per model in `<app>/specs.py`:

    HAZARD = ModelSpec(
        Hazard, namespace="hazards",
        create=services.hazard_create, update=services.hazard_update, object_argument="hazard",
        flows=[Flow(WORKFLOW, act=services.hazard_act)],
    )

The generic views (`yingji.core.views.generic`), viewsets (`yingji.core.api`) and
importers (`yingji.core.importing`) read it: an edit page, a PUT and an imported
row all reach the same two services through `spec.create_object()` and
`spec.update_object()`. `model_urls(spec)` (in `yingji.core.views.generic`)
makes the paths of its pages, and `Flow`s give the detail page its buttons, the
one transition route its actions, and the API's `transition` action a request
body per move.

A spec may declare columns, fields, a form, a filter set and API fields; then
`view_for(spec, role)` and `viewset_for(spec)` (in `yingji.core.api`) build the
pages and the viewset that an app does not write itself. NetBox's
`register_model_view` is the model: an app registers its own class for a role
with `@spec.register("detail")`, and `model_urls` finds it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from yingji.core.workflow import InvalidTransition, Transition, Workflow, unknown_action_message

if TYPE_CHECKING:  # pragma: no cover - types only
    from yingji.core.importing import Importer
    from yingji.core.tables import Column

ROLES = ("list", "import", "detail", "edit", "transition")
_SPECS: dict[type[models.Model], ModelSpec] = {}


@dataclass(frozen=True)
class Flow:
    """A workflow of the model and the service that makes its moves: `act(<object_argument>=obj, actor=,
    action=, reason=, **fields)`, where the fields are those the move's `Transition.fields` declares."""

    workflow: Workflow
    act: Callable[..., models.Model]
    # The states in which the loop is closed (已销号, 已办结, 已终止...): the record is read-only then. Its edit page,
    # API PUT/PATCH, import and attachment upload refuse with `closed_message`, and its edit button is hidden.
    closed: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.closed) - set(self.workflow.choices.values)
        if unknown:
            raise ValueError(f"closed states {sorted(unknown)} are not states of the workflow")

    def closed_message(self, obj: models.Model) -> str | None:
        """Why `obj` may no longer be changed (None while its loop is open)."""
        state = getattr(obj, self.workflow.status_field)
        if state not in self.closed:
            return None
        return _("该%(name)s已“%(state)s”，办结后只读，不能再修改或上传附件。") % {
            "name": obj._meta.verbose_name, "state": self.workflow.label_of(state)}


@dataclass(eq=False)
class ModelSpec:
    model: type[models.Model]
    namespace: str
    prefix: str = ""
    create: Callable[..., models.Model] | None = None
    update: Callable[..., models.Model] | None = None
    object_argument: str = "obj"
    importer: Importer | None = None
    flows: Sequence[Flow] = ()
    # What generated pages and API show, for specs that do not bring their own classes.
    columns: Sequence[Column] = ()
    fields: Sequence[Column] = ()
    form: type | None = None
    filterset: type | None = None
    breadcrumbs: Callable[[], list[tuple[str, str | None]]] | None = None
    detail_template: str | None = None
    with_attachments: bool = False
    api_fields: Sequence[str] = ()
    api_read_only: Sequence[str] = ()
    search: Sequence[str] = ()
    doc: str = ""
    _views: dict[str, type] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        actions: dict[str, Transition] = {}
        for flow in self.flows:
            for move in flow.workflow.transitions:
                other = actions.get(move.action)
                if other is not None and other.label != move.label:
                    raise ValueError(f"{self.model.__name__}: action {move.action!r} means two things")
                actions[move.action] = move
        if self.model in _SPECS:
            raise ValueError(f"{self.model.__name__} already has a spec")
        _SPECS[self.model] = self

    # Names -----------------------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    def url_name(self, role: str) -> str:
        return f"{self.namespace}:{self.name}_{role}"

    # Services --------------------------------------------------------------------------------------------

    def create_object(self, *, actor, **data: Any) -> models.Model:
        if self.create is None:
            raise TypeError(f"{self.model.__name__} declares no create service")
        return self.create(actor=actor, **data)

    def update_object(self, obj: models.Model, *, actor, **data: Any) -> models.Model:
        """Update through the spec's service; a record whose loop is closed is refused (`closed_message`)."""
        if self.update is None:
            raise TypeError(f"{self.model.__name__} declares no update service")
        self.ensure_open(obj)
        return self.update(actor=actor, **{self.object_argument: obj}, **data)

    # Closed records ----------------------------------------------------------------------------------------

    def closed_message(self, obj: models.Model) -> str | None:
        """Why `obj` is read-only (a flow of the model is in one of its `closed` states), or None."""
        return next((message for flow in self.flows if (message := flow.closed_message(obj))), None)

    def ensure_open(self, obj: models.Model) -> None:
        """Refuse a change to a record whose loop is closed, with the Chinese reason (pages, API, import, files)."""
        message = self.closed_message(obj)
        if message:
            raise ValidationError(message)

    # Workflows -------------------------------------------------------------------------------------------

    def flow_of(self, action: str) -> Flow | None:
        """The flow whose table names `action` (action names are unique across a model's flows)."""
        return next((f for f in self.flows if any(t.action == action for t in f.workflow.transitions)), None)

    def moves(self) -> list[Transition]:
        """Every distinct action of the model's flows, once, in table order."""
        seen: dict[str, Transition] = {}
        for flow in self.flows:
            for move in flow.workflow.transitions:
                seen.setdefault(move.action, move)
        return list(seen.values())

    def act(self, obj: models.Model, *, actor, action: str, reason: str = "", **fields: Any) -> models.Model:
        """Make one move by name through the flow's service; an unknown action is refused in Chinese."""
        flow = self.flow_of(action)
        if flow is None:
            raise InvalidTransition(unknown_action_message(action))
        return flow.act(**{self.object_argument: obj}, actor=actor, action=action, reason=reason, **fields)

    # Pages -----------------------------------------------------------------------------------------------

    def register(self, role: str) -> Callable[[type], type]:
        """Class decorator: this view serves `role` ("list", "detail", "edit", "import", "transition") of the spec."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")

        def decorate(view: type) -> type:
            view.spec = self
            self._views[role] = view
            return view

        return decorate



def spec_for(model: type[models.Model]) -> ModelSpec:
    """The spec of `model`; a model without one is a programming error, said at once."""
    try:
        return _SPECS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no ModelSpec; declare one in its app's specs.py") from None


def closed_message_of(obj: models.Model) -> str | None:
    """Why `obj` is read-only because its loop is closed (see `Flow.closed`); None for an open record or a model
    without a spec."""
    spec = _SPECS.get(type(obj))
    return spec.closed_message(obj) if spec is not None else None


def all_specs() -> list[ModelSpec]:
    return list(_SPECS.values())
