"""Roles as Django groups, and the permissions each one holds.

This table is the only place a role's rights are written down; groups are
brought in line with it after every migrate. Entries are "app_label.codename",
where the codename may end in "*" ("enterprises.*", "core.view_*").
"""

from django.utils.translation import gettext_lazy as _

ADMIN = "系统管理员"
LEADER = "局领导"
DUTY_OFFICER = "值班员"
SUPERVISOR = "监管人员/执法人员"
MONITOR = "监测预警员"
INDUSTRY_OFFICER = "行业部门人员"
ENTERPRISE_MANAGER = "企业安全管理员"
RESCUE_LEADER = "救援队伍负责人"
GRID_MEMBER = "网格员/灾害信息员"

VIEW_COMMON = ["core.view_region", "core.view_organization", "core.view_attachment", "core.view_statechange",
               "enterprises.view_enterprise", "risks.view_*", "hazards.view_*", "monitoring.view_*",
               "resources.view_*", "incidents.view_*", "warnings.view_*", "inspections.view_*", "plans.view_*",
               "training.view_*", "disasters.view_*", "analytics.view_*"]
ENTERPRISE_OWN = ["core.view_region", "core.view_attachment", "core.add_attachment", "core.view_statechange",
                  "enterprises.view_enterprise", "enterprises.change_enterprise"]

# Who reads the API docs and the schema (/api/docs/, /api/schema/): the roles that connect other systems — the
# system administrator (through authtoken.*) and the monitoring officer. Django's token permission stands for
# "integrates through the API"; no page manages tokens by it.
API_DOCS_PERMISSION = "authtoken.view_token"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMIN: ["core.*", "enterprises.*", "authtoken.*", "risks.*", "hazards.*", "monitoring.*", "tipoffs.*",
            "resources.*", "incidents.*", "warnings.*", "inspections.*", "plans.*", "training.*", "disasters.*",
            "analytics.*"],
    # Leaders see tip-offs and their figures, not who reported them (tipoffs.* is for the handlers).
    LEADER: VIEW_COMMON + ["core.view_user", "tipoffs.view_tipoff", "warnings.approve_*", "analytics.open_cockpit"],
    # The duty room takes incident reports, dispatches, and drafts and follows warnings.
    DUTY_OFFICER: VIEW_COMMON + ["incidents.*", "warnings.add_*", "warnings.change_*", "core.add_attachment",
                                 "plans.*", "analytics.open_cockpit", "disasters.*"],
    SUPERVISOR: VIEW_COMMON + ["enterprises.add_enterprise", "enterprises.change_enterprise", "core.add_attachment",
                               "hazards.*", "tipoffs.*", "training.*", "plans.*", "inspections.*",
                               "analytics.add_monthlyreport"],
    # The monitoring officer registers enterprise gateways and hands their integrators the API docs.
    MONITOR: VIEW_COMMON + [API_DOCS_PERMISSION, "monitoring.*", "core.add_attachment", "warnings.add_*",
                            "warnings.change_*", "disasters.*", "hazards.add_hazard"],
    # Departments carry out the tasks a disaster consultation assigns them.
    INDUSTRY_OFFICER: VIEW_COMMON + ["disasters.change_consultationtask"],
    # An enterprise keeps its own risk points and reports and rectifies its own hazards.
    ENTERPRISE_MANAGER: ENTERPRISE_OWN + ["risks.*", "hazards.view_*", "hazards.add_*", "hazards.change_*",
                                          "inspections.view_inspection", "inspections.view_case",
                                          "inspections.view_finding", "inspections.view_evaluation",
                                          "monitoring.view_*", "monitoring.change_*",
                                          # its own staff, their enrolment and results; banks and exams read-only
                                          "training.view_*", "training.add_trainee", "training.change_trainee",
                                          "training.add_candidate",
                                          # its own enterprise's plans and drills (scoped by enterprise)
                                          "plans.view_*", "plans.add_plan*", "plans.change_plan*",
                                          "plans.add_drill*", "plans.change_drill*"],
    RESCUE_LEADER: VIEW_COMMON + ["resources.change_*", "incidents.change_dispatchtask", "core.add_attachment"],
    GRID_MEMBER: ["core.view_region", "enterprises.view_enterprise", "core.view_statechange", "core.add_attachment",
                  "core.view_attachment", "hazards.view_*", "hazards.add_*",
                  # the township's "六有" / the village's "三有" self-assessment
                  "plans.view_*", "plans.add_readiness*", "plans.change_readiness*",
                  # 灾害信息员: the events of their area; fill in and submit its 灾情
                  "disasters.view_disasterevent", "disasters.view_disasterreport", "disasters.add_disasterreport",
                  "disasters.change_disasterreport", "disasters.view_reportduty", "disasters.view_disasterinformant"],
}

ROLE_DESCRIPTIONS = {
    ADMIN: _("用户、区划、组织机构及全部业务数据的管理"),
    LEADER: _("查看辖区全部数据与驾驶舱"),
    DUTY_OFFICER: _("值班值守、信息接报"),
    SUPERVISOR: _("企业监管、隐患排查、行政执法"),
    MONITOR: _("监测预警与报警处置"),
    INDUSTRY_OFFICER: _("行业领域企业监管协同"),
    ENTERPRISE_MANAGER: _("维护本企业信息与安全生产数据"),
    RESCUE_LEADER: _("救援队伍与装备管理、响应调度"),
    GRID_MEMBER: _("网格巡查、隐患与灾情报送"),
}


def sync_roles(app_config=None, **kwargs) -> None:
    """Create the groups and set their permissions to exactly the table above.

    As a post_migrate receiver it runs once per migrate or flush: post_migrate comes for each app in turn, after that
    app's permissions are made, so only the last app's signal sees them all.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    if app_config is not None and app_config is not [a for a in apps.get_app_configs() if a.models_module][-1]:
        return

    permissions = list(Permission.objects.select_related("content_type"))
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = [p for p in permissions if any(_matches(p, pattern) for pattern in patterns)]
        group.permissions.set(wanted)


def _matches(permission, pattern: str) -> bool:
    app_label, codename = pattern.split(".", 1)
    if permission.content_type.app_label != app_label:
        return False
    if codename.endswith("*"):
        return permission.codename.startswith(codename[:-1])
    return permission.codename == codename
