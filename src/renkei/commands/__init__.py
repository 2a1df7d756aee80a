"""Sub-commands of ``renkei``, one module each, registered in ``renkei.cli``."""
