"""Runs real faxd processes on loopback for integration tests.

Each Faxd gets its own temporary data directory and free ports, logs to a file in that
directory (printed when a test fails), and is stopped with SIGTERM at the end. Stdlib only: run
with Debian's /usr/bin/python3 (python3-aiosmtpd is needed only by the mail tests).
"""
import atexit
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

FAXD_BIN = os.environ.get("FAXD_BIN", os.path.join(os.path.dirname(__file__), "../../build/faxd"))
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
SHARED_DIR = os.environ.get("FAXD_SHARED", os.path.join(SOURCE_DIR, "..", "shared"))
_live = []
_media_slot = iter(range(1_000_000))
_process_slot = None


def process_slot():
    """This test process's own slot 0..39 while it runs (a lock file held until it exits), so that
    tests run in parallel (ctest -j) never share a media port range: each process gets 20000 +
    slot * 1000 and up to five daemons 200 ports apart in it (media_block()). The lock files are
    in the system's temporary directory even where a bench moved tempfile's (its data dirs under
    its WORK_DIR), so a bench and the tests beside it never take the same slot."""
    global _process_slot
    if _process_slot is None:
        import fcntl
        lock_dir = os.path.join(os.environ.get("TMPDIR") or "/tmp", "faxd-test-slots")
        os.makedirs(lock_dir, exist_ok=True)
        for slot in list(range(os.getpid() % 40, 40)) + list(range(0, os.getpid() % 40)):
            fd = os.open(os.path.join(lock_dir, f"{slot}.lock"), os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            _process_slot = (slot, fd)  # the fd stays open: the lock lives as long as we do
            break
        else:
            raise RuntimeError("more than 40 integration test processes at once")
    return _process_slot[0]


def media_block():
    """The ports of this process's media ranges (the five daemons' of its slot, ends included)."""
    base = 20000 + process_slot() * 1000
    return range(base, base + 1001)


@atexit.register
def _kill_leftovers():
    for p in _live:
        if p.poll() is None:
            p.kill()


def free_port(kind=socket.SOCK_STREAM, even=False):
    """A port that is free for both UDP and TCP right now, outside this process's media ranges
    (slots 13 to 39 put them among the kernel's ephemeral ports, which it hands out here: a SIP
    port inside its own daemon's media range made the loss relay, which binds both on one alias,
    fail with "Address already in use")."""
    block = media_block()
    for _ in range(200):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if (even and port % 2) or port in block:
            continue
        try:
            for k in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                with socket.socket(socket.AF_INET, k) as t:
                    t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v)


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Faxd:
    """One faxd process. `config` overrides sections of the generated TOML."""

    def __init__(self, config=None, name="faxd"):
        self.dir = tempfile.mkdtemp(prefix=f"{name}-")
        self.http_port = free_port()
        self.sip_port = free_port()
        # Disjoint media port ranges: per test process (pid) and per daemon within it.
        media_base = 20000 + process_slot() * 1000 + (next(_media_slot) % 5) * 200
        self.config = {
            "daemon": {"data_dir": os.path.join(self.dir, "var"), "shutdown_grace_s": 10},
            "http": {"listen": f"127.0.0.1:{self.http_port}"},
            "sip": {"listen": f"127.0.0.1:{self.sip_port}"},
            "media": {"address": "127.0.0.1", "port_min": media_base, "port_max": media_base + 200},
            "admin": {"username": "admin", "password": "admin-pass"},
            "log": {"level": "debug"},
        }
        for section, values in (config or {}).items():
            self.config.setdefault(section, {}).update(values)
        self.config_path = os.path.join(self.dir, "faxd.toml")
        self.log_path = os.path.join(self.dir, "faxd.log")
        self.proc = None
        self.write_config()

    def write_config(self):
        with open(self.config_path, "w") as f:
            for section, values in self.config.items():
                f.write(f"[{section}]\n")
                for k, v in values.items():
                    f.write(f"{k} = {toml_value(v)}\n")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, wait=True):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([FAXD_BIN, "--config", self.config_path],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        _live.append(self.proc)
        if wait:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"faxd exited with {self.proc.returncode}:\n{self.log()}")
            try:
                status, _, _ = self.request("GET", "/healthz", raw=True)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"faxd did not become healthy:\n{self.log()}")

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Signals faxd and returns (exit code, seconds it took)."""
        if not self.proc or self.proc.poll() is not None:
            return (self.proc.returncode if self.proc else None), 0.0
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._log.close()
        return code, time.monotonic() - t0

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            self._log.close()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-20000:]
        except OSError:
            return ""

    def connection(self, timeout=30):
        """HTTP, or HTTPS trusting the daemon's own certificate when [http] tls_cert is set."""
        cert = self.config["http"].get("tls_cert")
        if not cert:
            return http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
        return http.client.HTTPSConnection("127.0.0.1", self.http_port, timeout=timeout,
                                           context=ssl.create_default_context(cafile=cert))

    def request(self, method, path, body=None, headers=None, token=None, raw=False, timeout=30):
        conn = self.connection(timeout)
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=hdrs)
        res = conn.getresponse()
        data = res.read()
        conn.close()
        headers = {}
        for k, v in res.getheaders():  # repeated headers (Set-Cookie) are joined by newlines
            headers[k.lower()] = headers[k.lower()] + "\n" + v if k.lower() in headers else v
        return res.status, headers, data

    def api(self, method, path, body=None, token=None, expect=None, headers=None):
        """JSON call to /api/v1; raises ApiError on an unexpected status."""
        status, _, data = self.request(method, "/api/v1" + path, body, headers=headers, token=token)
        parsed = json.loads(data) if data else None
        if expect is not None and status != expect:
            raise ApiError(status, parsed)
        if expect is None and status >= 400:
            raise ApiError(status, parsed)
        return parsed

    def login(self, username="admin", password="admin-pass"):
        return self.api("POST", "/login", {"username": username, "password": password})["token"]

    def metric(self, name, **labels):
        """The value of one series of /metrics, e.g. metric("faxd_faxes_total", direction=...,
        result=...); 0 when the series is absent (a counter not yet incremented)."""
        _, _, body = self.request("GET", "/metrics", raw=True)
        want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
                       if labels else "")
        for line in body.decode().splitlines():
            series, _, value = line.rpartition(" ")
            if series == want:
                return float(value)
        return 0.0


class FaxdTestCase(unittest.TestCase):
    """Stops every faxd a test started and prints its log when the test failed."""

    def setUp(self):
        self.daemons = []

    def faxd(self, config=None, start=True, name="faxd"):
        d = Faxd(config, name=name)
        self.daemons.append(d)
        if start:
            d.start()
        return d

    def tearDown(self):
        failed = any(err for _, err in getattr(self._outcome, "errors", []) if err) if hasattr(self._outcome, "errors") else False
        result = getattr(self._outcome, "result", None)
        if result is not None and (result.failures or result.errors):
            failed = True
        for d in self.daemons:
            d.stop()
            if failed:
                print(f"\n----- log of {d.dir} -----\n{d.log()}")
