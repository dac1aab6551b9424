"""How tip-offs are wired to the bureau's pages, API and URLs (see `yingji.core.specs`).

Tip-offs are created only by the public form and changed only by their handling moves: no create or update here.
"""

from yingji.core.specs import Flow, ModelSpec
from yingji.tipoffs import services
from yingji.tipoffs.models import TipOff
from yingji.tipoffs.states import WORKFLOW

TIPOFF = ModelSpec(TipOff, namespace="tipoffs", object_argument="tipoff",
                   flows=[Flow(WORKFLOW, act=services.tipoff_act, closed=("unsubstantiated", "invalid", "reward_paid"))])
