"""Settings for the 七彩工程 portfolio, read from the environment.

SQLite under ``var/`` is the embedded default; ``DATABASE_URL=postgres://…``
switches to PostgreSQL. The production settings are the default and require
``SECRET_KEY``; ``DEBUG=1`` asks for development mode.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import CSV, XLSX

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QICAI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# Production is the default: a bare `gunicorn qicai.wsgi` must never serve tracebacks.
# Development asks for DEBUG=1 explicitly (`make run` does).
DEBUG = env_bool("DEBUG", False)

# Management commands that neither serve requests nor sign anything (a migrations check on a bare
# machine, compiling messages, collecting static files) run without a key: they get a throwaway one.
OFFLINE_COMMANDS = {
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "makemessages",
    "compilemessages",
    "collectstatic",
    "help",
    "version",
    # Backups read and write the database and media only (qicai/backup.py); a cron job needs no key.
    "backup",
    "restore",
}


def offline_command(argv: list[str]) -> bool:
    """Whether this process is ``manage.py <command>`` for one of ``OFFLINE_COMMANDS``."""
    return len(argv) > 1 and Path(argv[0]).name == "manage.py" and argv[1] in OFFLINE_COMMANDS


SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY and not DEBUG and offline_command(sys.argv):
    SECRET_KEY = secrets.token_urlsafe(50)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment (DEBUG is off by default). "
            "For development run with DEBUG=1, as `make run` does."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "qicai.apps.QicaiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "projects",
    "awards",
    "qicai",
]

MIDDLEWARE = [
    "qicai.request_log.RequestLogMiddleware",  # first: it times and logs everything below it
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qicai.middleware.DefaultChineseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "projects.access_log.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qicai.middleware.SessionIdleTimeoutMiddleware",
    "qicai.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qicai.urls"
WSGI_APPLICATION = "qicai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qicai.portal.context.portal",
            ],
        },
    },
]

# Widgets' markup written in Python for the plain inputs and selects (qicai/widgets.py): the same HTML
# as Django's templates, without a template include per widget and per option.
FORM_RENDERER = "qicai.widgets.QuickRenderer"

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))}
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # PostgreSQL's JIT compiles the plan of any query it estimates as costly: 10 ms of compiling for a
        # 6 ms count at city scale, and every cold page slower with it than without (issue 16's bench).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # Wait for a writer instead of failing at once with "database is locked".
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "qicai.passwords.MinimumLengthValidator"},  # Django's, with a message that has a translation
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "qicai.passwords.OwnNameValidator"},
]

# Lock a username from one address, not the whole office behind one NAT, and not forever.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
axes_cooloff_minutes = env_int("AXES_COOLOFF_MINUTES", 30)
AXES_COOLOFF_TIME = axes_cooloff_minutes / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
# ...and an account from every address after this many failures within the window (qicai/lockout.py).
AXES_HANDLER = "qicai.lockout.AccountLockoutHandler"
QICAI_ACCOUNT_FAILURE_LIMIT = env_int("QICAI_ACCOUNT_FAILURE_LIMIT", 20)
QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES = env_int("QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES", 30)
if axes_cooloff_minutes < QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES:
    raise ImproperlyConfigured(
        "QICAI_ACCOUNT_FAILURE_WINDOW_MINUTES may not exceed AXES_COOLOFF_MINUTES: "
        "axes keeps failed attempts only for the cool-off."
    )
# Every failure (user name, address, whether it was locked out) stays readable in the admin.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Accounts: two-factor sign-in (qicai.two_factor) and idle accounts (qicai.accounts).
# Superusers and holders of the reveal permission must sign in with an authenticator app's code (TOTP)
# or a recovery code; required by default in production, off in development (`make run`).
QICAI_REQUIRE_2FA = env_bool("QICAI_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "七彩工程")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A wrong code is a failed login for axes too: keep the typed code out of its records.
AXES_SENSITIVE_PARAMETERS = ["otp_token"]
# Accounts without a login for this many days are deactivated (never deleted); 0 disables.
QICAI_ACCOUNT_IDLE_DAYS = env_int("QICAI_ACCOUNT_IDLE_DAYS", 90)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("英文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (signed scans, photos, imports, printed documents) live outside the static path and are
# served only through views that check the viewer's scope, by the storage API alone: the local file
# system under MEDIA_ROOT by default, or S3-compatible object storage shared by several app servers
# (QICAI_MEDIA_STORAGE=s3; docs/deploy.md). The objects stay private: no public ACL, no signed URLs.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
QICAI_MEDIA_STORAGE = env_str("QICAI_MEDIA_STORAGE", "local").strip().lower()
if QICAI_MEDIA_STORAGE == "s3":
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("QICAI_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by django-storages itself.
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,  # MinIO and the like
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "location": env_str("AWS_LOCATION"),  # a key prefix inside the bucket
            "default_acl": None,  # the bucket's own (private) policy
            "querystring_auth": False,  # no URLs are handed out: downloads go through the scoped views
            "file_overwrite": False,  # a second file of the same name gets a new name, as on disk
        },
    }
elif QICAI_MEDIA_STORAGE in ("local", ""):
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("QICAI_MEDIA_STORAGE must be local or s3.")
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The portal's sign-in page (the admin keeps its own at /admin/login/); both land on the dashboard.
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"
# The district the programme serves, shown beside the programme's name in every header.
QICAI_DISTRICT = env_str("QICAI_DISTRICT", "江城区")

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "qicai@localhost")

# Import and export in the admin need the model's own permissions, not just staff status.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"  # app.import_<model>, granted by projects/roles.py
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"  # app.export_<model>
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Background work (large imports, reports): django-tasks with its database backend, so one machine
# runs on SQLite and several workers share PostgreSQL. `make run` starts a worker beside the server
# (`manage.py db_worker`).
TASKS = {"default": {"BACKEND": env_str("QICAI_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Imports: the largest file accepted (checked before it is read), how long an abandoned upload is kept,
# and the size below which a file is checked and imported within the request instead of by the worker.
QICAI_IMPORT_MAX_BYTES = env_int("QICAI_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
QICAI_IMPORT_KEEP_HOURS = env_int("QICAI_IMPORT_KEEP_HOURS", 24)
QICAI_IMPORT_INLINE_BYTES = env_int("QICAI_IMPORT_INLINE_BYTES", 256 * 1024)
# Printed documents made in the background (a round's certificates, the annual report): those expected to
# run to at most this many pages are made within the request instead; one left unfinished this long (a
# worker that died) is made again when asked for.
QICAI_DOCUMENT_INLINE_PAGES = env_int("QICAI_DOCUMENT_INLINE_PAGES", 20)
QICAI_DOCUMENT_STALLED_MINUTES = env_int("QICAI_DOCUMENT_STALLED_MINUTES", 30)
# /readyz calls the task queue degraded (still ready) when its oldest ready task waits longer than this.
QICAI_READY_QUEUE_STALLED_SECONDS = env_int("QICAI_READY_QUEUE_STALLED_SECONDS", 300)
# Excel first: a CSV opened in a Chinese Excel needs a BOM and still mangles long numbers.
EXPORT_FORMATS = [XLSX, CSV]

DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# -- transport: HTTPS, cookies, HSTS -------------------------------------------------------------------
# Production behind an HTTPS proxy sets BEHIND_HTTPS_PROXY=1 and the three SECURE_HSTS_* variables; an
# HTTP-only intranet sets SECURE_COOKIES=0 and silences the four checks that only HTTPS can answer
# (SILENCED_SYSTEM_CHECKS=security.W004,security.W008,security.W012,security.W016). README: 安全响应头.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    # The proxy terminates TLS and says so in X-Forwarded-Proto (it must overwrite a client's own).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_HTTPS_PROXY else None
    # A plain-HTTP request that reached Django is sent to HTTPS; the load balancer's health checks,
    # which speak HTTP to the app server directly, are not.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_HTTPS_PROXY)
    SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", r"^healthz$,^readyz$")
    # HSTS is a promise browsers keep for SECURE_HSTS_SECONDS: set it only once HTTPS works for good
    # (start with 300, then 31536000). Sent only on HTTPS responses.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Checks an operator has answered otherwise (an HTTP-only intranet), e.g. "security.W004,security.W008".
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

# -- headers and cookies, the same in development and production ---------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # the admin's related-object popups are same-origin
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: the admin and the portal post the form's hidden csrfmiddlewaretoken.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from our own static files
# (charts are data: SVG images), no inline script, style element or attribute anywhere, in development too
# so that anything that needs 'unsafe-inline' breaks where it is written. json_script's
# <script type="application/json"> is data, not executed, and needs nothing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "frame-src": [NONE],
        "worker-src": [NONE],
        "manifest-src": [SELF],
    }
}
if env_str("CSP_REPORT_URI"):  # a collector of violation reports, if the operator runs one
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [env_str("CSP_REPORT_URI")]

# Permissions-Policy (django-permissions-policy): no page needs a device or a payment sheet.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Argon2 for new and changed passwords; the others still verify older hashes, which are re-hashed with
# Argon2 at the user's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# An absolute lifetime, pinned at login, and an idle timeout (qicai.middleware).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)

# Logs go to standard error: one JSON object a line in production (LOG_FORMAT=json, the default when DEBUG
# is off), plain text in development. qicai.request_log writes one line per request (method, path without
# its query string, status, duration, user id, request id) on the logger "qicai.request"; the request id
# is added to every record logged while the request runs, exceptions included.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
JSON_LOG_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
    "datefmt": "%Y-%m-%dT%H:%M:%S%z",
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "qicai.request_log.RequestIdFilter"}},
    "formatters": {
        "json": JSON_LOG_FORMATTER,
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own per-request 4xx/5xx warnings repeat what qicai.request logs; errors (with their
        # tracebacks) still come through django.request at ERROR.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # A line per page of every printed document: qicai.pdf listens there for progress instead.
        "weasyprint.progress": {"level": "INFO", "propagate": False},
    },
}

QICAI_DEMO_PASSWORD = env_str("QICAI_DEMO_PASSWORD", "qicai-demo-2013")
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)
QICAI_BASE_URL = env_str("QICAI_BASE_URL", "http://127.0.0.1:8000")
SIMPLE_HISTORY_REVERT_DISABLED = True  # a revert would bypass the workflow
QICAI_SCAN_MAX_BYTES = env_int("QICAI_SCAN_MAX_BYTES", 20 * 1024 * 1024)
# Searches by full ID number are logged and limited: each answers whether a typed number is one of the user's cases.
QICAI_ID_LOOKUPS_PER_HOUR = env_int("QICAI_ID_LOOKUPS_PER_HOUR", 30)
# The unusual-reading list (异常查阅) flags a user's day when they opened at least this many case files ...
QICAI_UNUSUAL_READS_MIN = env_int("QICAI_UNUSUAL_READS_MIN", 20)
# ... and more than this many times their caseload (a decimal, e.g. 2 or 1.5).
QICAI_UNUSUAL_READS_RATIO = float(os.environ.get("QICAI_UNUSUAL_READS_RATIO", "2"))
QICAI_PHOTO_MAX_BYTES = env_int("QICAI_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
# How long after an evaluation is finalised its evaluators keep read access to the project.
QICAI_EVALUATOR_GRACE_DAYS = env_int("QICAI_EVALUATOR_GRACE_DAYS", 30)
# 待办: a unit's open case counts as waiting when its last follow-up (or intake) is older than this.
QICAI_FOLLOW_UP_DAYS = env_int("QICAI_FOLLOW_UP_DAYS", 30)
