"""The command map's layers from other apps, each offered by its own app (`MAP_LAYERS` in its contributions.py).

Every layer takes the user and returns a GeoJSON FeatureCollection of what the user may see: the owning app's
`restrict(user, "view")` decides (no permission for that app means an empty layer), so a county user never sees
another county's points in any layer.
"""

from __future__ import annotations

from yingji.core.contributions import MapLayer, pick

# The layers the map offers, in the order of its layer switcher.
LAYERS: dict[str, MapLayer] = pick("MAP_LAYERS", "monitoring", "major_hazards", "risks", "shelters", "warnings")
