"""yingji settings.

Everything comes from environment variables; the defaults are the embedded
mode started by `make run`: SQLite in ./var, no Redis, a filesystem Celery
broker shared by the web server and the worker on the same machine.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YINGJI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not env_bool("YINGJI_EMBEDDED", True):
        raise ImproperlyConfigured("SECRET_KEY must be set outside the embedded mode")
    # Embedded mode only: a key that is stable for this checkout and never shared.
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text().strip()
    else:
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(50)
        key_file.write_text(SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "yingji.core",
    "yingji.enterprises",
    "yingji.risks",
    "yingji.hazards",
    "yingji.tipoffs",
    "yingji.monitoring",
    "yingji.resources",
    "yingji.incidents",
    "yingji.warnings",
    "yingji.inspections",
    "yingji.plans",
    "yingji.training",
    "yingji.disasters",
    "yingji.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yingji.core.middleware.DatabaseBusyMiddleware",
    "yingji.core.middleware.OwnPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yingji.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "yingji" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yingji.core.context_processors.shell",
            ],
        },
    },
]

# Every select's empty option reads 请选择… (yingji/core/display.py).
FORM_RENDERER = "yingji.core.display.FormRenderer"

WSGI_APPLICATION = "yingji.wsgi.application"
ASGI_APPLICATION = "yingji.asgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'yingji.sqlite3'}")
# Under ASGI, Django advises against persistent connections; pool them outside
# (pgbouncer, which in transaction mode also needs server-side cursors disabled).
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")))}
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the worker read while one of them writes;
        # IMMEDIATE takes the write lock at BEGIN so concurrent writers queue
        # on busy_timeout instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) are a PostgreSQL speedup; SQLite builds the plain index instead.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Unified sign-on (统一身份认证) through the bureau's directory, each off until configured (docs/deployment.md,
# "Unified sign-on"). Local accounts keep working beside them. yingji/core/signon/ holds the backends.
LDAP_SERVER_URI = os.environ.get("LDAP_SERVER_URI", "")
if LDAP_SERVER_URI:
    AUTHENTICATION_BACKENDS.append("yingji.core.signon.ldap.DirectoryLDAPBackend")
AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
AUTH_LDAP_BIND_DN = os.environ.get("LDAP_BIND_DN", "")
AUTH_LDAP_BIND_PASSWORD = os.environ.get("LDAP_BIND_PASSWORD", "")
AUTH_LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
# Without a DN template the user is searched for under LDAP_USER_SEARCH_BASE with LDAP_USER_FILTER.
LDAP_USER_DN_TEMPLATE = os.environ.get("LDAP_USER_DN_TEMPLATE", "")
LDAP_USER_SEARCH_BASE = os.environ.get("LDAP_USER_SEARCH_BASE", "")
LDAP_USER_FILTER = os.environ.get("LDAP_USER_FILTER", "(uid=%(user)s)")
LDAP_GROUP_SEARCH_BASE = os.environ.get("LDAP_GROUP_SEARCH_BASE", "")
LDAP_GROUP_TYPE = os.environ.get("LDAP_GROUP_TYPE", "groupOfNames")  # or posixGroup, groupOfUniqueNames
# Seconds to wait for the directory to connect and to answer each operation: a directory that is down or hangs
# fails the sign-in quickly with a clear message instead of holding the login page.
LDAP_TIMEOUT = float(os.environ.get("LDAP_TIMEOUT", "3"))
LDAP_ATTRIBUTE_REAL_NAME = os.environ.get("LDAP_ATTRIBUTE_REAL_NAME", "cn")
LDAP_ATTRIBUTE_MOBILE = os.environ.get("LDAP_ATTRIBUTE_MOBILE", "mobile")
LDAP_ATTRIBUTE_EMAIL = os.environ.get("LDAP_ATTRIBUTE_EMAIL", "mail")

OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("yingji.core.signon.oidc.DirectoryOIDCBackend")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
# Endpoints: from the provider's discovery document, or each one given (a given one wins).
OIDC_OP_DISCOVERY_URL = os.environ.get("OIDC_OP_DISCOVERY_URL", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile")
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "5"))
OIDC_USE_PKCE = True
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_AUTHENTICATION_CALLBACK_URL = "signon:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "login"

# Directory groups to roles, as JSON: {"group name or DN": "role" or ["role", ...]}, roles named as in
# yingji/core/roles.py. The jurisdiction comes from an attribute (LDAP) or claim (OIDC, CAS) holding a division
# code (6, 9 or 12 digits) or an enterprise's unified social credit code.
SSO_GROUP_ROLES = os.environ.get("SSO_GROUP_ROLES", "")
SSO_REGION_ATTRIBUTE = os.environ.get("SSO_REGION_ATTRIBUTE", "")
SSO_ENTERPRISE_ATTRIBUTE = os.environ.get("SSO_ENTERPRISE_ATTRIBUTE", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yingji.core.passwords.CharacterClassValidator"},
]

# Login throttling: five failures for one username from one address lock it
# for AXES_COOLOFF_MINUTES; the lockout page says when to try again.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
# The client address of every lockout and throttle (yingji/core/client_ip.py). X-Forwarded-For is read only
# behind this many trusted proxies, and then only the entry the outermost of them appended; 0 ignores it.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "yingji.core.client_ip.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "yingji" / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "yingji" / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# Uploaded attachments: checked by their content (not their name) and size.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
ATTACHMENT_ALLOWED_TYPES = env_list(
    "ATTACHMENT_ALLOWED_TYPES",
    "application/pdf,image/jpeg,image/png,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
# Excel imports larger than this are refused before parsing.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# ...and so are workbooks that unpack to more than this (a zip bomb), more rows of data than this (split the
# file), and rows after this many blank rows in a row (a sheet can declare millions of empty rows).
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", str(50 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
IMPORT_MAX_BLANK_ROWS = int(os.environ.get("IMPORT_MAX_BLANK_ROWS", "1000"))
# Rows written per transaction, so an import holds the (SQLite: whole-database) write lock only briefly.
IMPORT_BATCH_ROWS = int(os.environ.get("IMPORT_BATCH_ROWS", "100"))
# Larger imports and exports run as background jobs with a progress page (yingji/core/jobs.py).
IMPORT_BACKGROUND_BYTES = int(os.environ.get("IMPORT_BACKGROUND_BYTES", str(256 * 1024)))
# A background import may hold more rows than one in a request (IMPORT_MAX_ROWS): 20,000 people in one file.
IMPORT_BACKGROUND_MAX_ROWS = int(os.environ.get("IMPORT_BACKGROUND_MAX_ROWS", "50000"))
EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS", "10000"))

REDIS_URL = os.environ.get("REDIS_URL", "")
# "throttle" holds rate-limit counters (yingji/core/throttling.py) and must be shared by every process: Redis,
# or without it a database table (created after `migrate`), never a per-process memory cache.
THROTTLE_CACHE_TABLE = os.environ.get("THROTTLE_CACHE_TABLE", "yingji_throttle_cache")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                     "KEY_PREFIX": "throttle"},
        "jobs": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "jobs"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": THROTTLE_CACHE_TABLE,
                     "OPTIONS": {"MAX_ENTRIES": 100000}},
        # The progress of a background job writing in one long transaction, which SQLite's single writer keeps out
        # of the database until it commits (yingji/core/jobs.py `JobProgress`): files the web and worker share.
        "jobs": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(VAR_DIR / "cache" / "jobs")},
    }

# Celery: Redis in production; in the embedded mode a filesystem queue under
# var/ lets the web process and the worker share tasks without any server.
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "deadline-sweep": {"task": "yingji.core.tasks.sweep", "schedule": float(os.environ.get("SWEEP_SECONDS", "60"))},
    # The outbox's backstop in Celery: retries and the effects of processes that died (see OUTBOX_* below).
    "outbox-drain": {"task": "yingji.core.tasks.drain_outbox",
                     "schedule": float(os.environ.get("OUTBOX_BEAT_SECONDS", "10"))},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["yingji.core.rest.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "yingji.core.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "yingji.core.filters.ScopedFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("TOKEN_THROTTLE", "20/min")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "yingji.core.rest.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "应急管理综合应用平台 API",
    "DESCRIPTION": "REST API。认证：会话（浏览器）或 `Authorization: Token <token>`（系统对接）。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

FILTERS_EMPTY_CHOICE_LABEL = "全部"

# Map: no tiles by default (intranets have none); set to e.g.
# "http://tiles.intranet/{z}/{x}/{y}.png" where a tile server exists.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")


def tile_origin(url: str) -> str:
    """The CSP source of a Leaflet tile URL template: "http://{s}.tiles.intranet/{z}/..." -> "http://*.tiles.intranet"."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].replace('{s}', '*')}" if rest else ""


