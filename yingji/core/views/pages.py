"""The site's own pages: home, region tree and boundaries, login lockout."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from yingji.core.access import allowed, page_access, signed_in
from yingji.core.models import Region
from yingji.core.scoping import has_model_perm
from yingji.core.selectors import home_figures, region_children_geojson, region_root_for


@page_access(signed_in)
def home(request):
    context = {"title": _("首页"), "breadcrumbs": [(_("首页"), None)], **home_figures(request.user)}
    return render(request, "core/home.html", context)


@page_access(allowed("view", Region), missing=Http404)
def region_tree(request, code: str | None = None):
    """Browse the region tree from the user's scope root, with a boundary map."""
    regions = Region.objects.restrict(request.user, "view")
    current = get_object_or_404(regions, pk=code) if code else region_root_for(request.user)
    if current is None:
        raise Http404
    visible_codes = set(regions.filter(code__in=[a.code for a in current.ancestors()]).values_list("code", flat=True))
    trail = [(_("首页"), reverse("home")), (_("行政区划"), reverse("core:region_tree"))]
    trail += [(a.name, reverse("core:region_tree_node", args=[a.code])) for a in current.ancestors() if a.code in visible_codes]
    trail.append((current.name, None))
    children = regions.filter(parent=current).order_by("code")
    context = {
        "title": _("行政区划"),
        "breadcrumbs": trail,
        "current": current,
        "children": children,
        "geojson_url": reverse("core:region_geojson") + f"?parent={current.code}",
        "region_detail_url": reverse("core:region_detail", args=[current.code]),
    }
    return render(request, "core/region_tree.html", context)


@login_required
def region_geojson(request):
    """Boundaries of a region and its children as a GeoJSON FeatureCollection, scoped."""
    if not has_model_perm(request.user, Region, "view"):
        raise Http404
    regions = Region.objects.restrict(request.user, "view")
    parent_code = request.GET.get("parent")
    parent = get_object_or_404(regions, pk=parent_code) if parent_code else region_root_for(request.user)
    if parent is None:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    return JsonResponse(region_children_geojson(regions, parent))
