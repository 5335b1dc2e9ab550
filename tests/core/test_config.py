"""Config.from_mapping: every key, valid and invalid, and the cross-field rules."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from datetime import timedelta
from typing import Any

import pytest

from jwtflow.config import (
    ALGORITHMS,
    DEFAULT_BLACKLIST_BACKEND,
    DEFAULT_RULE,
    RESERVED_CLAIMS,
    Config,
    problems,
)
from jwtflow.errors import ConfigurationError

from .helpers import SECRET


def build(**settings: Any) -> Config:
    return Config.from_mapping({"SIGNING_KEY": SECRET, **settings})


def refused(key: str, **settings: Any) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as caught:
        build(**settings)
    assert caught.value.key == key
    return caught.value


def test_defaults_follow_the_contract() -> None:
    config = build()
    assert config == Config(signing_key=SECRET)
    assert config.verifying_key is None
    assert config.algorithm == "HS256"
    assert config.access_token_lifetime == timedelta(minutes=5)
    assert config.refresh_token_lifetime == timedelta(days=1)
    assert config.issuer is None
    assert config.audience is None
    assert config.leeway == 0.0
    assert config.user_id_claim == "user_id"
    assert config.user_id_field == "id"
    assert config.user_id_field_allowlist == ("id", "pk", "uuid", "username", "email")
    assert config.auth_header_types == ("Bearer",)
    assert config.check_user_is_active is True
    assert config.check_revoke_token is False
    assert config.revoke_token_claim == "hash_password"
    assert config.user_authentication_rule == DEFAULT_RULE
    assert config.blacklist_enabled is True
    assert config.blacklist_backend == DEFAULT_BLACKLIST_BACKEND
    assert config.blacklist_cache_alias == "default"
    assert config.blacklist_allow_locmem is False
    assert config.rotate_refresh_tokens is True


def test_config_is_frozen() -> None:
    config = build()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.algorithm = "HS512"  # type: ignore[misc]


def test_any_mapping_is_accepted() -> None:
    assert Config.from_mapping(OrderedDict(SIGNING_KEY=SECRET)).signing_key == SECRET


@pytest.mark.parametrize("settings", [None, [("SIGNING_KEY", SECRET)], "SIGNING_KEY"])
def test_settings_must_be_a_mapping(settings: Any) -> None:
    with pytest.raises(ConfigurationError, match="must be a dict") as caught:
        Config.from_mapping(settings)
    assert caught.value.key == "*"


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("ACCES_TOKEN_LIFETIME", "ACCESS_TOKEN_LIFETIME"),
        ("REFRESH_TOKEN_LIFETIM", "REFRESH_TOKEN_LIFETIME"),
        ("SIGNING_KY", "SIGNING_KEY"),
        ("ALGORITM", "ALGORITHM"),
        ("BLACKLIST_ENABLE", "BLACKLIST_ENABLED"),
        ("USER_ID_CLAM", "USER_ID_CLAIM"),
    ],
)
def test_unknown_key_suggests_the_close_match(key: str, suggestion: str) -> None:
    error = refused(key, **{key: 1})
    assert "is not a jwtflow setting" in str(error)
    assert f"Did you mean {suggestion!r}?" in str(error)


@pytest.mark.parametrize("key", ["COLOUR", "X", 42])
def test_unknown_key_without_a_close_match_has_no_hint(key: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Config.from_mapping({"SIGNING_KEY": SECRET, key: 1})
    assert caught.value.key == str(key)
    assert "Did you mean" not in str(caught.value)


def test_unknown_keys_are_reported_before_a_missing_signing_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Config.from_mapping({"ACCES_TOKEN_LIFETIME": 60})
    assert caught.value.key == "ACCES_TOKEN_LIFETIME"


@pytest.mark.parametrize(
    "settings", [{}, {"SIGNING_KEY": ""}, {"SIGNING_KEY": b""}, {"SIGNING_KEY": None}]
)
def test_signing_key_is_required(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="is required") as caught:
        Config.from_mapping(settings)
    assert caught.value.key == "SIGNING_KEY"
    assert "jwtflow keygen --alg HS256" in str(caught.value)


@pytest.mark.parametrize("key", ["SIGNING_KEY", "VERIFYING_KEY"])
@pytest.mark.parametrize("value", [SECRET, SECRET.encode()])
def test_key_material_may_be_str_or_bytes(key: str, value: str | bytes) -> None:
    config = build(**{key: value})
    assert getattr(config, key.lower()) == value


def test_verifying_key_may_be_none() -> None:
    assert build(VERIFYING_KEY=None).verifying_key is None


@pytest.mark.parametrize("key", ["SIGNING_KEY", "VERIFYING_KEY"])
@pytest.mark.parametrize("value", [12345, ["secret"], object()])
def test_key_material_of_another_type_is_refused(key: str, value: Any) -> None:
    assert "string or bytes" in str(refused(key, **{key: value}))


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
def test_every_supported_algorithm_is_accepted(algorithm: str) -> None:
    assert build(ALGORITHM=algorithm).algorithm == algorithm


def test_supported_algorithms_are_the_documented_families() -> None:
    assert {"HS256", "RS256", "PS256", "ES256", "EdDSA"} <= ALGORITHMS
    assert not {alg for alg in ALGORITHMS if alg.lower() == "none"}


@pytest.mark.parametrize("value", ["none", "NONE", "None", "nOnE"])
def test_algorithm_none_is_refused_in_any_case(value: str) -> None:
    assert "never allowed" in str(refused("ALGORITHM", ALGORITHM=value))


@pytest.mark.parametrize("value", ["HS1", "hs256", "RS1024", "ES256k", "Ed25519", "", None, 256])
def test_unsupported_algorithm_is_refused_with_the_choices(value: Any) -> None:
    error = refused("ALGORITHM", ALGORITHM=value)
    assert "is not supported" in str(error)
    assert "HS256" in str(error)


@pytest.mark.parametrize("value", [["HS256"], {"alg": "HS256"}])
def test_unhashable_algorithm_is_a_configuration_error(value: Any) -> None:
    refused("ALGORITHM", ALGORITHM=value)


@pytest.mark.parametrize("key", ["ACCESS_TOKEN_LIFETIME", "REFRESH_TOKEN_LIFETIME"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(minutes=10), timedelta(minutes=10)),
        (60, timedelta(seconds=60)),
        (1.5, timedelta(seconds=1.5)),
        (timedelta(days=30), timedelta(days=30)),
    ],
)
def test_lifetimes_take_timedeltas_or_seconds(key: str, value: Any, expected: timedelta) -> None:
    assert getattr(build(**{key: value}), key.lower()) == expected


@pytest.mark.parametrize("key", ["ACCESS_TOKEN_LIFETIME", "REFRESH_TOKEN_LIFETIME"])
@pytest.mark.parametrize("value", [0, -1, 0.0, timedelta(0), timedelta(seconds=-5), float("nan")])
def test_lifetimes_must_be_positive(key: str, value: Any) -> None:
    assert "longer than zero" in str(refused(key, **{key: value}))


@pytest.mark.parametrize("key", ["ACCESS_TOKEN_LIFETIME", "REFRESH_TOKEN_LIFETIME", "LEEWAY"])
@pytest.mark.parametrize("value", ["300", None, True, False, [60]])
def test_durations_must_be_timedeltas_or_numbers(key: str, value: Any) -> None:
    assert "timedelta or a number of seconds" in str(refused(key, **{key: value}))


@pytest.mark.parametrize("value", [float("inf"), 1e20, timedelta(days=3_000_000), 0.5])
def test_lifetime_outside_one_second_to_ten_years_is_refused(value: Any) -> None:
    error = refused("ACCESS_TOKEN_LIFETIME", ACCESS_TOKEN_LIFETIME=value)
    assert "between one second and ten years" in str(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0.0), (10, 10.0), (2.5, 2.5), (timedelta(seconds=30), 30.0), (300, 300.0)],
)
def test_leeway_takes_seconds_or_timedelta(value: Any, expected: float) -> None:
    assert build(LEEWAY=value).leeway == expected


@pytest.mark.parametrize("value", [-1, -0.5, 300.5, 3600, timedelta(minutes=6), float("nan")])
def test_leeway_is_bounded(value: Any) -> None:
    assert "between 0 and 300" in str(refused("LEEWAY", LEEWAY=value))


@pytest.mark.parametrize("value", ["https://issuer.example", None])
def test_issuer_is_an_optional_string(value: str | None) -> None:
    assert build(ISSUER=value).issuer == value


@pytest.mark.parametrize("value", ["", 5, ["https://issuer.example"]])
def test_issuer_must_be_a_non_empty_string(value: Any) -> None:
    assert "non-empty string" in str(refused("ISSUER", ISSUER=value))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("api", ("api",)),
        (["api", "admin"], ("api", "admin")),
        (("api",), ("api",)),
        (frozenset({"api"}), ("api",)),
        ({"api"}, ("api",)),
    ],
)
def test_audience_is_a_string_or_a_list(value: Any, expected: tuple[str, ...] | None) -> None:
    assert build(AUDIENCE=value).audience == expected


@pytest.mark.parametrize("value", [[], (), 5, {"api": 1}, b"api"])
def test_audience_must_be_a_non_empty_list(value: Any) -> None:
    assert "non-empty list of strings" in str(refused("AUDIENCE", AUDIENCE=value))


@pytest.mark.parametrize("value", ["", ["api", ""], ["api", 5], [None]])
def test_audience_items_must_be_non_empty_strings(value: Any) -> None:
    assert "non-empty string" in str(refused("AUDIENCE", AUDIENCE=value))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("USER_ID_CLAIM", "sub"),
        ("USER_ID_FIELD", "email"),
        ("REVOKE_TOKEN_CLAIM", "pwd"),
        ("BLACKLIST_CACHE_ALIAS", "tokens"),
    ],
)
def test_string_settings(key: str, value: str) -> None:
    assert getattr(build(**{key: value}), key.lower()) == value


@pytest.mark.parametrize(
    "key", ["USER_ID_CLAIM", "USER_ID_FIELD", "REVOKE_TOKEN_CLAIM", "BLACKLIST_CACHE_ALIAS"]
)
@pytest.mark.parametrize("value", ["", None, 1, b"user_id"])
def test_string_settings_must_be_non_empty_strings(key: str, value: Any) -> None:
    assert "non-empty string" in str(refused(key, **{key: value}))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(["id", "slug"], ("id", "slug")), ("id", ("id",)), (("pk", "id"), ("pk", "id"))],
)
def test_user_id_field_allowlist(value: Any, expected: tuple[str, ...]) -> None:
    assert build(USER_ID_FIELD_ALLOWLIST=value).user_id_field_allowlist == expected


@pytest.mark.parametrize("field", ["password", "is_staff", "last_login"])
def test_user_id_field_outside_the_allowlist_is_refused(field: str) -> None:
    error = refused("USER_ID_FIELD", USER_ID_FIELD=field)
    assert f"{field!r} is not in USER_ID_FIELD_ALLOWLIST" in str(error)


def test_user_id_field_may_be_added_to_the_allowlist() -> None:
    config = build(USER_ID_FIELD="slug", USER_ID_FIELD_ALLOWLIST=["id", "slug"])
    assert config.user_id_field == "slug"


def test_an_allowlist_without_the_default_field_is_refused() -> None:
    refused("USER_ID_FIELD", USER_ID_FIELD_ALLOWLIST=["email"])


@pytest.mark.parametrize("claim", sorted(RESERVED_CLAIMS))
@pytest.mark.parametrize("key", ["USER_ID_CLAIM", "REVOKE_TOKEN_CLAIM"])
def test_reserved_claim_names_are_refused(key: str, claim: str) -> None:
    assert "a claim jwtflow sets itself" in str(refused(key, **{key: claim}))


def test_user_and_revoke_claims_must_differ() -> None:
    error = refused("REVOKE_TOKEN_CLAIM", USER_ID_CLAIM="uid", REVOKE_TOKEN_CLAIM="uid")
    assert "must differ from USER_ID_CLAIM" in str(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Bearer", ("Bearer",)),
        (["Bearer", "JWT"], ("Bearer", "JWT")),
        (("Token",), ("Token",)),
    ],
)
def test_auth_header_types(value: Any, expected: tuple[str, ...]) -> None:
    assert build(AUTH_HEADER_TYPES=value).auth_header_types == expected


@pytest.mark.parametrize("value", ["Be arer", "Bearer:", "Bëarer", "Bearer-JWT", ["Bearer", "x y"]])
def test_auth_header_types_must_be_scheme_names(value: Any) -> None:
    assert "valid scheme name" in str(refused("AUTH_HEADER_TYPES", AUTH_HEADER_TYPES=value))


@pytest.mark.parametrize("value", [[], None, 5, ["Bearer", ""]])
def test_auth_header_types_must_be_non_empty_strings(value: Any) -> None:
    assert "must be a" in str(refused("AUTH_HEADER_TYPES", AUTH_HEADER_TYPES=value))


BOOLEAN_KEYS = [
    "CHECK_USER_IS_ACTIVE",
    "CHECK_REVOKE_TOKEN",
    "BLACKLIST_ENABLED",
    "BLACKLIST_ALLOW_LOCMEM",
    "ROTATE_REFRESH_TOKENS",
]


@pytest.mark.parametrize("key", BOOLEAN_KEYS)
@pytest.mark.parametrize("value", [True, False])
def test_boolean_settings(key: str, value: bool) -> None:
    assert getattr(build(**{key: value}), key.lower()) is value


@pytest.mark.parametrize("key", BOOLEAN_KEYS)
@pytest.mark.parametrize("value", [0, 1, "True", "false", None])
def test_boolean_settings_must_be_booleans(key: str, value: Any) -> None:
    assert "must be True or False" in str(refused(key, **{key: value}))


class CustomBackend:
    pass


def custom_rule(user: Any) -> bool:
    return True


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("USER_AUTHENTICATION_RULE", "myproject.rules.only_staff"),
        ("USER_AUTHENTICATION_RULE", custom_rule),
        ("BLACKLIST_BACKEND", "myproject.stores.Backend"),
        ("BLACKLIST_BACKEND", CustomBackend),
        ("BLACKLIST_BACKEND", CustomBackend()),
    ],
)
def test_backends_and_rules_stay_opaque(key: str, value: object) -> None:
    assert getattr(build(**{key: value}), key.lower()) is value


@pytest.mark.parametrize("key", ["USER_AUTHENTICATION_RULE", "BLACKLIST_BACKEND"])
def test_backends_and_rules_may_not_be_none(key: str) -> None:
    assert "not None" in str(refused(key, **{key: None}))


def test_the_error_message_names_the_key() -> None:
    error = refused("LEEWAY", LEEWAY=-1)
    assert str(error).startswith("JWTFLOW['LEEWAY']: ")


def test_a_full_configuration() -> None:
    config = build(
        ALGORITHM="HS512",
        ACCESS_TOKEN_LIFETIME=timedelta(minutes=1),
        REFRESH_TOKEN_LIFETIME=3600,
        ISSUER="https://issuer.example",
        AUDIENCE=["api"],
        LEEWAY=5,
        USER_ID_CLAIM="uid",
        USER_ID_FIELD="uuid",
        CHECK_REVOKE_TOKEN=True,
        REVOKE_TOKEN_CLAIM="pwd",
        ROTATE_REFRESH_TOKENS=False,
    )
    assert (config.algorithm, config.issuer, config.audience) == (
        "HS512",
        "https://issuer.example",
        ("api",),
    )
    assert config.refresh_token_lifetime == timedelta(hours=1)
    assert (config.user_id_claim, config.user_id_field, config.revoke_token_claim) == (
        "uid",
        "uuid",
        "pwd",
    )


# -- every problem at once, verify-only settings (issue 5) ----------------------------------------


def test_problems_lists_every_bad_key_at_once() -> None:
    # Guards 1d843d2: manage.py check shows one message per problem, not only the first.
    found = problems({"ALGORITHM": "none", "ACCES_TOKEN_LIFETIME": 60, "LEEWAY": -1})
    assert {error.key for error in found} == {
        "ACCES_TOKEN_LIFETIME",
        "SIGNING_KEY",
        "ALGORITHM",
        "LEEWAY",
    }
    assert all(isinstance(error, ConfigurationError) for error in found)


def test_problems_of_valid_settings_is_empty() -> None:
    assert problems({"SIGNING_KEY": SECRET}) == []
    assert problems({"VERIFYING_KEY": SECRET}) == []


def test_verifying_key_alone_is_a_verify_only_configuration() -> None:
    config = Config.from_mapping({"VERIFYING_KEY": SECRET})
    assert config.signing_key is None
    assert config.verifying_key == SECRET
