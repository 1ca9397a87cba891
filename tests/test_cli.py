import json
import subprocess
import sys

from lprkit import cli


def test_help_lists_commands(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "info" in out and "demo" in out


def test_version(capsys):
    import pytest

    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert "lprkit 0.1.0" in capsys.readouterr().out


def test_info_json_reports_each_component(capsys):
    code = cli.main(["info", "--json"])
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    for name in ("python", "profile", "tensorflow", "keras", "opencv", "tesseract", "hangul fonts",
                 "European plate font", "GPU"):
        assert name in checks
    assert checks["profile"]["detail"] == "smoke"
    assert checks["GPU"]["required"] is False and checks["European plate font"]["required"] is False
    assert checks["European plate font"]["fix"] == "sudo apt-get install fonts-opendin"
    missing = [c for c in checks.values() if c["required"] and not c["ok"]]
    assert code == (1 if missing else 0)
    for c in missing:
        assert c["fix"], f"{c['name']} is missing but no fix is given"


def test_bad_profile_is_reported_not_raised(monkeypatch, capsys):
    monkeypatch.setenv("LPRKIT_PROFILE", "warp")
    assert cli.main(["info"]) == 1
    assert "'warp' is not a known profile" in capsys.readouterr().out


def test_console_script_user_error_is_one_line():
    # A user error must end with exit code 2 and a single line, not a traceback.
    out = subprocess.run(
        [sys.executable, "-m", "lprkit.cli", "info", "--no-such-flag"], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
