"""Text from AWS is data: escape sequences never reach the terminal, markup is printed literally."""

from __future__ import annotations

import json

import pytest

from lambdatop.cli import main
from lambdatop.demo.server import DemoServer
from tests.aws.conftest import clients, zipped

HOSTILE_NAMES = [
    "ansi\x1b[31mred\x1b[0m",
    "[bold red]markup[/]",
    "bidi\u202eevil",
    "nul\x00byte",
    "osc\x1b]52;c;ZXZpbA==\x07clip",
]
FORBIDDEN = ["\x1b", "\x07", "\x00", "\u202e", "\x9b"]


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_hostile_names_and_tags_never_reach_stdout_raw(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    c = clients(server.endpoint_url, server.credentials)
    role = c["iam"].create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for name in HOSTILE_NAMES:
        c["lambda"].create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": zipped(name)},
            Tags={"team": "\x1b]52;c;ZXZpbA==\x07[red]payments[/red]\u202e"},
        )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.credentials[1])
    main(["--once", "--format", fmt, "--endpoint-url", server.endpoint_url, "--region", "us-east-1"])
    out = capsys.readouterr().out

    for bad in FORBIDDEN:
        assert bad not in out, f"{bad!r} reached stdout in {fmt}"
    if fmt == "json":
        names = {f["name"] for f in json.loads(out)["functions"]}
        assert "[bold red]markup[/]" in names  # data is kept, only made harmless
    else:
        assert "[bold red]markup[/]" in out  # Rich markup is printed literally, never interpreted
