"""The real app on a real pseudo-terminal: colours, dumb terminals, keys and signals."""

from __future__ import annotations

import os
import re
import resource
import signal
import socket

import pytest

from tests.terminal.pty_session import PtySession, app_env

pytestmark = pytest.mark.slow

SEEDED_FUNCTION = b"checkout-api"  # in the --seed 7 demo fleet: data has arrived
ALT_SCREEN_OFF = b"\x1b[?1049l"
CURSOR_SHOWN = b"\x1b[?25h"
MOUSE_OFF = b"\x1b[?1000l"
# SGR parameters that set a colour (30-37, 38;…, 40-47, 48;…, 90-97, 100-107); 39/49 are "default".
COLOUR_SGR = re.compile(rb"\x1b\[([0-9;]*)m")


def _colour_codes(output: bytes) -> list[str]:
    found = []
    for match in COLOUR_SGR.finditer(output):
        params = match.group(1).decode().split(";")
        for param in params:
            if param and (30 <= int(param) <= 38 or 40 <= int(param) <= 48 or 90 <= int(param) <= 107):
                found.append(match.group(1).decode())
                break
    return found


def _demo(**env: str) -> PtySession:
    return PtySession(["--demo", "--seed", "7"], app_env(**env))


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        # As a server restarting on it would: connections the app closed may sit in TIME_WAIT,
        # which is no listener and no leak.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_no_color_draws_readable_text_in_the_terminals_own_colours() -> None:
    session = _demo(NO_COLOR="1")
    try:
        assert session.read_until(SEEDED_FUNCTION, 90), bytes(session.output[-2000:])
        session.read_until(b"\x00never", 1.0)  # let a full frame land
        screen = bytes(session.output)
        # Monochrome: every cell in the terminal's default foreground on its default background
        # (which differ by definition), never an explicit colour that could match the background.
        assert _colour_codes(screen) == []
        # The row cursor, a background colour normally, is drawn in reverse video instead.
        assert any("7" in m.group(1).decode().split(";") for m in COLOUR_SGR.finditer(screen))
        assert b"STALE" in screen or b"ERR" in screen  # status still told in words
        session.send(b"q")
        assert session.wait(30) == 0
    finally:
        session.close()


def test_a_dumb_terminal_gets_a_sentence_not_a_spinning_screen() -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    session = _demo(TERM="dumb")
    try:
        session.send(b"q")
        code = session.wait(10)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        session.close()
    assert code == 2
    text = bytes(session.output).decode(errors="replace")
    assert "TERM=dumb" in text
    assert "--once" in text
    assert "Traceback" not in text
    cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert cpu_s < 1.0  # < 10 % of 10 s
    assert "\x1b[?1049h" not in text  # never switched to the alternate screen


@pytest.mark.parametrize("key", [b"q", b"\x03"], ids=["q", "ctrl+c"])
def test_q_and_ctrl_c_quit(key: bytes) -> None:
    session = _demo()
    try:
        assert session.read_until(SEEDED_FUNCTION, 90)
        session.send(key)
        assert session.wait(30) == 0
    finally:
        session.close()
    assert ALT_SCREEN_OFF in session.output


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT], ids=lambda s: s.name)
def test_ending_signals_restore_the_terminal_and_free_the_demo_port(signum: signal.Signals) -> None:
    session = _demo()
    try:
        assert session.read_until(SEEDED_FUNCTION, 90), bytes(session.output[-2000:])
        ports = session.listening_ports()
        assert ports, "the demo server should be listening"
        mark = len(session.output)
        os.kill(session.pid, signum)
        code = session.wait(30)
    finally:
        session.close()
    assert code == 128 + signum
    tail = bytes(session.output[mark:])
    assert ALT_SCREEN_OFF in tail
    assert CURSOR_SHOWN in tail
    assert MOUSE_OFF in tail
    assert b"Traceback" not in tail
    assert all(_port_free(port) for port in ports)


def test_an_unknown_terminal_name_still_gets_the_dashboard() -> None:
    # Textual writes standard escape sequences itself (no terminfo), so a TERM this machine has
    # no entry for (a new emulator over SSH) works; only dumb terminals are turned away.
    session = _demo(TERM="brand-new-terminal")
    try:
        assert session.read_until(SEEDED_FUNCTION, 90)
        session.send(b"q")
        assert session.wait(30) == 0
    finally:
        session.close()
