"""Whether the demo's optional dependencies (`pip install "lambdatop[demo]"`) are installed.

The demo embeds moto's server (Flask app, X-Ray backend) in process; a plain install leaves them
out, so `lambdatop --demo` checks first and says what to install instead of a traceback. The
check only looks the modules up (`find_spec`): nothing is imported, so it costs nothing.
"""

from __future__ import annotations

import importlib.util

# Top-level modules the embedded server imports: moto itself, moto's server app (flask and
# flask_cors, moto's "server" extra without the rest of it) and moto's X-Ray backend.
DEMO_MODULES: tuple[str, ...] = ("moto", "flask", "flask_cors", "aws_xray_sdk")
INSTALL_COMMAND = 'pip install "lambdatop[demo]"'


def missing_demo_modules(modules: tuple[str, ...] = DEMO_MODULES) -> list[str]:
    missing: list[str] = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken or half-removed installation
            found = False
        if not found:
            missing.append(name)
    return missing


def demo_install_hint(modules: tuple[str, ...] = DEMO_MODULES) -> str | None:
    """One line saying what to install, or None when the demo can run."""
    missing = missing_demo_modules(modules)
    if not missing:
        return None
    return (
        f"--demo needs the optional demo extra (missing: {', '.join(missing)}): "
        f'{INSTALL_COMMAND}  (from a clone: pip install -e ".[demo]")'
    )
