"""Every write to the monitoring app goes through this package, one module per concern:

- `hazard_sources`: major hazard sources and their chemicals (GB 18218 identification and grading);
- `points`: monitoring points;
- `gateways`: gateways and their tokens;
- `readings`: telemetry ingestion (batches of gateway messages) and the history's retention;
- `alarms`: the alarm lifecycle, from the engine's raise to close and escalation;
- `online`: the online-rate roll-up;
- `patrols`: online patrols (线上巡查).

The services that pages, the API, the importer, the MQTT worker and the sweep call are named here, so
`services.alarm_acknowledge(...)` reads the same wherever it is called; anything else (the ingest hooks, the
online-rate helpers) is imported from the module that owns it.
"""

from yingji.monitoring.services.alarms import (
    alarm_acknowledge,
    alarm_acknowledge_many,
    alarm_act,
    alarm_close,
    alarm_dispose,
    alarm_escalate,
    alarm_raise,
    alarm_recover,
    alarm_track,
)
from yingji.monitoring.services.gateways import gateway_create, gateway_for_token, gateway_rotate_token, gateway_update
from yingji.monitoring.services.hazard_sources import (
    hazard_chemical_remove,
    hazard_chemical_set,
    hazard_source_create,
    hazard_source_update,
)
from yingji.monitoring.services.online import online_rates_rollup
from yingji.monitoring.services.patrols import patrol_create, patrol_finding_record, patrol_hazard_raise
from yingji.monitoring.services.points import monitoring_point_create, monitoring_point_update
from yingji.monitoring.services.readings import IngestMessage, readings_ingest, readings_ingest_many, readings_purge

__all__ = [
    "IngestMessage",
    "alarm_acknowledge",
    "alarm_acknowledge_many",
    "alarm_act",
    "alarm_close",
    "alarm_dispose",
    "alarm_escalate",
    "alarm_raise",
    "alarm_recover",
    "alarm_track",
    "gateway_create",
    "gateway_for_token",
    "gateway_rotate_token",
    "gateway_update",
    "hazard_chemical_remove",
    "hazard_chemical_set",
    "hazard_source_create",
    "hazard_source_update",
    "monitoring_point_create",
    "monitoring_point_update",
    "online_rates_rollup",
    "patrol_create",
    "patrol_finding_record",
    "patrol_hazard_raise",
    "readings_ingest",
    "readings_ingest_many",
    "readings_purge",
]
