"""What incidents adds to every page of the site layout: today's duty for bureau users."""

from yingji.incidents.duty import today_duty

BANNER_TEMPLATES = ["incidents/includes/today_duty.html"]


def context(request) -> dict:
    return {"today_duty": today_duty(request.user)}
