"""Command groups of the ``renkei`` CLI, one module each."""
