"""The web tests' small catalog (``site``) serves the needs pages' tests too."""

from tests.web.conftest import site  # noqa: F401
