"""Every page carries a Content-Security-Policy that allows no inline script, and no page needs one."""

import re

import pytest

from yingji.core.navigation import menu_for
from yingji.enterprises.testing import EnterpriseFactory
from yingji.settings import tile_origin

# An executable <script> without src (json_script's type="application/json" blocks are data), or an inline
# event handler attribute: the CSP blocks both, so a page that has one is broken.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def assert_strict(response) -> None:
    policy = directives(response)
    path = response.request["PATH_INFO"]
    assert policy["script-src"] == ["'self'"], path
    assert policy["object-src"] == ["'none'"], path
    assert policy["frame-ancestors"] == ["'none'"], path
    assert policy["base-uri"] == ["'self'"], path
    assert policy["connect-src"] == ["'self'"], path
    assert policy["default-src"] == ["'self'"], path
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), f"{path}: {INLINE_SCRIPT.search(body).group(0)}"
        assert not INLINE_HANDLER.search(body), f"{path}: {INLINE_HANDLER.search(body).group(0)}"


def test_every_page_of_the_menu_allows_only_the_sites_own_scripts(client, world):
    client.force_login(world.city_admin)
    urls = [item["url"] for group in menu_for(world.city_admin) for item in group["items"]]
    assert len(urls) > 20
    enterprise = EnterpriseFactory(region=world.village1, longitude=118.05, latitude=36.05)
    urls += [f"/enterprises/{enterprise.pk}/", f"/enterprises/{enterprise.pk}/edit/", "/enterprises/new/",
             "/api/", "/api/docs/?script", "/no-such-page/"]
    for url in urls:
        assert_strict(client.get(url))


@pytest.mark.parametrize("url", ["/login/", "/tipoffs/report/", "/tipoffs/track/"])
def test_public_pages_allow_only_the_sites_own_scripts(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_strict(response)


def test_the_tile_server_is_the_only_other_origin_and_only_for_images(settings):
    assert tile_origin("http://{s}.tiles.intranet:8080/{z}/{x}/{y}.png") == "http://*.tiles.intranet:8080"
    assert tile_origin("https://tiles.intranet/osm/{z}/{x}/{y}.png") == "https://tiles.intranet"
    assert tile_origin("") == ""
    others = [source for values in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].values() for source in values
              if "://" in source]
    assert others == ([tile_origin(settings.MAP_TILE_URL)] if settings.MAP_TILE_URL else [])
