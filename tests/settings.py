"""Django settings for the test suite.

``JWTFLOW_TEST_DB`` picks the database: ``sqlite`` (default, a file in a temp dir so threads
share it) or ``postgres`` (``JWTFLOW_TEST_PG_HOST`` / ``_PORT`` / ``_USER``).
``JWTFLOW_TEST_REDIS_URL`` enables the Redis cache used by the Redis-marked tests.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

SECRET_KEY = "tests-only-not-a-secret"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "jwtflow.django",
    "tests.testapp",
]
MIDDLEWARE: list[str] = []

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_DB = os.environ.get("JWTFLOW_TEST_DB", "sqlite")
if _DB == "postgres":
    DATABASES: dict[str, Any] = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "jwtflow",
            "USER": os.environ.get("JWTFLOW_TEST_PG_USER", "postgres"),
            "HOST": os.environ.get("JWTFLOW_TEST_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("JWTFLOW_TEST_PG_PORT", "5432"),
            "TEST": {"NAME": "jwtflow_test"},
        }
    }
elif _DB == "sqlite":
    _DB_DIR = Path(tempfile.gettempdir()) / "jwtflow-tests"
    _DB_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_DB_DIR / f"main-{os.getpid()}.sqlite3"),
            # A file, not :memory:, so concurrent threads see one database and wait on its lock;
            # the test runner deletes it at the end.
            "TEST": {"NAME": str(_DB_DIR / f"test-{os.getpid()}.sqlite3")},
            "OPTIONS": {"timeout": 30},
        }
    }
else:
    raise RuntimeError(f"JWTFLOW_TEST_DB must be 'sqlite' or 'postgres', not {_DB!r}")

CACHES: dict[str, Any] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
REDIS_URL = os.environ.get("JWTFLOW_TEST_REDIS_URL")
if REDIS_URL:
    CACHES["redis"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "jwtflow-tests",
    }

# 48 random-looking bytes: long enough for HS256 and HS384.
TEST_SIGNING_KEY = "tests-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"
JWTFLOW = {"SIGNING_KEY": TEST_SIGNING_KEY}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["jwtflow.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
