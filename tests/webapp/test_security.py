"""The defences' own bookkeeping: which blueprints the login limiter has to look at."""

from __future__ import annotations

import re
from pathlib import Path

from webapp.security import LIMITED_BLUEPRINTS

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"


def test_only_the_listed_blueprints_declare_limits():
    # Requests to any other blueprint skip the limiter, so a limit declared elsewhere would do nothing.
    declaring = set()
    for path in WEBAPP.rglob("*.py"):
        source = path.read_text()
        if "@limiter.limit(" in source:
            declaring.update(re.findall(r'\bBlueprint\(\s*"([a-z_]+)"', source))
            assert re.search(r'\bBlueprint\(\s*"', source), (
                f"{path.name} declares a limit outside a blueprint"
            )
    assert declaring == LIMITED_BLUEPRINTS
