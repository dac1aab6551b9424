"""What enterprises offers to other apps' pages (`yingji.core.contributions`): the enterprise figures and charts
of the home page, and enterprises as places for the map picker's search."""

from django.utils.translation import gettext_lazy as _

from yingji.core import roles
from yingji.core.contributions import HomeFigures, Place, PlaceSource, has_role, places_of
from yingji.core.models import User
from yingji.enterprises.models import Enterprise
from yingji.enterprises.selectors import enterprise_figures


def _supervises_enterprises(user: User) -> bool:
    """The enterprise figures and charts belong to those who supervise enterprises, not to an enterprise itself,
    a leader (the cockpit's figures), a duty officer or a grid member (their own blocks)."""
    return not user.scope_enterprise_id and has_role(user, roles.ADMIN, roles.SUPERVISOR, roles.INDUSTRY_OFFICER)


HOME_FIGURES = [HomeFigures("enterprises", "enterprises/home_figures.html", enterprise_figures,
                            script="enterprises/home.js", order=50, fits=_supervises_enterprises)]


def enterprise_places(user: User, term: str, limit: int) -> list[Place]:
    return places_of(user, Enterprise, term, limit, kind=_("企业"))


PLACE_SOURCES = [PlaceSource("enterprises", _("企业"), enterprise_places)]
