"""``python -m renkei`` is the ``renkei`` command."""

from renkei.cli import app

app()
