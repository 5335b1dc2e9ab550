"""A minimal Django project showing jwtflow: token endpoints plus sync and async views."""
