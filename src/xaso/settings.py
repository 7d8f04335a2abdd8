"""Django settings for xaso.

Every setting that differs between a laptop and a server is read from the environment
(see docs/configuration.md). Defaults are safe for development: SQLite and local files
under ./var/, e-mail and SMS written to the outbox/console.
"""
from pathlib import Path

import environ

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()
# Runtime data (SQLite file, media, collected static, dev secret key): ./var of the
# checkout when running from one, else ./var of the working directory.
_default_var = REPO_DIR / "var" if (REPO_DIR / "pyproject.toml").is_file() else Path.cwd() / "var"
VAR_DIR = Path(env.str("XASO_VAR_DIR", default=str(_default_var)))
VAR_DIR.mkdir(parents=True, exist_ok=True)
env_file = Path(env.str("XASO_ENV_FILE", default=str(Path.cwd() / ".env")))
if env_file.is_file():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # Development only: a key kept in ./var so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()

# The key that signs the audit trail's checkpoints (xaso.core.audit_anchor), kept outside
# the database: from the environment in production (`xaso check --deploy` warns otherwise);
# in development a key generated once into ./var, like the secret key.
XASO_AUDIT_KEY = env.str("XASO_AUDIT_KEY", default="")
XASO_AUDIT_KEY_FROM_ENVIRONMENT = bool(XASO_AUDIT_KEY)
if not XASO_AUDIT_KEY:
    audit_key_file = VAR_DIR / "audit_key"
    if not audit_key_file.exists():
        import secrets

        audit_key_file.write_text(secrets.token_urlsafe(48))
        audit_key_file.chmod(0o600)
    XASO_AUDIT_KEY = audit_key_file.read_text().strip()
# Where the signed checkpoints are appended (a file the database administrator cannot
# change: another disk, an append-only mount); each is also logged (logger xaso.audit.anchor).
XASO_AUDIT_CHECKPOINTS = env.str("XASO_AUDIT_CHECKPOINTS", default=str(VAR_DIR / "audit" / "checkpoints.jsonl"))

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # The product's apps come first: their templates and translations override the
    # third-party ones (two_factor, admin).
    "xaso.core",
    "xaso.notifications",
    "xaso.catalog",
    "xaso.portal",
    "xaso.dossiers",
    "xaso.payments",
    "xaso.ratings",
    "xaso.vault",
    "xaso.plan",
    "xaso.indicators",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL bytes and oversized bodies refused first, with a Vietnamese 400/413.
    "xaso.core.input_guard.RejectBadInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Cache-Control: no-store on every answer to a signed-in user (personal data).
    "xaso.core.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xaso.core.middleware.RequestContextMiddleware",
    "xaso.core.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xaso.urls"
WSGI_APPLICATION = "xaso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xaso.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'xaso.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout so the worker and the web server can write side by side;
    # IMMEDIATE transactions so concurrent writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Citizens through the national identity service (OpenID Connect); inactive unless
    # XASO_OIDC_CLIENT_ID is set (docs/configuration.md, docs/portal.md).
    "xaso.portal.oidc.NationalIdentityBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xaso.core.validators.CharacterClassPasswordValidator"},
]

