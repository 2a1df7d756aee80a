"""Every module of the package imports on its own, first: an import cycle that only shows when a
given module is the first one loaded (a CLI command, a worker) fails here, not in production."""

from __future__ import annotations

import subprocess
import sys

# Run in a child interpreter: each module is imported after every renkei module is forgotten, so
# it is the first of the package to load (the libraries stay loaded, which keeps this fast).
SCRIPT = """
import importlib, pkgutil, sys, traceback
import renkei
names = sorted(
    m.name for m in pkgutil.walk_packages(renkei.__path__, "renkei.")
    if not m.name.endswith(".__main__")  # runs the command line when imported
)
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "renkei" or m.startswith("renkei.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
print(len(names))
print("\\n".join(failed))
"""


def test_every_module_imports_first() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, check=True
    )
    count, *failures = done.stdout.strip().splitlines()
    assert int(count) > 100
    assert failures == [], "\n".join(failures)
