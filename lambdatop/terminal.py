"""Being a good citizen of the terminal: what it can draw, where output goes, how signals end us.

- `screen_problem()`: a terminal that cannot draw the dashboard (TERM=dumb, no TTY) gets one
  sentence suggesting `--once` instead of a screen that never paints and cannot be quit.
- `write_stdout()`: `--once` output to a pipe whose reader left (exit quietly, as `head` users
  expect), a closed stdout or a full disk (one line, never a traceback).
- `SignalExit`: SIGTERM, SIGHUP and SIGQUIT end the app the ordinary way, so Textual puts the
  terminal back (alternate screen off, cursor shown, mouse reporting off) and the caller stops
  the demo server; the exit code is the conventional 128 + signal number. A grace timer makes
  sure a wedged event loop cannot keep a killed process alive.

No Textual import here: the CLI wires this around the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from types import FrameType

# Terminals Textual cannot drive: it needs cursor addressing and raw input.
DUMB_TERMS = frozenset({"", "dumb", "unknown"})
# Off the alternate screen, cursor shown, every mouse mode Textual turns on switched off,
# bracketed paste off: what a terminal needs back if we must leave without Textual's own cleanup.
RESTORE_SEQUENCE = "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?1049l\x1b[?25h"
EXIT_OUTPUT = 74  # sysexits EX_IOERR: --once could not write its output (closed stdout, disk full)
EXIT_SIGPIPE = 128 + signal.SIGPIPE  # what a shell reports for a reader that went away
ENDING_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def screen_problem(env: Mapping[str, str], stdin_tty: bool, stdout_tty: bool) -> str | None:
    """Why the full-screen dashboard cannot run here, phrased for the user; None when it can."""
    term = env.get("TERM", "")
    if not stdout_tty:
        return "standard output is not a terminal, so the dashboard cannot draw"
    if not stdin_tty:
        return "standard input is not a terminal, so the dashboard cannot read keys"
    if term in DUMB_TERMS:
        shown = f"TERM={term}" if term else "TERM is not set"
        return f"this terminal ({shown}) cannot draw the dashboard"
    return None


def screen_hint(problem: str) -> str:
    return (
        f"lambdatop: {problem}. Use `lambdatop --once` for a plain-text snapshot, "
        "or run it in a terminal such as TERM=xterm-256color."
    )


def stdout_closed() -> bool:
    """True when fd 1 was closed before we started (`lambdatop --once >&-`)."""
    if sys.stdout is None:
        return True  # what Python makes of a closed fd 1 at start-up
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):
        return False  # an in-memory stream (tests, embedding): writable, not closed
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def write_stdout(text: str) -> int | None:
    """Write and flush `text`; None on success, else the exit code after saying why (once)."""
    stream = sys.stdout
    if stream is None:
        _say("standard output is closed; nothing to write the snapshot to (try `> file.json`)")
        return EXIT_OUTPUT
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_SIGPIPE  # the reader has what it wanted (`| head`): no message
    except OSError as exc:
        _silence_stdout()
        if exc.errno == errno.EPIPE:
            return EXIT_SIGPIPE
        if exc.errno == errno.EBADF:
            _say("standard output is closed; nothing to write the snapshot to (try `> file.json`)")
        else:
            _say(f"cannot write the snapshot to standard output: {exc.strerror or exc}")
        return EXIT_OUTPUT
    except ValueError:  # the stream object itself was closed
        _say("standard output is closed; nothing to write the snapshot to (try `> file.json`)")
        return EXIT_OUTPUT
    return None


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(f"lambdatop: {message}", file=sys.stderr)


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so the interpreter's final flush of the unwritten buffer
    cannot raise again at exit ("Exception ignored ... BrokenPipeError")."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


class SignalExit:
    """Turn ending signals into an orderly app exit with code 128 + signum.

    `install()` before the app runs; `request_exit(code)` must be safe to call on the event
    loop (e.g. `app.exit(return_code=code)`). A second signal, or the loop not ending within
    `grace_s`, restores the terminal by hand and leaves at once.
    """

    def __init__(self, request_exit: Callable[[int], None], grace_s: float = 8.0) -> None:
        self._request_exit = request_exit
        self._grace_s = grace_s
        self._previous: dict[int, object] = {}
        self.received: int | None = None

    @property
    def exit_code(self) -> int | None:
        return None if self.received is None else 128 + self.received

    def install(self, signals: tuple[signal.Signals, ...] = ENDING_SIGNALS) -> None:
        for signum in signals:
            self._previous[signum] = signal.signal(signum, self._handle)

    def uninstall(self) -> None:
        for signum, previous in self._previous.items():
            with contextlib.suppress(ValueError, TypeError, OSError):
                signal.signal(signum, previous)  # type: ignore[arg-type]
        self._previous.clear()

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.received is not None:
            force_exit(128 + self.received)  # asked twice: stop waiting
        self.received = signum
        code = 128 + signum
        timer = threading.Timer(self._grace_s, force_exit, args=(code,))
        timer.daemon = True
        timer.start()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not in the app yet (or any more): the caller checks `received`
        loop.call_soon_threadsafe(self._request_exit, code)


def force_exit(code: int) -> None:
    """Put the terminal back as well as bytes can, and leave now (the OS frees our ports)."""
    with contextlib.suppress(OSError):
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        if os.isatty(fd):
            os.write(fd, RESTORE_SEQUENCE.encode("ascii"))
    with contextlib.suppress(Exception):
        import termios

        fd_in = sys.__stdin__.fileno() if sys.__stdin__ is not None else 0
        if os.isatty(fd_in):
            attrs = termios.tcgetattr(fd_in)
            attrs[3] |= termios.ECHO | termios.ICANON  # lflag: echo and line mode back on
            termios.tcsetattr(fd_in, termios.TCSANOW, attrs)
    os._exit(code)
