"""The ``jwtflow.django`` app: wires settings, checks and the runtime at start-up."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class JWTFlowConfig(AppConfig):
    """App config (label ``jwtflow``); ``ready()`` refuses to start on a bad ``JWTFLOW`` setting."""

    name = "jwtflow.django"
    label = "jwtflow"
    verbose_name = "jwtflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register checks, install the runtime provider and validate the settings.

        Raises:
            ImproperlyConfigured: a setting is wrong; the message names the key and the fix.
        """
        from django.core.signals import setting_changed

        from jwtflow import runtime
        from jwtflow.django import checks, conf

        setting_changed.connect(conf.clear_caches, dispatch_uid="jwtflow-settings")
        runtime.install(conf.get_runtime)
        errors = [message for message in checks.check_settings() if message.is_serious()]
        if errors:
            raise ImproperlyConfigured(
                "\n".join(f"{error.id}: {error.msg} {error.hint or ''}".strip() for error in errors)
            )
