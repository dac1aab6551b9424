"""A warning's life: 拟稿 → 送审 → 签发发布 by an authorised signer → 更新/解除 (new messages) or 过期 (the sweep)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, Workflow, rows_rule, system_rule, user_rule
from yingji.warnings.models import DeliveryStatus, RecipientStatus, WarningStatus


@user_rule
def bureau_editor(user, warning) -> bool:
    return not user.scope_enterprise_id and user.has_perm("warnings.change_warning")


def _signable(user) -> Q | None:
    if user.scope_enterprise_id or not user.has_perm("warnings.approve_warning"):
        return None
    return ~Q(drafted_by=user)


@rows_rule(_signable)
def authorised_signer(user, warning) -> bool:
    """签发: a holder of approve_warning who did not draft the message (four eyes)."""
    return (not user.scope_enterprise_id and user.has_perm("warnings.approve_warning")
            and warning.drafted_by_id != user.pk)


@system_rule
def system_only(user, warning) -> bool:
    """Moves made by the platform itself (publishing a follower, the expiry sweep), never by a person."""
    return False


def publishable(warning) -> str | None:
    """What the national platform's format needs besides the form's own checks: a coded event type (§5.1)."""
    if not warning.event_type:
        return _("未选择事件类型：国家预警信息发布系统格式要求事件类型代码，请先编辑预警选择事件类型")
    return None


S = WarningStatus
WORKFLOW = Workflow(
    choices=WarningStatus,
    transitions=[
        Transition(S.DRAFT, "submit", S.REVIEW, _("送审"), who=bureau_editor, announce=True, requires=publishable),
        Transition(S.REVIEW, "withdraw", S.DRAFT, _("撤回修改"), who=bureau_editor, todo=False),
        Transition(S.REVIEW, "reject", S.DRAFT, _("退回"), who=authorised_signer, reason_required=True),
        Transition(S.REVIEW, "approve", S.PUBLISHED, _("签发发布"), who=authorised_signer,
                   requires=publishable),
        Transition(S.PUBLISHED, "supersede", S.SUPERSEDED, _("被更新"), who=system_only),
        Transition(S.PUBLISHED, "cancel", S.CANCELLED, _("被解除"), who=system_only),
        Transition(S.PUBLISHED, "expire", S.EXPIRED, _("到期失效"), who=system_only),
    ],
)

# The moves a person may press a button for (pages, API); the others follow from publishing a follower or from the
# sweep. The same rows as WORKFLOW's, so a move offered here is checked there.
MANUAL_ACTIONS = ("submit", "withdraw", "reject", "approve")
MANUAL_WORKFLOW = Workflow(choices=WarningStatus,
                           transitions=[t for t in WORKFLOW.transitions if t.action in MANUAL_ACTIONS])


@rows_rule(lambda user: Q(person__user=user))
def the_person_or_the_platform(user, recipient) -> bool:
    """叫应 is answered by the person (their link, SMS, key or account); nobody answers for someone else."""
    return user is None or recipient.person.user_id == user.pk


R = RecipientStatus
# 叫应 of one person. These moves run set-based on the hot paths (`yingji.warnings.delivery`): the UPDATE's
# WHERE names the source state of this table, and each move writes its StateChange row (the person's timeline).
RECIPIENT_WORKFLOW = Workflow(
    choices=RecipientStatus,
    transitions=[
        Transition(R.PENDING, "acknowledge", R.ACKNOWLEDGED, _("应答"), who=the_person_or_the_platform),
        Transition(R.PENDING, "escalate", R.PENDING, _("叫应升级"), who=system_only),
    ],
)


D = DeliveryStatus
# One message on one channel: queued, handed to the channel (sent, or delivered at once for in-app and broadcast),
# then the gateway's report. All moves are the platform's, set-based (`yingji.warnings.delivery`); a message keeps
# its own times (sent_at, delivered_at) and reason, so these moves write no timeline rows.
DELIVERY_WORKFLOW = Workflow(
    choices=DeliveryStatus,
    transitions=[
        Transition(D.QUEUED, "send", D.SENT, _("已发送"), who=system_only),
        Transition(D.QUEUED, "deliver", D.DELIVERED, _("已送达"), who=system_only),
        Transition(D.SENT, "deliver", D.DELIVERED, _("已送达"), who=system_only),
        Transition(D.QUEUED, "fail", D.FAILED, _("发送失败"), who=system_only),
        Transition(D.SENT, "fail", D.FAILED, _("发送失败"), who=system_only),
    ],
)
# What a channel adapter's answer for one message means in the table.
DELIVERY_ACTION = {D.SENT: "send", D.DELIVERED: "deliver", D.FAILED: "fail"}
