"""Start and stop the services a benchmark measures: Kiln or Isso under gunicorn on loopback."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ISSO_VERSION = "0.14.0"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class Server:
    """A gunicorn process serving one comment service on loopback."""

    name: str
    port: int
    command: list[str]
    env: dict[str, str]
    log: Path
    # gunicorn reads ./gunicorn.conf.py: Kiln's from the repository, none for Isso.
    cwd: Path = REPO
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the server and wait until it listens."""
        handle = self.log.open("ab")
        # Its own process group, so a kill takes the master and every worker at once.
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=handle, stderr=handle, cwd=self.cwd, start_new_session=True
        )
        wait_for_port(self.port, self.process)

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        """Wait until a worker answers GET path, not just until the master listens."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                if conn.getresponse().status < 500:
                    return
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
        tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        raise TimeoutError(f"{self.name} did not answer GET {path} within {timeout} s; its log ends:\n{tail}")

    def kill(self) -> None:
        """SIGKILL the whole process group: master and workers, no chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait()

    def stop(self) -> None:
        """Stop the server gracefully, or kill it if it does not stop in time."""
        if self.process is not None:
            stop_gracefully(self.process, self.kill)

    def workers_cpu_seconds(self) -> float:
        """Return the processor time (user and system) gunicorn's workers have used so far."""
        ticks = 0
        for pid in self.worker_pids():
            # Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def worker_pids(self) -> list[int]:
        """Return the pids of gunicorn's worker processes."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def gunicorn_command(python: Path, app: str, port: int, workers: int, extra: list[str] | None = None) -> list[str]:
    """Return the command that serves app under gunicorn on 127.0.0.1:port."""
    return [
        str(python), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", "4", "--timeout", "60", "--log-level", "warning",
        *(extra or []), app,
    ]  # fmt: skip


def kiln_server(workdir: Path, database_url: str, workers: int, settings: dict[str, str]) -> Server:
    """Prepare a Kiln service over a copy of the demo site in workdir."""
    port = free_port()
    env = {**os.environ, "KILN_DATABASE_URL": database_url, "KILN_SITE_DIR": str(workdir / "site")}
    env.update({f"KILN_{key}": value for key, value in settings.items()})
    command = gunicorn_command(Path(sys.executable), "comments_service:create_app()", port, workers)
    return Server("kiln", port, command, env, workdir / "kiln.log")


@contextmanager
def bake_worker_beside(server: Server) -> Iterator[None]:
    """Run `flask bake-worker` with the server's settings for as long as the block lasts."""
    command = [sys.executable, "-m", "flask", "--app", "comments_service", "bake-worker"]
    handle = server.log.open("ab")
    process = subprocess.Popen(command, env=server.env, stdout=handle, stderr=handle, cwd=REPO)
    try:
        yield
    finally:
        stop_gracefully(process)
        handle.close()


def stop_gracefully(process: subprocess.Popen[bytes], kill: Callable[[], object] | None = None) -> None:
    """Ask a process to stop; kill it (with kill, if given) if it has not stopped within 20 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        if kill is not None:
            kill()
            return
        process.kill()
        process.wait()


def isso_venv(cache: Path) -> Path:
    """Return the python of a separate virtualenv with Isso installed, creating it once."""
    venv = cache / f"isso-{ISSO_VERSION}"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", f"isso=={ISSO_VERSION}", "gunicorn"]
        subprocess.run(pip, check=True)
    return python


def isso_server(workdir: Path, python: Path, workers: int) -> Server:
    """Prepare Isso with moderation and its rate-limit guard off, storing in workdir."""
    port = free_port()
    config = workdir / "isso.cfg"
    config.write_text(
        "[general]\n"
        f"dbpath = {workdir / 'isso.db'}\n"
        f"host = http://127.0.0.1:{port}/\n"
        "[moderation]\nenabled = false\n"
        "[guard]\nenabled = false\n"
        "[server]\n"
        f"listen = http://127.0.0.1:{port}/\n"
    )
    env = {**os.environ, "ISSO_SETTINGS": str(config)}
    # The same access log as Kiln's gunicorn.conf.py writes, so both pay for it.
    command = gunicorn_command(python, "isso.run", port, workers, ["--preload", "--access-logfile", "-"])
    return Server("isso", port, command, env, workdir / "isso.log", cwd=workdir)


def clean(path: Path) -> None:
    """Remove a benchmark's scratch folder."""
    shutil.rmtree(path, ignore_errors=True)
