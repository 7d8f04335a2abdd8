"""The client's address (audit trail, rate limits) cannot be chosen by the client."""
import pytest
from django.test import RequestFactory

from xaso.core.middleware import client_ip

rf = RequestFactory()


def test_without_proxy_the_header_is_ignored(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    request = rf.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_ip(request) == "203.0.113.5"


def test_behind_one_proxy_the_hop_it_added_counts(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.AXES_IPWARE_PROXY_COUNT = None  # default: one proxy
    # nginx appends the address it saw to whatever the client sent.
    forged = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(forged) == "198.51.100.7"
    plain = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_ip(plain) == "198.51.100.7"
    missing = rf.get("/", REMOTE_ADDR="127.0.0.1")
    assert client_ip(missing) == "127.0.0.1"


def test_behind_two_proxies(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.AXES_IPWARE_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.2")
    assert client_ip(request) == "198.51.100.7"


@pytest.mark.django_db
def test_lookup_rate_limit_counts_the_client_not_the_proxy(client, settings):
    """Behind the proxy every request comes from 127.0.0.1: the per-IP lookup budget must
    follow X-Forwarded-For, and a forged left part must not reset it."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.AXES_IPWARE_PROXY_COUNT = None
    settings.XASO_LOOKUP_RATE = "2/m"
    codes = [
        client.get("/tra-cuu/", {"ma": "000.00.00.H56-261128-0001", "k": "1234"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"9.9.9.{i}, 198.51.100.7").status_code
        for i in range(3)
    ]
    assert codes[-1] == 429
    other = client.get("/tra-cuu/", {"ma": "000.00.00.H56-261128-0001", "k": "1234"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code != 429
