"""Every credential-chain error is one sentence on stderr with exit code 4, never a traceback.

Each case runs `python -m lambdatop` as a user would, with a temp AWS config, HOME and XDG dirs;
the cases that get past credentials read the embedded server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

import lambdatop.aws.session as session_module
from lambdatop.cli import EXIT_CREDENTIALS, main
from lambdatop.demo.server import DemoServer
from tests.aws.credential_setup import AwsConfigDir

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def aws(tmp_path: Path) -> AwsConfigDir:
    setup = AwsConfigDir(tmp_path)
    setup.write_config()
    return setup


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lambdatop", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _one_sentence(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("lambdatop: ")
    assert lines[0].endswith(".")
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["--profile", "nonexistent", "--once"],
        ["--profile", "nonexistent", "--region", "us-east-1", "--once"],
        ["--profile", "nonexistent"],  # the dashboard itself says it before it starts
    ],
)
def test_a_missing_profile_names_it_and_the_fix(aws: AwsConfigDir, args: list[str]) -> None:
    done = _run(args, aws.env())
    assert done.returncode == EXIT_CREDENTIALS == 4
    line = _one_sentence(done)
    assert "'nonexistent'" in line
    assert "--profile" in line
    assert "proc" in line  # the profiles that do exist


def test_a_missing_profile_without_any_region_anywhere(aws: AwsConfigDir) -> None:
    aws.write_config(region=None)
    done = _run(["--profile", "nonexistent", "--once"], aws.env())
    assert done.returncode == 4
    assert "'nonexistent'" in _one_sentence(done)


@pytest.mark.parametrize("once", [True, False])
def test_a_failing_credential_process_at_start(aws: AwsConfigDir, once: bool) -> None:
    aws.process_fails("vault is sealed: run vault-login")
    done = _run(["--profile", "proc", *(["--once"] if once else [])], aws.env())
    assert done.returncode == 4
    line = _one_sentence(done)
    assert "credential_process of profile proc" in line
    assert "vault is sealed: run vault-login" in line


def test_sso_without_a_token_says_to_log_in(aws: AwsConfigDir) -> None:
    done = _run(["--profile", "corp", "--once"], aws.env())
    assert done.returncode == 4
    assert _one_sentence(done) == (
        "lambdatop: AWS SSO session for profile corp has expired: run `aws sso login --profile corp`."
    )


def test_aws_default_profile_is_honoured(aws: AwsConfigDir) -> None:
    aws.process_fails("default profile's helper failed")
    done = _run(["--once"], aws.env(AWS_DEFAULT_PROFILE="proc"))
    assert done.returncode == 4
    assert "profile proc" in _one_sentence(done)


def _server_env(server: DemoServer) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": server.credentials[0],
        "AWS_SECRET_ACCESS_KEY": server.credentials[1],
        "AWS_ENDPOINT_URL": server.endpoint_url,
        "AWS_REGION": "us-east-1",
    }


def test_env_keys_win_over_aws_profile_as_in_the_aws_cli(aws: AwsConfigDir, server: DemoServer) -> None:
    aws.process_fails("this helper must not be needed")
    done = _run(["--once", "--format", "json"], aws.env(AWS_PROFILE="proc", **_server_env(server)))
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 3), done.stderr  # it read the account with the env keys
    assert json.loads(done.stdout)["sources"]["inventory"]["ok"] is True


def test_an_explicit_profile_wins_over_env_keys_as_in_the_aws_cli(aws: AwsConfigDir, server: DemoServer) -> None:
    aws.process_fails("the profile's own helper failed")
    done = _run(["--profile", "proc", "--once"], aws.env(**_server_env(server)))
    assert done.returncode == 4
    assert "the profile's own helper failed" in _one_sentence(done)


def test_no_credentials_with_an_explicit_profile_does_not_claim_env_keys_were_tried(aws: AwsConfigDir) -> None:
    done = _run(["--profile", "empty", "--once"], aws.env(AWS_ACCESS_KEY_ID="AKIAIGNORED"))
    assert done.returncode == 4
    line = _one_sentence(done)
    assert "No AWS credentials found for profile empty" in line
    assert "not the environment variables" in line
    assert str(aws.config) in line  # the files it really read


def test_no_credentials_without_a_profile_lists_env_keys_first(aws: AwsConfigDir) -> None:
    done = _run(["--once", "--region", "us-east-1"], aws.env())
    assert done.returncode == 4
    line = _one_sentence(done)
    assert "Tried: environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; profile default in" in line
    assert "--demo" in line


def test_credentials_rejected_on_the_way_give_the_hint_and_exit_4(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Credentials that resolve but AWS calls expired: --once says so instead of printing an empty document."""

    def expired(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        parsed = {
            "Error": {
                "Code": "ExpiredTokenException",
                "Message": "The security token included in the request is expired",
            },
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        return AWSResponse("http://expired.invalid", 403, {}, None), parsed

    original = session_module.ClientPool

    class ExpiringPool(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.register_hook("before-call.*.*", expired)

    monkeypatch.setattr(session_module, "ClientPool", ExpiringPool)
    for name, value in _server_env(server).items():
        monkeypatch.setenv(name, value)
    code = main(["--once", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 4
    assert out == ""
    assert err.strip() == (
        "lambdatop: The credentials in AWS_ACCESS_KEY_ID / AWS_SESSION_TOKEN have expired: "
        "export fresh ones and restart lambdatop."
    )
