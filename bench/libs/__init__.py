"""The libraries under test, each behind an adapter with the interface of :class:`Adapter`."""

from __future__ import annotations

import importlib
import importlib.util

from bench.libs.base import Adapter

#: Column order of the table: jwtflow first, the peers, then the floor.
LIBS = ("jwtflow", "simplejwt", "restflow", "floor")
#: The importable package each library needs; a library whose package is missing is left out.
PACKAGES = {
    "jwtflow": "jwtflow",
    "simplejwt": "rest_framework_simplejwt",
    "restflow": "restflow",
    "floor": "django",
}


def available(name: str) -> bool:
    """Whether the package of library ``name`` is importable in this interpreter."""
    return importlib.util.find_spec(PACKAGES[name]) is not None


def load(name: str) -> Adapter:
    """Return the adapter of library ``name`` (its module is imported on first use)."""
    module = importlib.import_module(
        f"bench.libs.{name}_lib" if name != "floor" else "bench.libs.floor"
    )
    adapter: Adapter = module.ADAPTER
    return adapter
