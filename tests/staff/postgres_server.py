"""A real, throwaway PostgreSQL server for the tests: a new cluster in a temporary directory, started
from the installed server binaries (Debian's ``postgresql`` package puts them in
``/usr/lib/postgresql/<version>/bin``) on a free port of 127.0.0.1 only, with a password login.

The server refuses to run as root, so under root (CI) the cluster belongs to the ``postgres``
account the Debian package creates. ``fsync`` is off: these tests kill clients, not the machine.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REQUIRE_ENV = "HUBBOT_REQUIRE_POSTGRES"  # "1": no server is a failure, not a skip (CI sets it)
BIN_ENV = "HUBBOT_POSTGRES_BIN"  # a directory holding initdb and postgres, to use instead of a search
SERVER_ACCOUNT = "postgres"
SUPERUSER = "hubbot"
START_SECONDS = 60.0
PROGRAMS = ("initdb", "postgres")


class NoServer(Exception):
    """No PostgreSQL server can be started here; the message says why and what to install."""


def find_binaries() -> Path:
    """The directory of ``initdb`` and ``postgres``: ``$HUBBOT_POSTGRES_BIN`` when set (and only
    it), else the ``PATH`` or the newest ``/usr/lib/postgresql/*/bin``.
    """

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)

    given = os.environ.get(BIN_ENV)
    if given:
        candidates = [Path(given)]
    else:
        on_path = shutil.which("initdb")
        candidates = [Path(on_path).parent] if on_path else []
        candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for directory in candidates:
        if all(os.access(directory / program, os.X_OK) for program in PROGRAMS):
            return directory
    raise NoServer(
        "no PostgreSQL server binaries (initdb, postgres) found in $HUBBOT_POSTGRES_BIN, the PATH or "
        "/usr/lib/postgresql/*/bin: install them with `apt-get install postgresql`"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server; :meth:`url` addresses one of its databases."""

    bin_dir: Path
    base: Path
    port: int
    password: str
    process: subprocess.Popen[bytes]
    account: str | None
    databases: list[str] = field(default_factory=list)

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def admin(self):  # a psycopg connection (the driver is imported lazily)
        import psycopg

        return psycopg.connect(self.url(), autocommit=True, connect_timeout=10)

    def create_database(self) -> str:
        """A new, empty database; returns its address."""
        name = f"hubbot_test_{len(self.databases)}_{secrets.token_hex(3)}"
        with self.admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}" STRATEGY = FILE_COPY')
        self.databases.append(name)
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self.admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Fast shutdown (clients are disconnected), then remove the cluster."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)


def _account() -> str | None:
    """The account to run the server as: ourselves, or ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVER_ACCOUNT)
    except KeyError:
        raise NoServer(
            f"running as root, and there is no {SERVER_ACCOUNT!r} account to run the server as "
            "(the Debian postgresql package creates it)"
        ) from None
    return SERVER_ACCOUNT


def _run_as(account: str | None) -> dict[str, object]:
    """subprocess arguments that run a program as ``account`` (its own group, no others)."""
    if account is None:
        return {}
    entry = pwd.getpwnam(account)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def start_server(attempts: int = 3) -> PostgresServer:
    """Create a cluster and start it on a free loopback port (raises :class:`NoServer`)."""
    bin_dir = find_binaries()
    account = _account()
    base = Path(tempfile.mkdtemp(prefix="hubbot-postgres-"))
    password = secrets.token_urlsafe(12)
    try:
        if account is not None:
            shutil.chown(base, account)
        pwfile = base / "password"
        pwfile.write_text(password + "\n", encoding="utf-8")
        if account is not None:
            shutil.chown(pwfile, account)
        initdb = subprocess.run(
            [
                str(bin_dir / "initdb"), "-D", str(base / "data"), "-U", SUPERUSER, "--auth=scram-sha-256",
                f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C", "--no-sync",
            ],
            **_run_as(account), capture_output=True, text=True, timeout=120, check=False,
        )
        if initdb.returncode != 0:
            raise NoServer(f"initdb failed: {initdb.stderr.strip() or initdb.stdout.strip()}")
        pwfile.unlink()
        for _ in range(attempts):
            server = _start(bin_dir, base, password, account)
            if server is not None:
                return server
        raise NoServer(f"the PostgreSQL server would not start; its log:\n{_tail(base / 'server.log')}")
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise


def _start(bin_dir: Path, base: Path, password: str, account: str | None) -> PostgresServer | None:
    import psycopg

    port = free_port()
    log = (base / "server.log").open("ab")
    process = subprocess.Popen(
        [
            str(bin_dir / "postgres"), "-D", str(base / "data"), "-p", str(port),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=60",
        ],
        **_run_as(account), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
    server = PostgresServer(bin_dir, base, port, password, process, account)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None  # e.g. the port was taken meanwhile: try another
        try:
            psycopg.connect(server.url(), connect_timeout=2).close()
        except psycopg.OperationalError:
            time.sleep(0.05)
            continue
        return server
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    process.wait(timeout=10)
    return None


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
