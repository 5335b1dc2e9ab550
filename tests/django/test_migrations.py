"""Migrations are up to date: ``makemigrations --check --dry-run`` finds nothing to write."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

# makemigrations checks the applied-migration history against the database.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("app_label", ["jwtflow", "testapp"])
def test_models_and_migrations_agree(app_label: str) -> None:
    out = io.StringIO()
    call_command("makemigrations", app_label, "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_the_check_fails_when_a_migration_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The jwtflow models against an empty migrations package: every model is unmigrated.
    (tmp_path / "no_jwtflow_migrations").mkdir()
    (tmp_path / "no_jwtflow_migrations" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    out = io.StringIO()
    empty = override_settings(MIGRATION_MODULES={"jwtflow": "no_jwtflow_migrations"})
    with empty, pytest.raises(SystemExit) as exit_:
        call_command("makemigrations", "jwtflow", "--check", "--dry-run", stdout=out)
    assert exit_.value.code == 1
    assert "Create model" in out.getvalue()
