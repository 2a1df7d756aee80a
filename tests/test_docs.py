"""Docs checked against the code: every action is documented, every documented action exists."""

from __future__ import annotations

import re
from pathlib import Path

from renkei.api.registry import ACTIONS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_action_is_documented_and_nothing_else() -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    section = text.split("## Actions", 1)[1]
    documented = set(re.findall(r"^### (\w+)$", section, flags=re.MULTILINE))
    assert documented - {"help_show"} == set(ACTIONS)


def test_readme_quick_start_has_exactly_the_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    block = quick_start.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    ci = (DOCS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
