"""The registry of what apps offer each other's pages: found like the menus, checked when first read."""

from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

from yingji.core.contributions import HOOKS, MapLayer, ReadinessHint, Registry, contributions_check, pick, registry


def module(name: str, **attributes) -> tuple[str, ModuleType]:
    found = ModuleType(f"yingji.{name}.contributions")
    found.__dict__.update(attributes)
    return name, found


def layer(key: str) -> MapLayer:
    return MapLayer(key, key, lambda user: {"type": "FeatureCollection", "features": []})


def test_every_app_contributes_well_formed_entries():
    assert contributions_check() == []
    for hook, entry_type in HOOKS.items():
        for key, entry in registry().all(hook).items():
            assert isinstance(entry, entry_type) and entry.key == key


def test_entries_are_found_in_app_order_and_picked_in_the_asked_order():
    found = Registry([module("risks", MAP_LAYERS=[layer("risks")]), module("hazards", MAP_LAYERS=[layer("hazards")])])
    assert list(found.all("MAP_LAYERS")) == ["risks", "hazards"]
    assert list(found.pick("MAP_LAYERS", "hazards", "risks")) == ["hazards", "risks"]


def test_a_key_nobody_contributes_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="no app contributes MAP_LAYERS 'shelter'"):
        pick("MAP_LAYERS", "shelters", "shelter")


def test_a_key_contributed_twice_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="'risks' is contributed by both risks and hazards"):
        Registry([module("risks", MAP_LAYERS=[layer("risks")]), module("hazards", MAP_LAYERS=[layer("risks")])])


def test_an_entry_of_another_hook_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="not a MapLayer"):
        Registry([module("resources", MAP_LAYERS=[ReadinessHint("team", lambda region, year: "")])])


def test_a_misspelt_hook_is_an_error_and_other_constants_are_not():
    with pytest.raises(ImproperlyConfigured, match="MAP_LAYER is not a contribution hook"):
        Registry([module("risks", MAP_LAYER=[layer("risks")])])
    assert Registry([module("risks", LAYER_LIMIT=5000, LEVELS=("city", "county"))]).all("MAP_LAYERS") == {}
