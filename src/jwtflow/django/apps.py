"""The ``jwtflow.django`` app: wires settings, checks and the runtime at start-up."""

from __future__ import annotations

import sys

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.core.management import ManagementUtility


class JWTFlowConfig(AppConfig):
    """App config (label ``jwtflow``); ``ready()`` refuses to start on a bad ``JWTFLOW`` setting."""

    name = "jwtflow.django"
    label = "jwtflow"
    verbose_name = "jwtflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register checks, install the runtime provider and validate the settings.

        Under ``manage.py`` (or ``django-admin``) the checks framework reports problems as
        messages: ``check`` lists them all and ``runserver``, ``migrate`` and the other commands
        that run checks stop on them. Any other process (uvicorn, gunicorn, daphne, a script
        calling ``django.setup()``) stops here instead.

        Raises:
            ImproperlyConfigured: a setting is wrong, outside a management command; the message
                names every bad key and its fix.
        """
        from django.core.signals import setting_changed

        from jwtflow import codec, runtime
        from jwtflow.django import checks, conf, usercache

        setting_changed.connect(conf.clear_caches, dispatch_uid="jwtflow-settings")
        usercache.connect_signals()
        runtime.install(conf.get_runtime)
        if _inside_management_command():
            return
        errors = [message for message in checks.check_settings() if message.is_serious()]
        if errors:
            raise ImproperlyConfigured(
                "\n".join(f"{error.id}: {error.msg} {error.hint or ''}".strip() for error in errors)
            )
        # Keys prepared (PyJWT and cryptography imported) now, not on the first request.
        codec.prepare(conf.get_runtime().keys)


def _inside_management_command() -> bool:
    """Whether ``django.setup()`` was called by ``ManagementUtility.execute`` (manage.py)."""
    execute = ManagementUtility.execute.__code__
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is execute:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False
