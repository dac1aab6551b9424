import pytest

from yingji.warnings.testing import GATEWAY_TOKEN, gateway_post


@pytest.fixture
def gateway(client, settings):
    """The gateway callback with its token configured: `gateway(payload)` posts as the gateway would."""
    settings.WARNING_GATEWAY_TOKEN = GATEWAY_TOKEN
    return lambda payload, **kwargs: gateway_post(client, payload, **kwargs)
