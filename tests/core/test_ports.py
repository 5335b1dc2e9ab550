"""BlacklistBackend derives its async twins from the sync methods with a thread hop."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest

from jwtflow.config import Config
from jwtflow.memory import MemoryBlacklistBackend
from jwtflow.ports import BlacklistBackend

from .helpers import SECRET

WHEN = datetime(2100, 1, 1, tzinfo=UTC)


class SetBlacklist(BlacklistBackend):
    """A sync-only backend that remembers the thread its methods ran on."""

    def __init__(self) -> None:
        self.jtis: dict[str, datetime] = {}
        self.threads: set[int] = set()

    def blacklist(self, jti: str, *, expires_at: datetime) -> bool:
        self.threads.add(threading.get_ident())
        added = jti not in self.jtis
        self.jtis.setdefault(jti, expires_at)
        return added

    def is_blacklisted(self, jti: str) -> bool:
        self.threads.add(threading.get_ident())
        return jti in self.jtis


def test_async_twins_give_the_sync_answers() -> None:
    backend = SetBlacklist()

    async def scenario() -> list[bool]:
        return [
            await backend.ais_blacklisted("j"),
            await backend.ablacklist("j", expires_at=WHEN),
            await backend.ablacklist("j", expires_at=WHEN),
            await backend.ais_blacklisted("j"),
        ]

    assert asyncio.run(scenario()) == [False, True, False, True]
    assert backend.jtis == {"j": WHEN}


def test_async_twins_run_the_sync_methods_off_the_event_loop_thread() -> None:
    backend = SetBlacklist()

    async def scenario() -> int:
        await backend.ablacklist("j", expires_at=WHEN)
        await backend.ais_blacklisted("j")
        return threading.get_ident()

    loop_thread = asyncio.run(scenario())
    assert backend.threads
    assert loop_thread not in backend.threads


def test_the_backend_is_abstract() -> None:
    with pytest.raises(TypeError):
        BlacklistBackend()  # type: ignore[abstract]


def test_a_backend_must_implement_both_sync_methods() -> None:
    class HalfBlacklist(BlacklistBackend):
        def is_blacklisted(self, jti: str) -> bool:
            return False

    with pytest.raises(TypeError):
        HalfBlacklist()  # type: ignore[abstract]


def test_from_config_builds_a_fresh_backend_by_default() -> None:
    config = Config.from_mapping({"SIGNING_KEY": SECRET})
    first, second = SetBlacklist.from_config(config), SetBlacklist.from_config(config)
    assert isinstance(first, SetBlacklist)
    assert first is not second
    assert isinstance(MemoryBlacklistBackend.from_config(config), MemoryBlacklistBackend)


def test_from_config_may_read_settings() -> None:
    class AliasBlacklist(SetBlacklist):
        def __init__(self, alias: str = "") -> None:
            super().__init__()
            self.alias = alias

        @classmethod
        def from_config(cls, config: Config) -> AliasBlacklist:
            return cls(config.blacklist_cache_alias)

    config = Config.from_mapping({"SIGNING_KEY": SECRET, "BLACKLIST_CACHE_ALIAS": "tokens"})
    assert AliasBlacklist.from_config(config).alias == "tokens"
