"""gdcore as N `streamlit run` processes behind nginx, on one machine, without Docker.

The same arrangement as compose.yaml, with the same nginx configuration (nginx.conf.template): N app
processes on loopback ports, and nginx in front of them keeping each learner's session in one process.

    python deploy/local.py 2                    # http://127.0.0.1:8080/ ; Ctrl+C stops everything
    python deploy/local.py 4 --port 9000 --app-port 8601 --keep-files

Everything nginx writes (its configuration, pid file, logs, temporary files) and the app processes'
logs go to a fresh directory under the system's temp dir, printed at start. nginx runs in the
foreground (`daemon off`) as a child process; stopping this script stops nginx and every app process
it started. Needs Debian's nginx (`apt-get install nginx`; the system service need not run).

Tests use it as a library:

    with LocalDeployment(2) as dep:
        dep.url            # nginx, e.g. http://127.0.0.1:41235
        dep.app_urls       # the app processes behind it
        dep.access_log()   # nginx's access log, one dict per request (which process answered it)
"""
from __future__ import annotations

import argparse
import grp
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().with_name("nginx.conf.template")
NGINX = os.environ.get("GDCORE_NGINX", "/usr/sbin/nginx")
TEMPLATE_VARS = ("GDCORE_LISTEN", "GDCORE_UPSTREAM_SERVERS", "GDCORE_ACCESS_LOG")


