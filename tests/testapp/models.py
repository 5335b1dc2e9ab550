"""User models with non-integer primary keys, for the id-field tests."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import User
from django.db import models


class UUIDUser(AbstractBaseUser):
    """A user whose primary key is a UUID."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    username = models.CharField(max_length=150, unique=True)
    is_active = models.BooleanField(default=True)

    USERNAME_FIELD = "username"
    objects = BaseUserManager["UUIDUser"]()


class SlugUser(AbstractBaseUser):
    """A user whose primary key is a string."""

    username = models.CharField(max_length=150, primary_key=True)
    is_active = models.BooleanField(default=True)

    USERNAME_FIELD = "username"
    objects = BaseUserManager["SlugUser"]()


class ChildUser(User):
    """A user model that extends ``auth.User`` by multi-table inheritance (two tables)."""

    nickname = models.CharField(max_length=50, blank=True)