# Internationalisation: Vietnamese first; English kept for the code's source strings.
LANGUAGE_CODE = "vi"
# No LocaleMiddleware: the product speaks Vietnamese to everyone, whatever language the
# phone or browser asks for (English strings in the code are only the gettext sources).
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# Each app keeps its own catalogue in <app>/locale/vi/LC_MESSAGES/django.po.
LOCALE_PATHS: list = []
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
NODE_MODULES = Path(env.str("XASO_NODE_MODULES", default=str(REPO_DIR / "node_modules")))
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Object storage goes through Django's storage API: set XASO_MEDIA_STORAGE to any
# storage class (e.g. an S3 backend) and its options in XASO_MEDIA_STORAGE_OPTIONS (JSON).
STORAGES = {
    "default": {
        "BACKEND": env.str("XASO_MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("XASO_MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": env.str(
            "XASO_STATIC_STORAGE",
            default="xaso.core.static_storage.CompressedManifestStorage",
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps are fetched only by browser developer tools: not worth pre-compressing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br",
    "swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg",
    "mpg", "webm", "wmv", "map",
)

# E-mail: console in development, SMTP (EMAIL_URL) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="xaso <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How the outbox sends e-mail (xaso.notifications.backends); it uses the EMAIL_URL connection.
XASO_EMAIL_SENDER_BACKEND = env.str("XASO_EMAIL_SENDER_BACKEND", default="xaso.notifications.backends.DjangoEmailBackend")

# SMS: "outbox" keeps messages in the outbox and prints them; "http" posts to a gateway.
XASO_SMS_BACKEND = env.str("XASO_SMS_BACKEND", default="xaso.notifications.backends.ConsoleSMSBackend")
XASO_SMS_GATEWAY_URL = env.str("XASO_SMS_GATEWAY_URL", default="")
XASO_SMS_GATEWAY_TOKEN = env.str("XASO_SMS_GATEWAY_TOKEN", default="")
XASO_SMS_SENDER = env.str("XASO_SMS_SENDER", default="XASO")
XASO_SMS_GATEWAY_TIMEOUT = env.float("XASO_SMS_GATEWAY_TIMEOUT", default=10.0)
XASO_SMS_CLIENT_REF_PREFIX = env.str("XASO_SMS_CLIENT_REF_PREFIX", default="xaso-")
XASO_SMS_UNACCENTED = env.bool("XASO_SMS_UNACCENTED", default=False)
# Outbox delivery policy (docs/notifications.md): retry delays in seconds, then give up.
XASO_NOTIFY_BACKOFF = env.list("XASO_NOTIFY_BACKOFF", cast=int, default=[60, 300, 1800, 7200, 21600, 43200])
XASO_NOTIFY_MAX_ATTEMPTS = env.int("XASO_NOTIFY_MAX_ATTEMPTS", default=8)
XASO_NOTIFY_LEASE_SECONDS = env.int("XASO_NOTIFY_LEASE_SECONDS", default=300)
XASO_NOTIFY_USE_TASKS = env.bool("XASO_NOTIFY_USE_TASKS", default=True)
XASO_NOTIFY_WAKE_COALESCE_SECONDS = env.float("XASO_NOTIFY_WAKE_COALESCE_SECONDS", default=1.0)
# Absolute address of the site (SMS, e-mails, QR codes, national portal). Empty: the address
# `xaso serve` serves on; the deployment check warns when it is empty in production.
XASO_PUBLIC_BASE_URL = env.str("XASO_PUBLIC_BASE_URL", default="")
# The commune the public pages speak for (a unit code); empty: the first commune or ward.
XASO_PUBLIC_COMMUNE = env.str("XASO_PUBLIC_COMMUNE", default="")

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG and env.bool("XASO_HTTPS", default=False))
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=env.bool("XASO_HTTPS", default=False))
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=env.bool("XASO_HTTPS", default=False))
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
if env.bool("XASO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp) of every page: scripts, styles, fonts and images from
# this site only, no inline script or style, no plugin, no framing, forms post here only.
# The API reference (Redoc) has its own, wider policy (xaso.urls); uploaded files are served
# with "sandbox" (xaso.core.uploads). Details: docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Whom to tell about a vulnerability, served as /.well-known/security.txt (RFC 9116): one or
# more "mailto:" or "https:" addresses, comma-separated; empty: no such file.
XASO_SECURITY_CONTACT = env.str("XASO_SECURITY_CONTACT", default="")
# What a page may ask of the phone or browser: nothing of these.
XASO_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "core:workspace"
LOGOUT_REDIRECT_URL = "portal:home"

# Brute-force protection (django-axes): lock per account and per IP.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    # JSON with a size and depth limit (xaso.core.parsers); forms and multipart as DRF's.
    "DEFAULT_PARSER_CLASSES": ["xaso.core.parsers.JSONParser", "rest_framework.parsers.FormParser", "rest_framework.parsers.MultiPartParser"],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The calendar API's throttles (the dossier lookup has its own limit, XASO_LOOKUP_RATE).
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("XASO_API_ANON_RATE", default="120/min"), "user": env.str("XASO_API_USER_RATE", default="600/min")},
    # DRF reads X-Forwarded-For only through NUM_PROXIES: 0 (REMOTE_ADDR) unless behind the
    # proxy, so a client cannot pick its own throttle key (see core.middleware.client_ip).
    "NUM_PROXIES": (AXES_IPWARE_PROXY_COUNT or 1) if env.bool("XASO_BEHIND_PROXY", default=False) else 0,
    # DRF's handler with Vietnamese messages where DRF has none (JSON parse errors, Http404).
    "EXCEPTION_HANDLER": "xaso.core.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "xaso API",
    "DESCRIPTION": "API of the digital commune (xã số): procedures, working-day calendar, dossiers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Fields named "method" in several apps: name each choice set.
    "ENUM_NAME_OVERRIDES": {"PaymentMethodEnum": "xaso.dossiers.models.PaymentMethod", "MethodEnum": "xaso.indicators.models.Target.Method", "RatingLevelEnum": "xaso.ratings.models.Level", "LevelEnum": "xaso.catalog.models.ProcedureVersion.Level"},
    # Paginated lists answer 404 for a page that does not exist: documented on each.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "xaso.core.api_errors.document_invalid_page"],
}

