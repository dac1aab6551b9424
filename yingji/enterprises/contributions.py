"""What enterprises offers to other apps' pages (`yingji.core.contributions`): the enterprise figures and charts
of the home page."""

from yingji.core.contributions import HomeFigures
from yingji.enterprises.selectors import enterprise_figures

HOME_FIGURES = [HomeFigures("enterprises", "enterprises/home_figures.html", enterprise_figures,
                            script="enterprises/home.js")]
