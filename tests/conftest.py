"""Fixtures shared by every test folder."""

pytest_plugins = ["tests.services"]  # PostgreSQL and Redis fixtures
