"""Migrations build exactly the schema the code declares, and go down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from renkei.store.db import alembic_config, upgrade


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.check(alembic_config(url))  # raises if the models and the migrations disagree


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    config = alembic_config(url)
    upgrade(url)
    command.downgrade(config, "base")
    upgrade(url)
    command.check(config)
