"""The README's API walk-through, run as written (bash, curl, jq, the kinerja command) against a live
server on the scenario it describes, so that it cannot drift from what the API does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.live import PASSWORD, serve

ROOT = Path(__file__).resolve().parents[2]


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- api-walkthrough -->\n```sh\n(.*?)```", readme, re.S)
    assert found, "the README has no API walk-through block"
    return found.group(1)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_readme_walkthrough_runs_as_written(engine, database_url):
    script = walkthrough()
    with serve(engine) as live:
        script = script.replace("http://127.0.0.1:5000", live.url)
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "KINERJA_DATABASE_URL": database_url,
            "PASSWORD": PASSWORD,
        }
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, env=env, timeout=120
        )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert '"status": "delivered"' in out  # the IKM result reached the waiting unit
    assert '"type":"task_completed","actor":"ani"' in out  # and Ani's completion is in the history
    assert '"open_tasks"' in result.stderr and "Setujui" in result.stderr  # the penilai's task is next
