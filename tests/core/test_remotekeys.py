"""Remote JWKS (``JWKS_URL``): the cache policy with a frozen clock, and real fetches from a
loopback server under both drivers: rate limit, single flight, outages, timeouts."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jwcrypto import jwk as jwcrypto_jwk

from jwtflow import codec, remotekeys, stateless
from jwtflow.clock import FrozenClock
from jwtflow.config import Config
from jwtflow.drivers import run_async, run_sync
from jwtflow.errors import ConfigurationError, StoreUnavailable, TokenError
from jwtflow.keys import KeyRing
from jwtflow.memory import MemoryBlacklistBackend
from jwtflow.remotekeys import FetchKeySet, RemoteKeySet
from jwtflow.runtime import Ports, Runtime
from tests.jwks_server import JWKSServer, serving
from tests.pem import KeyPair

from .helpers import SECRET, Drive

Pem = Callable[[str], KeyPair]


def issuer(pem: Pem, name: str, alg: str, kid: str) -> KeyRing:
    entry = {"alg": alg, "key": pem(name).private, "kid": kid}
    return KeyRing.from_config(Config.from_mapping({"SIGNING_KEYS": [entry]}))


def token(ring: KeyRing, now: float, user_id: int = 1) -> str:
    claims = {"token_type": "access", "jti": f"j{now}", "user_id": user_id}
    return codec.encode({**claims, "iat": int(now), "exp": int(now) + 3600}, ring)


@pytest.fixture
def server() -> Iterator[JWKSServer]:
    with serving() as running:
        yield running


@pytest.fixture
def old(pem: Pem) -> KeyRing:
    return issuer(pem, "ed25519", "EdDSA", "old")


@pytest.fixture
def new(pem: Pem) -> KeyRing:
    return issuer(pem, "p256", "ES256", "new")


@pytest.fixture
def verifier(server: JWKSServer, clock: FrozenClock, old: KeyRing) -> Runtime:
    server.document = old.public_jwks()
    settings = {"JWKS_URL": server.url, "JWKS_ALLOW_HTTP": True, "JWKS_TIMEOUT_SECONDS": 0.5}
    ports = Ports(blacklist=MemoryBlacklistBackend(), users=None)  # type: ignore[arg-type]
    return Runtime.build(Config.from_mapping(settings), ports, clock=clock)


def authenticate(drive: Drive, runtime: Runtime, raw: str) -> Any:
    now = runtime.clock.now()
    flow = remotekeys.with_keys(runtime.keys, raw, now, stateless.authenticate(runtime, raw))
    return drive(flow, runtime.ports)


def remote(runtime: Runtime) -> RemoteKeySet:
    keyset = runtime.keys.remote
    assert isinstance(keyset, RemoteKeySet)
    return keyset


# The policy, with times passed in.


def test_no_jwks_url_no_remote_set() -> None:
    assert RemoteKeySet.from_config(Config.from_mapping({"SIGNING_KEY": SECRET})) is None


def test_jwks_url_without_httpx_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    config = Config.from_mapping({"JWKS_URL": "https://issuer.example/jwks.json"})
    with pytest.raises(ConfigurationError, match=r"pip install 'jwtflow\[jwks\]'") as caught:
        RemoteKeySet.from_config(config)
    assert caught.value.key == "JWKS_URL"


def test_the_policy_decides_when_to_fetch(old: KeyRing) -> None:
    keyset = RemoteKeySet("https://issuer.example/jwks.json", 300, 30, 3)
    assert not keyset.loaded
    assert keyset.wants_fetch(None, 1000)
    keyset.store(old.keys, 1000)
    assert keyset.loaded
    assert keyset.get("old") is old.keys[0]
    assert not keyset.wants_fetch("old", 1100)
    assert not keyset.wants_fetch(None, 1100)
    assert not keyset.wants_fetch("unknown", 1029)
    assert keyset.wants_fetch("unknown", 1030)
    keyset.failed(1030)
    assert not keyset.wants_fetch("unknown", 1059)
    assert keyset.wants_fetch("old", 1300)
    assert keyset.get("old") is old.keys[0]


def test_fetch_if_needed_asks_only_for_what_the_token_needs(old: KeyRing, pem: Pem) -> None:
    local = issuer(pem, "p384", "ES384", "local")
    keyset = RemoteKeySet("https://issuer.example/jwks.json", 300, 30, 3)
    ring = KeyRing(local.keys, b"", keyset)
    raw = token(old, 1000)
    assert list(remotekeys.fetch_if_needed(ring, raw, 1000)) == [FetchKeySet(keyset, "old", 1000)]
    assert list(remotekeys.fetch_if_needed(ring, token(local, 1000), 1000)) == []
    assert list(remotekeys.fetch_if_needed(ring, "not.a.token", 1000)) == []
    assert list(remotekeys.fetch_if_needed(old, raw, 1000)) == []
    header = json.dumps({"alg": "EdDSA", "kid": 7}).encode()
    odd = base64.urlsafe_b64encode(header).rstrip(b"=").decode() + raw[raw.index(".") :]
    assert list(remotekeys.fetch_if_needed(ring, odd, 1000)) == [FetchKeySet(keyset, None, 1000)]


def test_a_ring_waiting_for_its_first_set_is_unavailable(old: KeyRing) -> None:
    keyset = RemoteKeySet("https://issuer.example/jwks.json", 300, 30, 3)
    ring = KeyRing((), b"", keyset)
    with pytest.raises(StoreUnavailable):
        codec.decode(token(old, 1000), ring)


def test_a_token_without_kid_needs_a_set_of_one_key(old: KeyRing, new: KeyRing) -> None:
    keyset = RemoteKeySet("https://issuer.example/jwks.json", 300, 30, 3)
    ring = KeyRing((), b"", keyset)
    keyset.store(old.keys, 1000)
    raw = token(old, 1000)
    header = base64.urlsafe_b64encode(b'{"alg":"EdDSA"}').rstrip(b"=").decode()
    no_kid = header + raw[raw.index(".") :]
    with pytest.raises(TokenError, match="Token signature is invalid"):
        codec.decode(no_kid, ring)  # the one key was tried (the header changed the signed input)
    keyset.store(old.keys + new.keys, 1000)
    with pytest.raises(TokenError, match="several keys"):
        codec.decode(no_kid, ring)


# Real fetches from a loopback server, sync and async.


def test_the_first_token_fetches_the_set(
    drive: Drive, verifier: Runtime, server: JWKSServer, old: KeyRing
) -> None:
    user, _ = authenticate(drive, verifier, token(old, verifier.clock.now()))
    assert user.id == 1
    assert server.requests == 1
    authenticate(drive, verifier, token(old, verifier.clock.now()))
    assert server.requests == 1


def test_unknown_kids_refetch_at_most_once_per_min_refresh(
    drive: Drive,
    verifier: Runtime,
    server: JWKSServer,
    old: KeyRing,
    new: KeyRing,
    clock: FrozenClock,
) -> None:
    authenticate(drive, verifier, token(old, clock.now()))
    with pytest.raises(TokenError, match="key id is not known"):
        authenticate(drive, verifier, token(new, clock.now()))
    assert server.requests == 1  # the set was fetched a moment ago
    clock.advance(30)
    for _ in range(5):
        with pytest.raises(TokenError, match="key id is not known"):
            authenticate(drive, verifier, token(new, clock.now()))
    assert server.requests == 2
    server.document = {"keys": old.public_jwks()["keys"] + new.public_jwks()["keys"]}
    clock.advance(29)
    with pytest.raises(TokenError, match="key id is not known"):
        authenticate(drive, verifier, token(new, clock.now()))
    clock.advance(1)
    user, _ = authenticate(drive, verifier, token(new, clock.now()))
    assert user.id == 1
    assert server.requests == 3


def test_a_stale_set_is_refetched_after_the_cache_time(
    drive: Drive, verifier: Runtime, server: JWKSServer, old: KeyRing, clock: FrozenClock
) -> None:
    authenticate(drive, verifier, token(old, clock.now()))
    clock.advance(299)
    authenticate(drive, verifier, token(old, clock.now()))
    assert server.requests == 1
    clock.advance(1)
    authenticate(drive, verifier, token(old, clock.now()))
    assert server.requests == 2


@pytest.mark.parametrize("outage", ["down", "500", "not json", "not a set", "slow"])
def test_an_unreachable_issuer_leaves_the_cached_set_in_use(
    outage: str,
    drive: Drive,
    verifier: Runtime,
    server: JWKSServer,
    old: KeyRing,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    authenticate(drive, verifier, token(old, clock.now()))
    break_server(server, outage)
    clock.advance(301)
    user, _ = authenticate(drive, verifier, token(old, clock.now()))
    assert user.id == 1
    assert "fetching JWKS_URL" in caplog.text
    assert remote(verifier).wants_fetch("old", clock.now()) is False


@pytest.mark.parametrize("outage", ["down", "500", "not json", "slow"])
def test_no_set_at_all_is_503(
    outage: str, drive: Drive, verifier: Runtime, server: JWKSServer, old: KeyRing
) -> None:
    break_server(server, outage)
    with pytest.raises(StoreUnavailable):
        authenticate(drive, verifier, token(old, verifier.clock.now()))


def break_server(server: JWKSServer, outage: str) -> None:
    if outage == "down":
        server.stop()
    elif outage == "500":
        server.status = 500
    elif outage == "not json":
        server.document = b"<html>"
    elif outage == "not a set":
        server.document = ["no"]
    else:
        server.delay = 1.0  # longer than JWKS_TIMEOUT_SECONDS (0.5)


def test_concurrent_async_requests_share_one_fetch(
    verifier: Runtime, server: JWKSServer, old: KeyRing
) -> None:
    server.delay = 0.2
    raw = token(old, verifier.clock.now())

    async def many() -> list[Any]:
        flows = [
            run_async(
                remotekeys.with_keys(
                    verifier.keys, raw, verifier.clock.now(), stateless.authenticate(verifier, raw)
                ),
                verifier.ports,
            )
            for _ in range(10)
        ]
        return await asyncio.gather(*flows)

    results = asyncio.run(many())
    assert [user.id for user, _ in results] == [1] * 10
    assert server.requests == 1


def test_concurrent_threads_share_one_fetch(
    verifier: Runtime, server: JWKSServer, old: KeyRing
) -> None:
    server.delay = 0.2
    raw = token(old, verifier.clock.now())
    results: list[Any] = []

    def one() -> None:
        flow = remotekeys.with_keys(
            verifier.keys, raw, verifier.clock.now(), stateless.authenticate(verifier, raw)
        )
        results.append(run_sync(flow, verifier.ports))

    threads = [threading.Thread(target=one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 10
    assert server.requests == 1


def test_the_async_fetch_does_not_block_the_event_loop(
    verifier: Runtime, server: JWKSServer, old: KeyRing
) -> None:
    server.delay = 0.3
    raw = token(old, verifier.clock.now())
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1

    async def both() -> None:
        flow = remotekeys.with_keys(
            verifier.keys, raw, verifier.clock.now(), stateless.authenticate(verifier, raw)
        )
        await asyncio.gather(run_async(flow, verifier.ports), ticker())

    asyncio.run(both())
    assert ticks == 20
    assert server.requests == 1


def test_jwks_keys_from_the_jwcrypto_format_verify(
    drive: Drive, verifier: Runtime, server: JWKSServer, pem: Pem, clock: FrozenClock
) -> None:
    foreign = json.loads(jwcrypto_jwk.JWK.from_pem(pem("rsa").public).export_public())
    server.document = {"keys": [{**foreign, "kid": "rsa", "alg": "PS256"}]}
    ring = issuer(pem, "rsa", "PS256", "rsa")
    user, _ = authenticate(drive, verifier, token(ring, clock.now(), user_id=9))
    assert user.id == 9
