"""Run lambdatop on a real pseudo-terminal (stdlib `pty` + `os`; pexpect is not installed).

Everything is bounded: reads poll with a deadline, and the child is killed at the end whatever
happened, so a misbehaving app fails the test instead of hanging it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class PtySession:
    def __init__(self, args: list[str], env: Mapping[str, str], cols: int = 100, rows: int = 30) -> None:
        self.output = bytearray()
        self.status: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # the child: become lambdatop on the pty
            os.chdir(ROOT)
            try:
                os.execve(sys.executable, [sys.executable, "-m", "lambdatop", *args], dict(env))
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def read_until(self, needle: bytes, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while needle not in self.output:
            if not self._read_some(deadline - time.monotonic()):
                return needle in self.output
        return True

    def _read_some(self, timeout_s: float) -> bool:
        if timeout_s <= 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], min(timeout_s, 0.2))
        if not ready:
            return timeout_s > 0.2 and self.poll() is None
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the pty
            return False
        if not chunk:
            return False
        self.output.extend(chunk)
        return True

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def poll(self) -> int | None:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def wait(self, timeout_s: float) -> int | None:
        """Drain output until the child exits; its exit code, or None if it did not."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self._read_some(0.2)
            if self.poll() is not None:
                while self._read_some(0.05):
                    pass
                return self.status
        return None

    def cpu_seconds(self) -> float:
        """User + system CPU the child has used so far (from /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def listening_ports(self) -> set[int]:
        """TCP ports the child listens on (its sockets matched against /proc/net/tcp)."""
        inodes = set()
        for link in Path(f"/proc/{self.pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(link)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        ports = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and parts[9] in inodes:  # 0A: LISTEN
                ports.add(int(parts[1].rsplit(":", 1)[1], 16))
        return ports

    def close(self) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


def app_env(**extra: str) -> dict[str, str]:
    """The test's (isolated) environment for a child on a capable terminal."""
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "TERM", "COLUMNS", "LINES"}}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env
