"""A throwaway PostgreSQL server on loopback for tests (Debian's package, started and stopped here).

Locally the tests that need it skip with a reason when PostgreSQL is not installed; with
GDCORE_REQUIRE_POSTGRES=1 (set by .ci/run, which installs it) that is a failure instead.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

REQUIRED = os.environ.get("GDCORE_REQUIRE_POSTGRES") == "1"


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; `url` is a SQLAlchemy URL for its `postgres` database."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise RuntimeError("PostgreSQL's initdb/pg_ctl are not installed (apt-get install postgresql)")
        self.root = tempfile.mkdtemp(prefix="gdcore-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the package's own user
            self._user = pwd.getpwnam("postgres")
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = list(args)
        if self._user is not None:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)

    def start(self) -> PostgresServer:
        self._run(self.initdb, "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} -c fsync=off"
        self._run(self.pg_ctl, "-D", self.data, "-o", opts, "-l", os.path.join(self.root, "log"), "-w",
                  "-t", "60", "start", timeout=90)
        deadline = time.monotonic() + 30
        while True:  # pg_ctl -w waited for it; make sure the port answers
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        try:
            self._run(self.pg_ctl, "-D", self.data, "-m", "immediate", "stop", timeout=60)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
