"""The production configuration documented in docs/configuration.md passes Django's
deployment checklist with no warning at all."""
import os
import subprocess
import sys
from pathlib import Path

XASO = str(Path(sys.executable).with_name("xaso"))

# The production example of docs/configuration.md (secrets replaced by test values).
PRODUCTION_ENV = {
    "SECRET_KEY": "kX9vR2mQ7tL4wZ8pN1cF6hJ3sD5gA0bY-eU_iO9rT2yW7qE4uI1oP6aS3dF8gH5j",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "dichvucong.ngoclien.thanhhoa.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://dichvucong.ngoclien.thanhhoa.gov.vn",
    "XASO_PUBLIC_BASE_URL": "https://dichvucong.ngoclien.thanhhoa.gov.vn",
    "XASO_HTTPS": "true",
    "XASO_BEHIND_PROXY": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "DATABASE_URL": "postgres://xaso:secret@127.0.0.1:5432/xaso",
    "CACHE_URL": "dbcache://xaso_cache",
    "EMAIL_URL": "smtp+tls://no-reply%40ngoclien.gov.vn:secret@smtp.example.vn:587",
    "DEFAULT_FROM_EMAIL": "UBND xã Ngọc Liên <no-reply@ngoclien.gov.vn>",
    "XASO_SMS_BACKEND": "xaso.notifications.backends.HTTPSMSBackend",
    "XASO_SMS_GATEWAY_URL": "https://sms.example.vn/api/send",
    "XASO_SMS_GATEWAY_TOKEN": "test-token",
    "XASO_SMS_SENDER": "UBND-NGOCLIEN",
    "XASO_SIGNING_BACKEND": "pkcs12",
    "XASO_SIGNING_P12": "/srv/xaso/signing/ubnd-ngoclien.p12",  # replaced by a real file below
    "XASO_SIGNING_P12_PASSWORD": "test-password",
    "XASO_VNPAY_TMN_CODE": "NGOCLIE1",
    "XASO_VNPAY_HASH_SECRET": "test-vnpay-secret",
    "XASO_VNPAY_PAY_URL": "https://pay.vnpay.vn/vpcpay.html",
    "XASO_VNPAY_API_URL": "https://merchant.vnpay.vn/merchant_webapi/api/transaction",
    "XASO_AUDIT_KEY": "Zq3-uF8vN2xR7tK1mW5pL9cH4sJ6gD0bYeA_iO2rT8yQ",
    "XASO_AUDIT_CHECKPOINTS": "/srv/xaso-audit/checkpoints.jsonl",
    "AXES_PROXY_COUNT": "1",
    "TIME_ZONE": "Asia/Ho_Chi_Minh",
}


def unit_certificate(tmp_path, password="test-password"):
    """A PKCS#12 file with a key and a certificate, protected by ``password`` (standing in
    for the unit's certificate: the check opens it)."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    from xaso.core.signing import make_sandbox_certificate

    key, cert, _others = pkcs12.load_key_and_certificates(make_sandbox_certificate(), None)
    path = tmp_path / "ubnd-ngoclien.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"ubnd", key, cert, None, BestAvailableEncryption(password.encode())))
    return str(path)


def production_env(tmp_path, **overrides):
    return {**PRODUCTION_ENV, "XASO_SIGNING_P12": unit_certificate(tmp_path), **overrides}


def run_check(env_overrides, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    for name in ("DATABASE_URL", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        env.pop(name, None)
    env.update(XASO_VAR_DIR=str(tmp_path), XASO_ENV_FILE=str(tmp_path / "none.env"), **env_overrides)
    return subprocess.run(
        [XASO, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_configuration_passes_the_deploy_check(tmp_path):
    result = run_check(production_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_catches_a_development_configuration(tmp_path):
    # The check must be able to fail: the development defaults (no HTTPS, DEBUG on) are refused.
    result = run_check({"DEBUG": "true"}, tmp_path)
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on in deployment
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


def test_deploy_check_catches_the_sandbox_signing_certificate(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("XASO_SIGNING_")}
    result = run_check(env, tmp_path)
    assert result.returncode != 0
    assert "xaso.W001" in result.stderr + result.stdout  # forms signed with the sandbox certificate


def test_deploy_check_catches_the_payment_sandbox(tmp_path):
    # The local sandbox gateway (make demo) must never be left on in production.
    result = run_check({**PRODUCTION_ENV, "XASO_PAYMENT_SANDBOX": "true"}, tmp_path)
    assert result.returncode != 0
    assert "xaso.W010" in result.stderr + result.stdout
def test_deploy_check_refuses_a_signing_certificate_that_cannot_be_used(tmp_path):
    # A file that does not exist (the check used to pass), then a wrong password.
    result = run_check({**PRODUCTION_ENV, "XASO_SIGNING_P12": str(tmp_path / "missing.p12")}, tmp_path)
    assert result.returncode != 0 and "xaso.E001" in result.stderr + result.stdout
    result = run_check(production_env(tmp_path, XASO_SIGNING_P12_PASSWORD="wrong"), tmp_path)
    assert result.returncode != 0 and "xaso.E001" in result.stderr + result.stdout


def test_deploy_check_wants_the_audit_key_from_the_environment(tmp_path):
    env = {k: v for k, v in production_env(tmp_path).items() if k != "XASO_AUDIT_KEY"}
    result = run_check(env, tmp_path)
    assert result.returncode != 0 and "xaso.W003" in result.stderr + result.stdout
