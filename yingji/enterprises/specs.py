"""How enterprises are wired to pages, API, import and URLs (see `yingji.core.specs`)."""

from yingji.core.specs import Flow, ModelSpec
from yingji.enterprises import services
from yingji.enterprises.importing import ENTERPRISE_IMPORTER
from yingji.enterprises.models import Enterprise
from yingji.enterprises.states import WORKFLOW

ENTERPRISE = ModelSpec(
    Enterprise, namespace="enterprises",
    create=services.enterprise_create, update=services.enterprise_update, object_argument="enterprise",
    importer=ENTERPRISE_IMPORTER,
    flows=[Flow(WORKFLOW, act=services.enterprise_change_status)],
)
