"""How risk points are wired to pages, API, import and URLs (see `yingji.core.specs`)."""

from yingji.core.specs import Flow, ModelSpec
from yingji.risks import services
from yingji.risks.importing import RISK_POINT_IMPORTER
from yingji.risks.models import RiskPoint
from yingji.risks.states import WORKFLOW

RISK_POINT = ModelSpec(
    RiskPoint, namespace="risks",
    create=services.risk_point_create, update=services.risk_point_update, object_argument="risk_point",
    importer=RISK_POINT_IMPORTER,
    flows=[Flow(WORKFLOW, act=services.risk_point_change_status)],
)
