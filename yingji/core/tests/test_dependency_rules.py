"""The allowed links between apps are written once for readers (docs/architecture.md) and once for import-linter
(.importlinter, run by `make lint`): the two must say the same."""

import configparser
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[3]


def documented_links() -> dict[str, set[str]]:
    """{app: apps it may import} from the table under "Dependencies between apps"."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("| app | may import (besides `core` and `standards`) |", 1)[1].split("\n\n", 1)[0]
    links = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            links[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))
    return links


def contracts() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config


def names(value: str) -> set[str]:
    return {line.strip().removeprefix("yingji.") for line in value.splitlines() if line.strip()}


def test_the_table_names_every_app_and_only_links_between_apps():
    links = documented_links()
    installed = {config.label for config in apps.get_app_configs() if config.name.startswith("yingji.")} - {"core"}
    assert set(links) == installed
    for app, used in links.items():
        assert used <= installed - {app}, app


def test_the_contracts_allow_exactly_the_documented_links():
    links = documented_links()
    importers: dict[str, set[str]] = {}
    for section in contracts().values():
        if section.get("type") == "protected":
            for protected in names(section["protected_modules"]):
                assert protected not in importers, f"{protected} is in two contracts"
                importers[protected] = names(section.get("allowed_importers", ""))
    assert importers == {app: {user for user, used in links.items() if app in used} for app in links}


def test_every_app_is_a_layer_above_core():
    layers = contracts()["importlinter:contract:layers"]["layers"].strip().splitlines()
    assert [layer.strip() for layer in layers[1:]] == ["core", "standards"]
    assert {app.strip() for app in layers[0].split(":")} == set(documented_links())
