"""Find the per-app modules (demo, navigation, api, urls, specs, effects, contributions, embedded...) in INSTALLED_APPS order."""

import importlib
from types import ModuleType

from django.apps import AppConfig, apps


def optional_module(name: str) -> ModuleType | None:
    """The module, or None when it does not exist (an import error inside it still raises)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def app_modules(submodule: str) -> list[tuple[AppConfig, ModuleType]]:
    """(app config, module) for every yingji app that has `<app>.<submodule>`."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("yingji."):
            module = optional_module(f"{config.name}.{submodule}")
            if module is not None:
                found.append((config, module))
    return found