def render_template(values: dict[str, str], template: Path = TEMPLATE) -> str:
    """The template with its ${GDCORE_...} variables filled in, as the nginx image's envsubst step does."""
    text = template.read_text()
    missing = [name for name in TEMPLATE_VARS if name not in values]
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    for name in TEMPLATE_VARS:
        text = text.replace("${" + name + "}", values[name])
    if "${GDCORE_" in text:
        raise ValueError("nginx.conf.template uses a GDCORE_ variable local.py does not know")
    return text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str, path: str = "/_stcore/health", timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(f"{url}{path}", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def _ran_the_app(url: str) -> bool:
    """True once the process has run the app in a throwaway session (.streamlit/config.toml's
    scriptHealthCheckEnabled): its learners then never meet Streamlit's legacy pages/ folder mode."""
    return _healthy(url, "/_stcore/script-health-check", timeout=60)


class LocalDeployment:
    """N `streamlit run` processes on 127.0.0.1 and nginx balancing them; start() / stop() or `with`."""

    def __init__(self, processes: int = 2, *, port: int = 0, app_port: int = 0, nginx: str = NGINX,
                 python: str = sys.executable, app: Path = ROOT / "streamlit_app.py",
                 cookie_secret: str | None = None, keep_files: bool = False, start_timeout: float = 120.0):
        if processes < 1:
            raise ValueError("at least one app process")
        self.processes = processes
        self.port = port or free_port()
        self.app_ports = ([app_port + i for i in range(processes)] if app_port
                          else [free_port() for _ in range(processes)])
        self.nginx = nginx
        self.python = python
        self.app = Path(app)
        # every process must sign and check cookies with the same secret (server.cookieSecret)
        self.cookie_secret = cookie_secret or os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32)
        self.keep_files = keep_files
        self.start_timeout = start_timeout
        self.dir: Path | None = None
        self.apps: list[subprocess.Popen] = []
        self.nginx_proc: subprocess.Popen | None = None

    # -- addresses and logs -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def app_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.app_ports]

    @property
    def upstreams(self) -> list[str]:
        """The app processes as nginx's access log names them ($upstream_addr)."""
        return [f"127.0.0.1:{p}" for p in self.app_ports]

    def access_log(self) -> list[dict]:
        """nginx's access log so far, one dict per request (see log_format gdcore in the template)."""
        path = self.dir / "access.log"
        if not path.exists():
            return []
        entries = []
        for line in path.read_text(errors="replace").splitlines():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line still being written
        return entries

    def log_tails(self, chars: int = 3000) -> str:
        """The end of every log in the run directory, for a failure message."""
        if self.dir is None:
            return ""
        parts = []
        for path in sorted(self.dir.glob("*.log")):
            text = path.read_text(errors="replace")
            parts.append(f"--- {path.name}\n{text[-chars:]}")
        return "\n".join(parts)

    # -- start and stop -------------------------------------------------------------------------------

    def start(self) -> LocalDeployment:
        if not (Path(self.nginx).exists() or shutil.which(self.nginx)):
            raise FileNotFoundError(f"nginx not found at {self.nginx} (apt-get install nginx)")
        self.dir = Path(tempfile.mkdtemp(prefix="gdcore-nginx-"))
        try:
            self._start_apps()
            self._wait(self.app_urls, "app processes")
            self._wait(self.app_urls, "app processes' first run", ready=_ran_the_app)
            self._start_nginx()
            self._wait([self.url], "nginx")
        except BaseException:
            self.stop()
            raise
        return self

    def _start_apps(self) -> None:
        env = dict(os.environ, STREAMLIT_SERVER_COOKIE_SECRET=self.cookie_secret)
        for port in self.app_ports:
            log = open(self.dir / f"app-{port}.log", "wb")
            try:
                self.apps.append(subprocess.Popen(
                    [self.python, "-m", "streamlit", "run", str(self.app),
                     "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
                     "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                    cwd=self.app.parent, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True))
            finally:
                log.close()

    def _nginx_conf(self) -> str:
        d = self.dir
        user = ""
        if os.geteuid() == 0:
            # nginx's workers must not run as root; they need only to pass through this directory
            # to the temporary files nginx creates (and hands to them) under tmp/
            group = next((g for g in ("nogroup", "nobody") if _group_exists(g)), None)
            user = f"user nobody{' ' + group if group else ''};"
            os.chmod(d, 0o711)
        (d / "tmp").mkdir(mode=0o711, exist_ok=True)
        (d / "tmp").chmod(0o711)
        (d / "gdcore.conf").write_text(render_template({
            "GDCORE_LISTEN": f"127.0.0.1:{self.port}",
            "GDCORE_UPSTREAM_SERVERS": " ".join(f"server {u};" for u in self.upstreams),
            "GDCORE_ACCESS_LOG": str(d / "access.log"),
        }))
        return f"""# generated by deploy/local.py; the gdcore part is {d / 'gdcore.conf'}, from {TEMPLATE}
daemon off;
{user}
worker_processes 1;
pid {d / 'nginx.pid'};
error_log {d / 'error.log'} notice;
events {{
    worker_connections 1024;
}}
http {{
    client_body_temp_path {d / 'tmp' / 'client_body'};
    proxy_temp_path {d / 'tmp' / 'proxy'};
    fastcgi_temp_path {d / 'tmp' / 'fastcgi'};
    uwsgi_temp_path {d / 'tmp' / 'uwsgi'};
    scgi_temp_path {d / 'tmp' / 'scgi'};
    include {d / 'gdcore.conf'};
}}
"""

    def _start_nginx(self) -> None:
        conf = self.dir / "nginx.conf"
        conf.write_text(self._nginx_conf())
        cmd = [self.nginx, "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "error.log")]
        check = subprocess.run([*cmd, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused the generated configuration:\n{check.stderr}")
        log = open(self.dir / "nginx-stderr.log", "wb")
        try:
            self.nginx_proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True)
        finally:
            log.close()

    def _wait(self, urls: list[str], what: str, ready=_healthy) -> None:
        deadline = time.monotonic() + self.start_timeout
        waiting = list(urls)
        while waiting:
            for proc in [*self.apps, *([self.nginx_proc] if self.nginx_proc else [])]:
                if proc.poll() is not None:
                    raise RuntimeError(f"{proc.args[0]} exited early ({proc.returncode}):\n{self.log_tails()}")
            waiting = [u for u in waiting if not ready(u)]
            if waiting and time.monotonic() > deadline:
                raise TimeoutError(f"{what} not healthy after {self.start_timeout:.0f} s: {waiting}\n"
                                   f"{self.log_tails()}")
            if waiting:
                time.sleep(0.3)

    def stop(self) -> None:
        """Stop nginx and every app process started here (also after a failed start); idempotent."""
        procs = ([self.nginx_proc] if self.nginx_proc else []) + self.apps
        for proc in procs:  # nginx first: no new requests for processes that are going away
            _signal(proc, signal.SIGTERM)  # nginx: fast shutdown (open websockets would hold a graceful one)
        deadline = time.monotonic() + 15
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal(proc, signal.SIGKILL)
                proc.wait(timeout=10)
        self.nginx_proc, self.apps = None, []
        if self.dir is not None and not self.keep_files:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> LocalDeployment:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _signal(proc: subprocess.Popen, sig: int) -> None:
    """Signal a process started here and its process group (it was started in a session of its own)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("processes", type=int, nargs="?", default=os.cpu_count() or 1,
                    help="app processes to start (default: one per core)")
    ap.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1 (default 8080)")
    ap.add_argument("--app-port", type=int, default=8601,
                    help="the first app process's port; the others follow (default 8601)")
    ap.add_argument("--nginx", default=NGINX, help=f"the nginx binary (default {NGINX})")
    ap.add_argument("--keep-files", action="store_true", help="keep the run directory (logs) after stopping")
    args = ap.parse_args(argv)
    dep = LocalDeployment(args.processes, port=args.port, app_port=args.app_port, nginx=args.nginx,
                          keep_files=args.keep_files)
    # SIGTERM (kill, a service manager) stops everything as Ctrl+C does
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        dep.start()
        print(f"gdcore: {dep.url}/  ({args.processes} processes: "
              + ", ".join(f"{u} pid {p.pid}" for u, p in zip(dep.app_urls, dep.apps)) + ")")
        print(f"logs and nginx files: {dep.dir}  (Ctrl+C stops everything)", flush=True)
        while all(p.poll() is None for p in [dep.nginx_proc, *dep.apps]):
            time.sleep(1)
        print("a process exited; stopping the rest", file=sys.stderr)
        print(dep.log_tails(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        dep.stop()


if __name__ == "__main__":
    sys.exit(main())
