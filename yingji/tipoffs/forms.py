"""The public tip-off form with its offline challenge, and the tracking form."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django import forms
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.models import phone_validator
from yingji.tipoffs import selectors
from yingji.tipoffs.models import TipOffCategory
from yingji.tipoffs.services import challenge_consume, challenge_max_age, check_photo, photo_limits, setting

CHALLENGE_SALT = "yingji.tipoffs.challenge"
NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n]
    if n < 20:
        return "十" + NUMERALS[n - 10]
    return NUMERALS[n // 10] + "十" + (NUMERALS[n % 10] if n % 10 else "")


def _answer_mac(nonce: str, answer: int) -> str:
    return salted_hmac(CHALLENGE_SALT, f"{nonce}:{answer}").hexdigest()


def make_challenge(issued_at: float | None = None) -> tuple[str, str]:
    """A question in words and a signed token that holds only a keyed hash of the answer and the issue time."""
    a, b = secrets.randbelow(20) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    token = signing.dumps({"n": nonce, "h": _answer_mac(nonce, a + b), "t": issued_at or time.time()},
                          salt=CHALLENGE_SALT)
    return _("%(a)s 加 %(b)s 等于多少？（请填写阿拉伯数字）") % {"a": chinese_number(a), "b": chinese_number(b)}, token


def challenge_problem(token: str, answer: int | None) -> str | None:
    """None when the challenge is passed, else the message to show.

    A challenge is good for one try within `TIPOFF_CHALLENGE_MAX_AGE` seconds: it is consumed before the answer is
    checked, so a solved token cannot be replayed for a second report and a wrong answer cannot be retried.
    """
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=challenge_max_age())
    except signing.SignatureExpired:
        return _("验证问题已过期，请重新作答")
    except signing.BadSignature:
        return _("验证问题无效，请重新作答")
    if time.time() - float(data.get("t", 0)) > challenge_max_age():
        return _("验证问题已过期，请重新作答")
    if not challenge_consume(nonce=str(data.get("n", ""))):
        return _("该验证问题已使用过，请回答新的验证问题后再提交")
    if answer is None or not constant_time_compare(_answer_mac(data["n"], answer), data["h"]):
        return _("验证问题回答错误，请重新作答")
    if time.time() - float(data["t"]) < float(setting("TIPOFF_MIN_FILL_SECONDS", 5)):
        return _("提交过快，请核对内容后再提交")
    return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class PublicTipOffForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("举报内容"), min_length=10, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": gettext_lazy("请描述发现的安全生产问题：什么单位、什么问题、持续多久")}),
    )
    category = forms.ChoiceField(label=gettext_lazy("举报类别"), choices=[("", gettext_lazy("请选择")), *TipOffCategory.choices])
    region = forms.ChoiceField(label=gettext_lazy("所在乡镇（街道）/村（社区）"), required=False,
                               help_text=gettext_lazy("在地图上点选位置后可不选"))
    address = forms.CharField(label=gettext_lazy("详细地点"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：某某路与某某街交叉口东50米")}))
    longitude = forms.FloatField(required=False, min_value=73, max_value=136, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, min_value=3, max_value=54, widget=forms.HiddenInput)
    photos = MultipleFileField(label=gettext_lazy("现场照片（可选，最多3张）"), required=False)
    reporter_name = forms.CharField(label=gettext_lazy("您的姓名（可不填）"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=gettext_lazy("联系电话（可不填，用于核实和发放奖励）"), max_length=30,
                                     required=False, validators=[phone_validator])
    answer = forms.IntegerField(label=gettext_lazy("验证问题"), min_value=0, max_value=1000,
                                error_messages={"invalid": gettext_lazy("请填写数字答案")})
    challenge = forms.CharField(widget=forms.HiddenInput)
    # Hidden from people by CSS; a bot that fills every field fills this one too.
    website = forms.CharField(label=gettext_lazy("网址"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("请选择")), *selectors.public_region_choices()]
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput) or name == "photos":
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")
        self.fields["photos"].widget.attrs["class"] = "form-control"
        self.region = None
        self.question, token = make_challenge()
        self.new_token = token

    def renew_challenge(self) -> None:
        """A fresh question for the form shown again; the old answer is not kept."""
        data = self.data.copy()
        data["challenge"] = self.new_token
        data["answer"] = ""
        self.data = data

    def clean_photos(self) -> list:
        photos = self.cleaned_data.get("photos") or []
        max_photos, _bytes, _types = photo_limits()
        if len(photos) > max_photos:
            raise forms.ValidationError(_("最多上传 %(n)d 张照片") % {"n": max_photos})
        for photo in photos:
            check_photo(photo)
        return photos

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("提交未通过校验，请刷新页面后重试"), code="honeypot")
        if "answer" in data:
            problem = challenge_problem(data.get("challenge", ""), data.get("answer"))
            if problem:
                self.add_error("answer", problem)
        lon, lat = data.get("longitude"), data.get("latitude")
        if (lon is None) != (lat is None):
            self.add_error(None, _("地图位置不完整，请重新点选"))
            return data
        region = None
        if data.get("region"):
            region = selectors.public_region(data["region"])
            if region is None:
                self.add_error("region", _("请选择有效的乡镇（街道）或村（社区）"))
                return data
        elif lon is not None:
            region = selectors.region_at_point(lon, lat)
            if region is None:
                self.add_error("region", _("所选位置不在本市辖区内，请重新点选或选择所在乡镇（街道）/村（社区）"))
                return data
        else:
            self.add_error("region", _("请在地图上点选位置，或选择所在乡镇（街道）/村（社区）"))
            return data
        if lon is None and not (data.get("address") or "").strip():
            self.add_error("address", _("请填写详细地点，或在地图上点选位置"))
        self.region = region
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("查询码"), max_length=40,
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off",
                                                         "placeholder": "XXXX-XXXX-XXXX-XXXX"}))

