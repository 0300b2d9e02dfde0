"""Failures a shell user meets get one sentence and a documented exit code, never a traceback.

Each case runs the real command in a subprocess, as a user (or a script) would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambdatop.demo.server import DemoServer
from tests.terminal.pty_session import ROOT

EXIT_USAGE = 2
EXIT_OUTPUT = 74
EXIT_SIGPIPE = 141


@pytest.fixture(scope="module")
def empty_account() -> Iterator[DemoServer]:
    server = DemoServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _env(server: DemoServer | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    if server is not None:
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = server.credentials
    env.update(extra)
    return env


def _once_args(server: DemoServer) -> list[str]:
    return [sys.executable, "-m", "lambdatop", "--once", "--endpoint-url", server.endpoint_url, "--region", "us-east-1"]


def _assert_one_sentence(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("lambdatop: ")
    return lines[0]


def test_a_reader_that_goes_away_ends_the_run_quietly(empty_account: DemoServer) -> None:
    # `lambdatop --once | true`: the pipe has no reader left when the snapshot is written.
    process = subprocess.Popen(
        _once_args(empty_account),
        cwd=ROOT,
        env=_env(empty_account),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    code = process.wait(timeout=60)
    assert (code, stderr) == (EXIT_SIGPIPE, "")


def test_a_closed_stdout_is_one_sentence(empty_account: DemoServer) -> None:
    # `lambdatop --once >&-`
    process = subprocess.run(
        [*_once_args(empty_account)],
        cwd=ROOT,
        env=_env(empty_account),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    line = _assert_one_sentence(process.stderr)
    assert process.returncode == EXIT_OUTPUT
    assert "standard output is closed" in line


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_sentence(empty_account: DemoServer) -> None:
    # `lambdatop --once >/dev/full`
    with open("/dev/full", "w") as full:
        process = subprocess.run(
            _once_args(empty_account),
            cwd=ROOT,
            env=_env(empty_account),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    line = _assert_one_sentence(process.stderr)
    assert process.returncode == EXIT_OUTPUT
    assert "No space left on device" in line


def _with_config(tmp_path: Path, content: bytes) -> tuple[subprocess.CompletedProcess[str], Path]:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    path = config_dir / "config.toml"
    path.write_bytes(content)
    process = subprocess.run(
        [sys.executable, "-m", "lambdatop", "--once", "--region", "us-east-1"],
        cwd=ROOT,
        env=_env(LAMBDATOP_CONFIG_DIR=str(config_dir)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return process, path


def test_a_config_file_that_is_not_utf8_is_named_with_the_reason(tmp_path: Path) -> None:
    process, path = _with_config(tmp_path, b'theme = "caf\xe9"\n')  # Latin-1, as an old editor saves it
    line = _assert_one_sentence(process.stderr)
    assert process.returncode == EXIT_USAGE
    assert str(path) in line
    assert "UTF-8" in line


def test_a_config_file_nested_too_deeply_is_named_with_the_reason(tmp_path: Path) -> None:
    process, path = _with_config(tmp_path, b"x = " + b"[" * 50_000 + b"]" * 50_000 + b"\n")
    line = _assert_one_sentence(process.stderr)
    assert process.returncode == EXIT_USAGE
    assert str(path) in line
    assert "nested too deeply" in line


def test_an_empty_region_is_a_usage_error() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "lambdatop", "--once", "--region", ""],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == EXIT_USAGE
    assert "Traceback" not in process.stderr
    assert "--region needs a region name" in process.stderr