TASKS = {"default": {"BACKEND": env.str("XASO_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

CACHES = {
    # Rate limits need a cache every server process shares: the default is a table in the
    # database (created by `xaso migrate`); CACHE_URL may point to Redis instead.
    "default": env.cache("CACHE_URL", default="dbcache://xaso_cache"),
    # Rate-limit counters: one atomic statement per count in the database
    # (xaso.core.counters); with CACHE_URL set they go to that cache instead.
    "ratelimit": env.cache("CACHE_URL") if env.str("CACHE_URL", default="") else {"BACKEND": "xaso.core.counters.CounterCache"},
}
RATELIMIT_USE_CACHE = "ratelimit"
# Rate limits count the client's address as the audit trail sees it (behind the reverse
# proxy: from X-Forwarded-For, the hop our proxy added), not the proxy's.
RATELIMIT_IP_META_KEY = "xaso.core.middleware.client_ip"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["django_ratelimit.E003", "django_ratelimit.W001"])

# Product settings (see docs/configuration.md).
# The cut-off hour is the procedure's (catalogue); a commune-wide default only where the
# administrator sets one ("15:00"); empty: none.
XASO_DEFAULT_CUTOFF = env.str("XASO_DEFAULT_CUTOFF", default="")
# Working-day calendar (docs/calendar.md).
XASO_WORKING_HOURS = env.str("XASO_WORKING_HOURS", default="07:00-11:30,13:30-17:00")
XASO_CALENDAR_EXTRA_HOLIDAYS = env.bool("XASO_CALENDAR_EXTRA_HOLIDAYS", default=False)  # 24/11, not yet law
XASO_CALENDAR_RECHECK_SECONDS = env.float("XASO_CALENDAR_RECHECK_SECONDS", default=0)
XASO_REFERENCE_CACHE_SECONDS = env.float("XASO_REFERENCE_CACHE_SECONDS", default=30)
# Periodic jobs of `xaso scheduler` (docs/configuration.md): overrides "name=spec;name=spec".
XASO_SCHEDULE = env.str("XASO_SCHEDULE", default="")
XASO_SCHEDULER_TICK_SECONDS = env.float("XASO_SCHEDULER_TICK_SECONDS", default=30)
XASO_CALENDAR_TZ = env.str("XASO_CALENDAR_TZ", default="Asia/Ho_Chi_Minh")
XASO_OTP_TTL_SECONDS = env.int("XASO_OTP_TTL_SECONDS", default=300)
# Citizen login codes: rate limits (django-ratelimit syntax, see docs/accounts.md).
XASO_OTP_RATE_PER_PHONE = env.list("XASO_OTP_RATE_PER_PHONE", default=["3/15m", "10/d"])
XASO_OTP_RATE_PER_IP = env.str("XASO_OTP_RATE_PER_IP", default="20/h")
XASO_OTP_VERIFY_RATE_PER_IP = env.str("XASO_OTP_VERIFY_RATE_PER_IP", default="30/h")
# The admin never shows a TOTP device's secret or QR code (an administrator could otherwise
# copy a leader's second factor); a lost device is deleted and set up again.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
XASO_TWO_FACTOR_REQUIRED_ROLES = env.list("XASO_TWO_FACTOR_REQUIRED_ROLES", default=["admin", "leader"])
# Catalogue (docs/catalog.md): supplement policy of new procedures, "pause" or "restart"
# (QĐ 766 pauses and tolerates one request; NĐ 118/2025 art. 19–20 UNCONFIRMED).
XASO_SUPPLEMENT_MODE = env.str("XASO_SUPPLEMENT_MODE", default="pause")
XASO_SUPPLEMENT_MAX_REQUESTS = env.int("XASO_SUPPLEMENT_MAX_REQUESTS", default=1)
# Dossiers (docs/dossiers.md); an empty folder means the built-in templates.
XASO_DOSSIER_MAX_UPLOAD_MB = env.int("XASO_DOSSIER_MAX_UPLOAD_MB", default=20)
# Largest request body (all the files of one form together); larger ones get a 413 before
# they are read (xaso.core.input_guard).
XASO_MAX_REQUEST_MB = env.int("XASO_MAX_REQUEST_MB", default=100)
XASO_DOSSIER_FORMS_DIR = env.str("XASO_DOSSIER_FORMS_DIR", default="")
XASO_FONT_DIR = env.str("XASO_FONT_DIR", default="/usr/share/fonts/truetype/liberation2")
XASO_LOOKUP_RATE = env.str("XASO_LOOKUP_RATE", default="30/m")
# Wrong keys a dossier code takes from anywhere before it needs a wait (the lookup's
# per-code budget: a key of 4 digits cannot be guessed by spreading over addresses).
XASO_LOOKUP_RATE_PER_CODE = env.str("XASO_LOOKUP_RATE_PER_CODE", default="5/h")
# Files sent (pages and API), per account and per address; files per dossier.
XASO_UPLOAD_RATE = env.str("XASO_UPLOAD_RATE", default="60/h")
XASO_UPLOAD_RATE_PER_IP = env.str("XASO_UPLOAD_RATE_PER_IP", default="300/h")
XASO_DOSSIER_MAX_FILES = env.int("XASO_DOSSIER_MAX_FILES", default=50)
XASO_DOSSIER_MAX_TOTAL_MB = env.int("XASO_DOSSIER_MAX_TOTAL_MB", default=200)
XASO_PORTAL_SYNC_ADAPTER = env.str("XASO_PORTAL_SYNC_ADAPTER", default="xaso.dossiers.portal_sync.DisabledAdapter")
XASO_PORTAL_SYNC_URL = env.str("XASO_PORTAL_SYNC_URL", default="")
XASO_PORTAL_SYNC_TOKEN = env.str("XASO_PORTAL_SYNC_TOKEN", default="")
# Tracking books (Sổ theo dõi hồ sơ): one per receiving unit, year and "field", or per "unit".
XASO_TRACKING_BOOK_PER = env.str("XASO_TRACKING_BOOK_PER", default="field")
# Digital signatures on the issued PDF forms (docs/dossiers.md, xaso.core.signing): "none",
# "sandbox" (self-signed, no legal value: development and demo), "pkcs12" (the unit's
# certificate) or the dotted path of a xaso.core.signing.PdfSigner subclass.
XASO_SIGNING_BACKEND = env.str("XASO_SIGNING_BACKEND", default="sandbox")
XASO_SIGNING_P12 = env.str("XASO_SIGNING_P12", default="")
XASO_SIGNING_P12_PASSWORD = env.str("XASO_SIGNING_P12_PASSWORD", default="")
# Online payment of fees (docs/payments.md). Providers offered (keys of
# xaso.payments.providers.REGISTRY) and each one's settings; the local sandbox gateway only
# when XASO_PAYMENT_SANDBOX is on (make demo; never in production: the deploy check warns).
XASO_PAYMENT_PROVIDERS = env.list("XASO_PAYMENT_PROVIDERS", default=["vnpay"])
XASO_PAYMENT_SANDBOX = env.bool("XASO_PAYMENT_SANDBOX", default=False)
XASO_PAYMENT_SANDBOX_IPN = env.str("XASO_PAYMENT_SANDBOX_IPN", default="task")  # task, now or off
XASO_PAYMENT_SANDBOX_IPN_URL = env.str("XASO_PAYMENT_SANDBOX_IPN_URL", default="")
XASO_PAYMENT_SANDBOX_IPN_RETRY_SECONDS = env.int("XASO_PAYMENT_SANDBOX_IPN_RETRY_SECONDS", default=300)
XASO_VNPAY_TMN_CODE = env.str("XASO_VNPAY_TMN_CODE", default="")
XASO_VNPAY_HASH_SECRET = env.str("XASO_VNPAY_HASH_SECRET", default="")
XASO_VNPAY_PAY_URL = env.str("XASO_VNPAY_PAY_URL", default="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
XASO_VNPAY_API_URL = env.str("XASO_VNPAY_API_URL", default="https://sandbox.vnpayment.vn/merchant_webapi/api/transaction")
XASO_VNPAY_RETURN_URL = env.str("XASO_VNPAY_RETURN_URL", default="")
XASO_VNPAY_EXPIRE_MINUTES = env.int("XASO_VNPAY_EXPIRE_MINUTES", default=15)
XASO_VNPAY_LOCALE = env.str("XASO_VNPAY_LOCALE", default="vn")
XASO_VNPAY_ORDER_TYPE = env.str("XASO_VNPAY_ORDER_TYPE", default="other")
XASO_VNPAY_TIMEOUT = env.float("XASO_VNPAY_TIMEOUT", default=15)
XASO_VNPAY_SERVER_IP = env.str("XASO_VNPAY_SERVER_IP", default="127.0.0.1")
XASO_PAYMENT_QUERY_AFTER_MINUTES = env.int("XASO_PAYMENT_QUERY_AFTER_MINUTES", default=5)
XASO_PAYMENT_GIVE_UP_HOURS = env.int("XASO_PAYMENT_GIVE_UP_HOURS", default=24)
XASO_PAYMENT_LINK_DAYS = env.int("XASO_PAYMENT_LINK_DAYS", default=30)
XASO_PAYMENT_START_RATE = env.str("XASO_PAYMENT_START_RATE", default="20/h")
XASO_FEE_EXEMPTION_ROLES = env.list("XASO_FEE_EXEMPTION_ROLES", default=["leader", "unit_head"])
# Electronic receipts (biên lai điện tử): the defaults of a collecting body's first series,
# to be replaced by the symbols registered with the tax authority (admin: Receipt series).
XASO_RECEIPT_FORM_SYMBOL = env.str("XASO_RECEIPT_FORM_SYMBOL", default="01BLP0-001")
XASO_RECEIPT_LETTERS = env.str("XASO_RECEIPT_LETTERS", default="BL")
XASO_RECEIPT_TAX_CODE = env.str("XASO_RECEIPT_TAX_CODE", default="")
# Citizens' ratings of the service (docs/ratings.md).
XASO_RATING_PROVINCE_TABLE = env.bool("XASO_RATING_PROVINCE_TABLE", default=False)
XASO_RATING_LINK_DAYS = env.int("XASO_RATING_LINK_DAYS", default=30)
XASO_RATING_ANSWER_DAYS = env.int("XASO_RATING_ANSWER_DAYS", default=5)
XASO_RATING_KIOSK_SECONDS = env.int("XASO_RATING_KIOSK_SECONDS", default=600)
XASO_RATING_LAND_FIELDS = env.list("XASO_RATING_LAND_FIELDS", default=["dat dai", "xay dung", "dau tu", "quy hoach"])
# Administrative reform plan (docs/plan.md). Period cut-off and report due days are UNCONFIRMED.
XASO_PLAN_PERIOD_CUTOFF_DAY = env.int("XASO_PLAN_PERIOD_CUTOFF_DAY", default=None)  # None: calendar periods
XASO_PLAN_REPORT_DUE_DAYS = env.int("XASO_PLAN_REPORT_DUE_DAYS", default=5)
XASO_PLAN_REMIND_DAYS_BEFORE = env.list("XASO_PLAN_REMIND_DAYS_BEFORE", cast=int, default=[3, 1])
XASO_PLAN_REMIND_DAYS_AFTER = env.list("XASO_PLAN_REMIND_DAYS_AFTER", cast=int, default=[1, 3, 7])
XASO_PLAN_EVIDENCE_MAX_BYTES = env.int("XASO_PLAN_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
XASO_PLAN_EVIDENCE_EXTENSIONS = [  # compared with the file name's lower-case ".ext"
    "." + ext.strip().lower().lstrip(".")
    for ext in env.list("XASO_PLAN_EVIDENCE_EXTENSIONS", default=[".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".jpg", ".jpeg", ".png"])
    if ext.strip()
]
XASO_PLAN_REPORT_TEMPLATE = env.str("XASO_PLAN_REPORT_TEMPLATE", default="")
XASO_PLAN_REPORT_SYMBOL = env.str("XASO_PLAN_REPORT_SYMBOL", default="BC-UBND")
# "Nơi nhận" lines of the report: a JSON list, as the lines themselves contain commas.
XASO_PLAN_REPORT_RECIPIENTS = env.json(
    "XASO_PLAN_REPORT_RECIPIENTS",
    default=["Sở Nội vụ (để b/c);", "TTr Đảng ủy, HĐND xã (để b/c);", "Chủ tịch, các PCT UBND xã;", "Các phòng, đơn vị trực thuộc xã;", "Lưu: VT, VHXH."],
)

# Citizen portal uploads (docs/portal.md): limits shown before upload; photos downscaled.
XASO_UPLOAD_MAX_FILE_MB = env.int("XASO_UPLOAD_MAX_FILE_MB", default=10)
XASO_UPLOAD_MAX_DOSSIER_MB = env.int("XASO_UPLOAD_MAX_DOSSIER_MB", default=50)
XASO_UPLOAD_MAX_FILES_PER_DOCUMENT = env.int("XASO_UPLOAD_MAX_FILES_PER_DOCUMENT", default=10)
XASO_UPLOAD_PHOTO_MAX_SIDE = env.int("XASO_UPLOAD_PHOTO_MAX_SIDE", default=2000)
XASO_UPLOAD_PHOTO_QUALITY = env.int("XASO_UPLOAD_PHOTO_QUALITY", default=80)
XASO_UPLOAD_MAX_PIXELS = env.int("XASO_UPLOAD_MAX_PIXELS", default=50_000_000)
# Unsubmitted drafts older than this many days are removed by the clean-up job.
XASO_DRAFT_KEEP_DAYS = env.int("XASO_DRAFT_KEEP_DAYS", default=90)
# The commune an online dossier is handled by unless the applicant chooses another (unit code).
XASO_PORTAL_DEFAULT_COMMUNE = env.str("XASO_PORTAL_DEFAULT_COMMUNE", default="ngoc-lien")

# National identity login (VNeID or any OpenID Connect provider; docs/portal.md): the
# authorization code flow with PKCE (S256) and a nonce, through mozilla-django-oidc. Off
# unless a client id is set; the endpoints are given one by one (no discovery).
XASO_OIDC_ISSUER = env.str("XASO_OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("XASO_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("XASO_OIDC_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("XASO_OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("XASO_OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("XASO_OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("XASO_OIDC_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("XASO_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("XASO_OIDC_SCOPES", default="openid profile")
OIDC_TOKEN_USE_BASIC_AUTH = env.str("XASO_OIDC_CLIENT_AUTH", default="client_secret_basic") == "client_secret_basic"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_PKCE_CODE_VERIFIER_SIZE = 64
OIDC_TIMEOUT = env.float("XASO_OIDC_TIMEOUT", default=10.0)
OIDC_CALLBACK_CLASS = "xaso.portal.oidc.CallbackView"
OIDC_AUTHENTICATE_CLASS = "xaso.portal.oidc.AuthenticateView"
# Claim mapping: which claim carries the personal identification number (the account is
# matched on it, never on e-mail), the name, the assurance level; levels as JSON when the
# provider sends names ({"urn:…:loa2": 2}). UNCONFIRMED for VNeID: set them per contract.
XASO_OIDC_ID_CLAIM = env.str("XASO_OIDC_ID_CLAIM", default="sub")
XASO_OIDC_NAME_CLAIM = env.str("XASO_OIDC_NAME_CLAIM", default="name")
XASO_OIDC_BIRTHDATE_CLAIM = env.str("XASO_OIDC_BIRTHDATE_CLAIM", default="birthdate")
XASO_OIDC_LEVEL_CLAIM = env.str("XASO_OIDC_LEVEL_CLAIM", default="acr")
XASO_OIDC_LEVEL_MAP = env.json("XASO_OIDC_LEVEL_MAP", default={})
# From this level the account counts as "verified with VNeID" (TaiKhoanDuocXacThucVoiVNeID).
XASO_OIDC_VERIFIED_MIN_LEVEL = env.int("XASO_OIDC_VERIFIED_MIN_LEVEL", default=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
