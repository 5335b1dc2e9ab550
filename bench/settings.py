"""Django settings of a benchmark process: common ones plus the adapter's for its profile.

The library and profile come from the environment (``BENCH_LIB``, ``BENCH_PROFILE``,
``BENCH_DIR``), so worker processes and uvicorn workers read identical settings.
"""

from __future__ import annotations

from typing import Any

from bench.libs import load
from bench.libs.base import Context

_CTX = Context.from_environ()

SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
MIDDLEWARE: list[str] = []
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"]
# Logging in is timed for nobody; a cheap hasher keeps set-up short and equal for all.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES: dict[str, Any] = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(_CTX.database),
        "OPTIONS": {"timeout": 30},
    }
}
CACHES: dict[str, Any] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if _CTX.redis_url:
    CACHES["redis"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _CTX.redis_url,
        "KEY_PREFIX": f"bench-{_CTX.lib}-{_CTX.workdir.name}",
    }
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

_extra = load(_CTX.lib).settings(_CTX)
INSTALLED_APPS += _extra.pop("INSTALLED_APPS", [])
REST_FRAMEWORK.update(_extra.pop("REST_FRAMEWORK", {}))
globals().update(_extra)
