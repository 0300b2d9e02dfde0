"""Starting and stopping the embedded server: loopback only, quiet, and nothing left behind."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

import pytest

from lambdatop.demo.server import DemoServer, DemoServerError
from tests.demo.conftest import ClientFactory


def _port_accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_stop_leaves_no_thread_and_closes_the_port() -> None:
    with DemoServer():  # first start pays for moto's imports and whatever they spawn
        pass
    threads_before = set(threading.enumerate())
    server = DemoServer()
    server.start()
    port = server.port
    assert server.endpoint_url == f"http://127.0.0.1:{port}"
    assert _port_accepts(port)

    server.stop()

    assert not _port_accepts(port)
    assert not server.running
    leftover = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert leftover == []


def test_start_twice_and_stop_twice_are_harmless() -> None:
    with DemoServer() as server:
        port = server.port
        server.start()
        assert server.port == port
    server.stop()
    assert not server.running


def test_only_loopback_is_accepted() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        DemoServer(host="0.0.0.0")


def test_endpoint_is_unknown_before_start() -> None:
    with pytest.raises(DemoServerError, match="start"):
        _ = DemoServer().endpoint_url


def test_each_server_gets_its_own_fake_credentials() -> None:
    first, second = DemoServer(), DemoServer()

    assert first.credentials != second.credentials
    assert first.credentials[0].startswith("AKIADEMO")


def test_requests_are_not_logged_to_the_terminal(
    demo_server: DemoServer, client: ClientFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    client("lambda").list_functions()
    client("cloudwatch").list_metrics()

    captured = capfd.readouterr()
    assert captured.out == ""
    assert "HTTP/1.1" not in captured.err


def test_lambda_runs_without_docker(
    client: ClientFactory, create_function: object, capfd: pytest.CaptureFixture[str]
) -> None:
    create_function("echo")  # type: ignore[operator]

    answer = client("lambda").invoke(FunctionName="echo", Payload=b'{"ping": 1}')

    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert "docker" not in capfd.readouterr().out.lower()


def test_importing_the_server_module_does_not_import_moto() -> None:
    probe = "import sys, lambdatop.demo.server; print('moto' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)

    assert result.stdout.strip() == "False"


def test_moto_lists_its_modules_and_service_models_once_per_process() -> None:
    """Two costs moto pays per request or per service (see moto_patches) are paid once."""
    import moto.backends
    import moto.core.utils

    with DemoServer():
        listed = moto.backends.list_of_moto_modules()
        assert listed is moto.backends.list_of_moto_modules()  # the same tuple: not listed again
        assert "awslambda" in listed
        assert "logs" in listed
        loaded = moto.core.utils._load_service_model("logs", "service-2")
        assert loaded["metadata"]["serviceId"] == "CloudWatch Logs"
