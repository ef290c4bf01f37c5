"""`make setup` says what it is doing while pip and npm work quietly (issue 20)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_heartbeat__says_a_quiet_step_is_still_working_and_keeps_its_exit_status() -> None:
    env = {**os.environ, "HEARTBEAT_SECONDS": "1"}
    done = subprocess.run(
        [str(ROOT / "scripts" / "heartbeat.sh"), "pip", "bash", "-c", "sleep 2.5; exit 3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 3
    assert re.search(r"… pip: still working \(\d+ s\)", done.stderr)
    assert re.search(r"pip: done in \d+ s", done.stderr)
    assert done.stdout == ""


def test_setup__every_quiet_install_step_runs_under_the_heartbeat() -> None:
    makefile = (ROOT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "pip install" in line or "npm ci" in line]
    assert installs and all("scripts/heartbeat.sh" in line for line in installs)
    assert re.search(r"setup 1/3: .*first time", makefile)
