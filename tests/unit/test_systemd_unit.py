"""deploy/happykids.service is a unit systemd accepts as written (`systemd-analyze verify` prints nothing for it;
it exits 0 even for unknown keys, so its output is what counts) and says what the guide promises."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "happykids.service"


def unit_options() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in systemd
    parser.read_string(UNIT.read_text(encoding="utf-8"))
    return parser


def test_unit_restarts_on_failure_as_a_dedicated_user_with_the_env_file_and_data_dir():
    unit = unit_options()
    service = unit["Service"]
    assert service["User"] == "happykids" and service["Restart"] == "on-failure"
    assert service["WorkingDirectory"] == "/opt/happykids"  # where `.env` is read from
    assert service["ExecStart"] == "/opt/happykids/.venv/bin/happykids run"
    assert service["StateDirectory"] == "happykids"  # /var/lib/happykids, the DATA_DIR of the guide
    assert service["RestartPreventExitStatus"] == "2 3"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verify_accepts_it(tmp_path):
    # The same unit, pointed at this checkout's `happykids` (verify checks that ExecStart exists).
    happykids = Path(sys.executable).with_name("happykids")
    text = UNIT.read_text(encoding="utf-8").replace("/opt/happykids/.venv/bin/happykids", str(happykids))
    text = text.replace("WorkingDirectory=/opt/happykids", f"WorkingDirectory={tmp_path}")
    (tmp_path / "happykids.service").write_text(text, encoding="utf-8")
    result = subprocess.run([shutil.which("systemd-analyze") or "systemd-analyze", "verify",  # noqa: S603
                             str(tmp_path / "happykids.service")], check=False, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == "", result.stdout + result.stderr
