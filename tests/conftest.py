"""Shared fixtures: real Temporal servers (tests/temporal_env.py) and ledger databases."""

pytest_plugins = ["tests.temporal_env", "tests.db_fixtures"]