# Content-Security-Policy on every response: scripts only from our own static files (no inline script, no
# eval, no inline event handlers; pages pass data with json_script and data- attributes). Styles keep
# 'unsafe-inline' because Leaflet, ECharts and the Swagger UI write style attributes and <style> blocks; images
# allow data: and blob: for Leaflet's and ECharts' generated images, plus the tile server when one is set.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *filter(None, [tile_origin(MAP_TILE_URL)])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo@2026")
# YINGJI_DEMO=0: `make run` starts an empty platform and prints a one-time setup link (docs/onboarding-data.md).
DEMO_ENABLED = env_bool("YINGJI_DEMO", True)
PLATFORM_NAME = os.environ.get("PLATFORM_NAME", "应急管理综合应用平台")
# Region and boundary tables are imported whole (all or nothing), so their cap is a province's table, not a sheet's.
DIVISION_IMPORT_MAX_BYTES = int(os.environ.get("DIVISION_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# Where the operator's nightly backups land; the setup checklist looks for one from the last two days.
BACKUP_DIR = os.environ.get("BACKUP_DIR", "")
DIVISION_IMPORT_MAX_ROWS = int(os.environ.get("DIVISION_IMPORT_MAX_ROWS", "1000000"))

# Per-app operating figures (docs/deployment.md lists them with their meaning).
COCKPIT_POLL_SECONDS = int(os.environ.get("COCKPIT_POLL_SECONDS", "30"))
DISASTERS_FWI_MAX_GAP_DAYS = int(os.environ.get("DISASTERS_FWI_MAX_GAP_DAYS", "3"))
DISASTERS_FIRE_WARNING_MIN_LEVEL = int(os.environ.get("DISASTERS_FIRE_WARNING_MIN_LEVEL", "4"))
MONITORING_ONLINE_THRESHOLD = float(os.environ.get("MONITORING_ONLINE_THRESHOLD", "90"))
MONITORING_ONLINE_ROLLUP_MINUTES = int(os.environ.get("MONITORING_ONLINE_ROLLUP_MINUTES", "10"))
MONITORING_ONLINE_SETTLE_MINUTES = int(os.environ.get("MONITORING_ONLINE_SETTLE_MINUTES", "10"))
# Live pages (yingji/core/live.py): "redis" or "database"; empty picks redis when REDIS_URL is set.
# The outbox (yingji/core/outbox.py, docs/deployment.md): side effects stored with the change that causes them.
OUTBOX_INLINE = env_bool("OUTBOX_INLINE", True)
OUTBOX_POLL_SECONDS = float(os.environ.get("OUTBOX_POLL_SECONDS", "1"))
OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", "60"))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "12"))
OUTBOX_BACKOFF_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_SECONDS", "5"))
OUTBOX_BACKOFF_MAX_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_MAX_SECONDS", "3600"))
OUTBOX_BATCH = int(os.environ.get("OUTBOX_BATCH", "10"))
OUTBOX_KEEP_DAYS = float(os.environ.get("OUTBOX_KEEP_DAYS", "7"))

LIVE_BACKEND = os.environ.get("LIVE_BACKEND", "")
LIVE_STREAM_SECONDS = float(os.environ.get("LIVE_STREAM_SECONDS", "120"))
LIVE_HEARTBEAT_SECONDS = float(os.environ.get("LIVE_HEARTBEAT_SECONDS", "15"))
LIVE_POLL_SECONDS = float(os.environ.get("LIVE_POLL_SECONDS", "0.25"))
LIVE_KEEP_SECONDS = float(os.environ.get("LIVE_KEEP_SECONDS", "300"))
PLAN_REVISION_NOTICE_DAYS = int(os.environ.get("PLAN_REVISION_NOTICE_DAYS", "30"))
# "plan=0,draw=1,inspection=7": days after which each kind of record appears on the public 一公开 page.
INSPECTIONS_PUBLICATION_DELAYS = {
    kind: int(days)
    for kind, days in (item.split("=", 1) for item in env_list("INSPECTIONS_PUBLICATION_DELAYS", "plan=0,draw=1,inspection=7"))
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}
