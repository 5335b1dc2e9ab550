"""The dotted paths the settings have always used for the Django stores.

``ModelBlacklistBackend`` lives in :mod:`jwtflow.django.model_store` and
``CacheBlacklistBackend`` in :mod:`jwtflow.django.cache_store`; both are importable from here.
"""

from __future__ import annotations

from jwtflow.django.cache_store import CacheBlacklistBackend
from jwtflow.django.model_store import ModelBlacklistBackend

__all__ = ["CacheBlacklistBackend", "ModelBlacklistBackend"]
