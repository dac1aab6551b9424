"""Tip-offs for tests, made through the services, and helpers for the public form."""

from __future__ import annotations

import io
import time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core.models import Region
from yingji.tipoffs import services
from yingji.tipoffs.forms import CHALLENGE_SALT, _answer_mac
from yingji.tipoffs.models import TipOff

# The system's path to each state, for test setup: (action, extra arguments) taken in order.
PATH = {
    "received": [],
    "accepted": [("accept", {})],
    "invalid": [("reject", {})],
    "investigating": [("accept", {}), ("investigate", {})],
    "substantiated": [("accept", {}), ("investigate", {}), ("substantiate", {})],
    "unsubstantiated": [("accept", {}), ("investigate", {}), ("dismiss", {})],
    "reward_proposed": [("accept", {}), ("investigate", {}), ("substantiate", {}),
                        ("propose_reward", {"amount": "500"})],
    "reward_approved": [("accept", {}), ("investigate", {}), ("substantiate", {}),
                        ("propose_reward", {"amount": "500"}), ("approve_reward", {})],
    "reward_paid": [("accept", {}), ("investigate", {}), ("substantiate", {}),
                    ("propose_reward", {"amount": "500"}), ("approve_reward", {}), ("pay", {"amount": "500"})],
}


def make_tipoff(region: Region, *, description: str = "某化工厂夜间偷排废气并违规储存危化品", category: str = "hazchem",
                address: str = "工业路1号", reporter_name: str = "", reporter_phone: str = "",
                status: str = "received") -> TipOff:
    tipoff, _code = services.tipoff_submit(description=description, category=category, region=region,
                                           address=address, reporter_name=reporter_name, reporter_phone=reporter_phone)
    for action, extra in PATH[status]:
        tipoff = services.tipoff_act(tipoff=tipoff, actor=None, action=action, reason="测试准备", **extra)
    return tipoff


def solved_challenge(seconds_ago: float = 60) -> dict[str, str]:
    """A challenge issued `seconds_ago`, with its right answer, as form fields."""
    import secrets

    from django.core import signing

    nonce = secrets.token_hex(8)
    token = signing.dumps({"n": nonce, "h": _answer_mac(nonce, 7), "t": time.time() - seconds_ago}, salt=CHALLENGE_SALT)
    return {"challenge": token, "answer": "7"}


def public_form_data(where: Region | None = None, **overrides: Any) -> dict[str, Any]:
    data = {"description": "某五金厂车间消防通道长期堆放杂物，灭火器过期", "category": "fire",
            "region": where.code if where else "", "address": "五金路8号", "longitude": "", "latitude": "",
            "reporter_name": "", "reporter_phone": "", "website": "", **solved_challenge()}
    data.update(overrides)
    return data


# The smallest valid PNG (1x1 pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def png_file(name: str = "photo.png", size: int | None = None) -> SimpleUploadedFile:
    content = PNG if size is None else PNG + b"\0" * (size - len(PNG))
    return SimpleUploadedFile(name, content, content_type="image/png")


def fake_image(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A script that claims to be a JPEG."""
    return SimpleUploadedFile(name, io.BytesIO(b"#!/bin/sh\necho pwned\n").read(), content_type="image/jpeg")
