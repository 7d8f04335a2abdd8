import pytest

from xaso.notifications.sandbox import SandboxGateway

from . import fakes


@pytest.fixture
def recording(settings):
    """SMS go to an in-memory recorder."""
    settings.XASO_SMS_BACKEND = "xaso.notifications.tests.fakes.RecordingBackend"
    fakes.reset()
    yield fakes
    fakes.reset()


@pytest.fixture
def gateway(settings):
    """A sandbox gateway on 127.0.0.1 (random port) wired into the HTTP backend."""
    with SandboxGateway("127.0.0.1", 0, token="s3cret") as gw:
        settings.XASO_SMS_BACKEND = "xaso.notifications.backends.HTTPSMSBackend"
        settings.XASO_SMS_GATEWAY_URL = gw.url
        settings.XASO_SMS_GATEWAY_TOKEN = "s3cret"
        settings.XASO_SMS_SENDER = "UBND-NL"
        settings.XASO_SMS_GATEWAY_TIMEOUT = 2
        yield gw
