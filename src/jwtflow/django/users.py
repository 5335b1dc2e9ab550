"""The user store over Django's user model and authentication backends."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import django
from asgiref.sync import sync_to_async
from django.contrib import auth
from django.db import InterfaceError, OperationalError, router
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import HttpRequest

from jwtflow.django.user_rows import ILL_FITTING_ID, UserRowQuery, is_plain
from jwtflow.errors import StoreUnavailable

_UNREACHABLE = (OperationalError, InterfaceError)
_UNAVAILABLE = "The user database is unavailable; try again later."
#: The annotation that carries the extra column on the ORM's path.
_COLUMN = "_jwtflow_column"


class DjangoUserStore:
    """Looks users up by ``USER_ID_FIELD`` and checks credentials with ``django.contrib.auth``."""

    def __init__(self, id_field: str) -> None:
        self.id_field = id_field
        self.model = auth.get_user_model()
        plain = is_plain(self.model._default_manager)
        self._rows = UserRowQuery(self.model, id_field) if plain else None

    def get(self, user_id: object) -> Any | None:
        """Return the user whose id field equals ``user_id``, or None.

        Raises:
            StoreUnavailable: the database could not be reached.
        """
        return self.get_with_column(user_id, None)[0]

    def get_with_column(
        self, user_id: object, column: tuple[str, Sequence[Any]] | None, using: str | None = None
    ) -> tuple[Any | None, Any]:
        """:meth:`get`, plus a boolean SQL expression ``column`` (``(sql, params)``) computed in
        the same query, on database ``using`` (default: where the router reads users).

        This is how the model store checks a token's session while loading its user. Returns
        ``(user, value)``, or ``(None, None)``.

        Raises:
            StoreUnavailable: the database could not be reached.
        """
        using = using or router.db_for_read(self.model)
        try:
            if self._rows is not None:
                user, value = self._rows.fetch(using, user_id, column)
            else:
                user, value = self._orm_get(using, user_id, column)
        except _UNREACHABLE as error:
            raise StoreUnavailable(_UNAVAILABLE) from error
        # The ORM coerces ("42" finds pk 42, True finds pk 1); a claim must match exactly, as
        # minted, so a token from another USER_ID_FIELD era cannot name a different user.
        minted = None if user is None else self.user_id(user)
        if type(minted) is not type(user_id) or minted != user_id:
            return None, None
        return user, value

    def write_database(self) -> str:
        """The alias of the database users are written to (the primary, for them)."""
        return router.db_for_write(self.model)

    def _orm_get(
        self, using: str, user_id: object, column: tuple[str, Sequence[Any]] | None
    ) -> tuple[Any, Any]:
        """The ORM's query, for a default manager that filters, joins or defers."""
        users = self.model._default_manager.using(using)
        if column is not None:
            users = users.annotate(**{_COLUMN: RawSQL(column[0], column[1], BooleanField())})  # noqa: S611
        try:
            user = users.get(**{self.id_field: user_id})
        except (self.model.DoesNotExist, self.model.MultipleObjectsReturned, *ILL_FITTING_ID):
            return None, None
        return user, user.__dict__.pop(_COLUMN, None)

    async def aget(self, user_id: object) -> Any | None:
        """Async twin of :meth:`get` (one thread hop, as Django's ORM has no async driver)."""
        return await sync_to_async(self.get)(user_id)

    def check_credentials(self, request: object, credentials: Mapping[str, Any]) -> Any | None:
        """Return the user ``django.contrib.auth.authenticate`` finds for ``credentials``.

        Raises:
            StoreUnavailable: the database could not be reached.
        """
        with _database_errors():
            return auth.authenticate(_http_request(request), **credentials)

    async def acheck_credentials(
        self, request: object, credentials: Mapping[str, Any]
    ) -> Any | None:
        """Async twin of :meth:`check_credentials`; uses backends' own ``aauthenticate``.

        Django's ``aauthenticate`` (5.0+) needs every backend to have one; a backend that does
        not (a plain class, or Django 4.2) makes the whole check run in a thread instead.
        """
        if django.VERSION >= (5, 0) and all(
            hasattr(backend, "aauthenticate") for backend in auth.get_backends()
        ):
            with _database_errors():
                return await auth.aauthenticate(_http_request(request), **credentials)
        return await sync_to_async(self.check_credentials)(request, credentials)

    def user_id(self, user: Any) -> str | int:
        """Return the id field's value as a JSON-safe claim (UUIDs become strings)."""
        return claim_value(getattr(user, self.id_field))

    def is_active(self, user: Any) -> bool:
        """Return ``user.is_active`` (True for models without the field)."""
        return bool(getattr(user, "is_active", True))

    def password_hash(self, user: Any) -> str:
        """Return the stored password hash."""
        return str(getattr(user, "password", ""))


def claim_value(value: object) -> str | int:
    """The claim that carries an id field's ``value``: integers stay, the rest become strings."""
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


@contextmanager
def _database_errors() -> Iterator[None]:
    """Turn an unreachable database into StoreUnavailable (503), never a 500."""
    try:
        yield
    except _UNREACHABLE as error:
        raise StoreUnavailable(_UNAVAILABLE) from error


def _http_request(request: object) -> HttpRequest | None:
    return request if isinstance(request, HttpRequest) else None
