"""How hazards are wired to pages, API, import and URLs (see `yingji.core.specs`)."""

from yingji.core.specs import Flow, ModelSpec
from yingji.hazards import services
from yingji.hazards.importing import HAZARD_IMPORTER
from yingji.hazards.models import Hazard, HazardStatus
from yingji.hazards.states import SUPERVISION_WORKFLOW, WORKFLOW

HAZARD = ModelSpec(
    Hazard, namespace="hazards",
    create=services.hazard_create, update=services.hazard_update, object_argument="hazard",
    importer=HAZARD_IMPORTER,
    flows=[Flow(WORKFLOW, act=services.hazard_act, closed=(HazardStatus.CLOSED,)),
           Flow(SUPERVISION_WORKFLOW, act=services.hazard_supervision_act)],
)
