"""A throwaway PostgreSQL server for tests: ``initdb`` in a temporary folder, ``pg_ctl start`` on
a free localhost port with trust authentication, a database created; ``stop()`` stops it and
removes the folder. initdb and pg_ctl refuse to run as root, so as root they run as the
unprivileged user ``nobody`` (through ``runuser``), which owns the folder.

``start_server`` raises ``PostgresUnavailable`` (the reason, for a skip message) only where
PostgreSQL is not installed or cannot be started here."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

UNPRIVILEGED_USER = "nobody"


class PostgresUnavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


@dataclass
class PostgresServer:
    url: str
    folder: Path
    bin_dir: Path
    as_user: list[str]

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bin_dir / "pg_ctl"), "-D",
                        str(self.folder / "data"), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def find_bin_dir() -> Path | None:
    """The folder with initdb and pg_ctl: Debian's /usr/lib/postgresql/<version>/bin (newest
    version), else the PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database: str = "workbench_test") -> PostgresServer:
    """Start a server and create ``database``; PostgresUnavailable where that cannot be."""
    try:
        import psycopg
    except ImportError:
        raise PostgresUnavailable("the psycopg driver is not installed (pip install "
                                  "'psycopg[binary]')") from None
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL is not installed (no initdb; .ci/run installs "
                                  "the Debian package 'postgresql')")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="wb-postgres-"))
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PostgresUnavailable("running as root without runuser: cannot start "
                                      "PostgreSQL as an unprivileged user")
        as_user = [runuser, "-u", UNPRIVILEGED_USER, "--"]
        shutil.chown(folder, UNPRIVILEGED_USER)
    port = free_port()
    server = PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/{database}", folder,
                            bin_dir, as_user)
    data, log = folder / "data", folder / "server.log"
    steps = [
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
         "-E", "UTF8", "--no-sync"],
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
         f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
    ]
    for step in steps:
        done = subprocess.run([*as_user, *step], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            if log.is_file():
                detail += log.read_text(errors="replace").strip().splitlines()
            server.stop()
            raise PostgresUnavailable(f"{Path(step[0]).name} failed: "
                                      f"{(detail or ['no message'])[-1]}")
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = psycopg.connect(host="127.0.0.1", port=port, user="postgres",
                                         dbname="postgres", autocommit=True)
            break
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                server.stop()
                raise PostgresUnavailable(f"the server does not accept connections: "
                                          f"{str(exc).strip()}") from None
            time.sleep(0.2)
    with connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    return server
