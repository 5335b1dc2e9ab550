"""Settings for the jwtflow demo project.

Safe by default: DEBUG is off unless JWTFLOW_DEMO_DEBUG=1, and the server only answers to
localhost. The secrets below are placeholders for a local demo; never deploy them.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("JWTFLOW_DEMO_DEBUG") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

# Demo-only values, overridable from the environment.
SECRET_KEY = os.environ.get(
    "JWTFLOW_DEMO_SECRET_KEY", "demo-only-django-secret-key-not-for-production"
)
JWTFLOW = {
    "SIGNING_KEY": os.environ.get(
        "JWTFLOW_DEMO_SIGNING_KEY", "demo-only-jwtflow-signing-key-do-not-use-in-production"
    ),
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "jwtflow.django",
    "demo_project",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "demo_project.urls"
ASGI_APPLICATION = "demo_project.asgi.application"
WSGI_APPLICATION = "demo_project.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("JWTFLOW_DEMO_DB", str(BASE_DIR / "db.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["jwtflow.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the demo is driven with curl and has no templates or static files.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
