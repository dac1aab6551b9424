"""The 叫应 escalation timetable stored with each warning: when, and what happens to the unanswered."""

from __future__ import annotations

from django.utils.translation import gettext as _

STEPS = {"sms": _("短信重发"), "voice": _("语音电话"), "superior": _("通知上级责任人")}


def timetable_text(value) -> str:
    """The timetable as a person reads it: 10分钟后语音电话；20分钟后通知上级责任人."""
    if not isinstance(value, list) or not value:
        return "—"
    return "；".join(_("%(minutes)s分钟后%(step)s") % {"minutes": entry.get("after_minutes"),
                                                       "step": STEPS.get(entry.get("step"), entry.get("step"))}
                    for entry in value if isinstance(entry, dict))


def timetable_problems(value) -> str | None:
    """None for a usable timetable, else the reason in Chinese."""
    if not isinstance(value, list):
        return _("叫应升级时间表应为列表，如 [{\"after_minutes\": 10, \"step\": \"voice\"}]")
    last = 0
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"after_minutes", "step"}:
            return _("每一行应填写等待分钟数（after_minutes）和届时执行的动作（step）")
        minutes = entry["after_minutes"]
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= last:
            return _("等待分钟数（after_minutes）应为逐行递增的正整数")
        if entry["step"] not in STEPS:
            return _("届时执行的动作（step）应为%(steps)s之一") % {
                "steps": "、".join(f"{label}（{key}）" for key, label in STEPS.items())}
        last = minutes
    return None
