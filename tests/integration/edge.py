"""The provider's SIP edge in tests: Kamailio and rtpengine as real processes on loopback.

    with Rtpengine(addr, log_dir) as rtp, Kamailio(cfg_text, addr, log_dir, defines={...}) as k:
        ...  # send SIP to k.address:k.port, media goes through rtp

Both are context managers that start the daemon in the foreground, wait until it is ready (its
ports bound; rtpengine also answers an ng `ping`), log to a file in `log_dir` (shown by `log()`
and printed when start-up fails) and always stop it (SIGTERM, then SIGKILL) on exit. Start
rtpengine first: Kamailio's rtpengine module marks an engine that does not answer at start-up
dead for a minute.

`edge_address()` hands out a loopback address of its own to each proxy, engine or node of a
test (127.22.<pid>.<n>), free on port 5060, so tests run in parallel and every host keeps the
well-known ports. The shipped proxy config is packaging/kamailio/faxd-edge.cfg (`edge_config()`).
Stdlib only: run with Debian's /usr/bin/python3.
"""
import atexit
import itertools
import os
import random
import shutil
import signal
import socket
import subprocess
import time

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
EDGE_CONFIG = os.path.join(SOURCE_DIR, "packaging", "kamailio", "faxd-edge.cfg")
KAMAILIO = shutil.which("kamailio") or "/usr/sbin/kamailio"
RTPENGINE = shutil.which("rtpengine") or "/usr/bin/rtpengine"

_live = []
_host_seq = itertools.count(1)


@atexit.register
def _kill_leftovers():
    for p in _live:
        if p.poll() is None:
            p.kill()


def available():
    """None when Kamailio and rtpengine can run here, else why not (for skipTest)."""
    for path in (KAMAILIO, RTPENGINE):
        if not os.access(path, os.X_OK):
            return f"{path} is not installed (scripts/deps.sh test installs it)"
    return None


def _bindable(address, port):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind((address, port))
            except OSError:
                return False
    return True


def edge_address(port=5060):
    """A loopback address of this process's own, with `port` free on it (UDP and TCP)."""
    third = os.getpid() % 250 + 1
    for _ in range(250):
        n = next(_host_seq)
        address = f"127.22.{third}.{n % 250 + 1}"
        if _bindable(address, port):
            return address
    raise RuntimeError("no free loopback address for an edge host")


def _bound(proto, address, port):
    """True when some socket is bound on address:port (read from /proc/net)."""
    want = "%08X:%04X" % (int.from_bytes(socket.inet_aton(address), "little"), port)
    try:
        with open(f"/proc/net/{proto}") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[1] == want and (proto == "udp" or fields[3] == "0A"):  # 0A: LISTEN
                    return True
    except OSError:
        pass
    return False


class _Daemon:
    name = "daemon"

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        self.log_dir = log_dir
        self.log_path = os.path.join(log_dir, f"{self.name}-{next(_host_seq)}.log")
        self.proc = None
        self._log = None

    def _spawn(self, cmd):
        self._log = open(self.log_path, "ab")
        self._log.write(("$ " + " ".join(cmd) + "\n").encode())
        self._log.flush()
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        _live.append(self.proc)

    def _wait(self, ready, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            if ready():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready in {timeout}s:\n{self.log()}")

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-20000:]
        except OSError:
            return ""

    def stop(self, timeout=10):
        if self.proc and self.proc.poll() is None:
            # Its own session: the whole process group (Kamailio forks workers) goes.
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                self.proc.wait()
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


class Rtpengine(_Daemon):
    """rtpengine in userspace (`--table=-1`) on `address`: media ports port_min..port_max, the
    ng control protocol on address:ng_port (what Kamailio's rtpengine module talks to)."""

    name = "rtpengine"

    def __init__(self, address, log_dir, ng_port=2223, port_min=None, port_max=None,
                 extra_args=(), timeout=20):
        super().__init__(log_dir)
        self.address = address
        self.ng_port = ng_port
        if port_min is None:
            port_min = 30000 + (os.getpid() % 50) * 400 + (next(_host_seq) % 4) * 100
        self.port_min = port_min
        self.port_max = port_max if port_max is not None else port_min + 99
        self._spawn([RTPENGINE, "--config-file=none", "--table=-1", "--foreground",
                     "--log-stderr", "--log-level=6", f"--interface={address}",
                     f"--listen-ng={address}:{ng_port}", f"--port-min={self.port_min}",
                     f"--port-max={self.port_max}", "--num-threads=2", "--delete-delay=0",
                     *extra_args])
        self._wait(self._pong, timeout)

    @property
    def ng_socket(self):
        """The value of Kamailio's rtpengine_sock parameter for this engine."""
        return f"udp:{self.address}:{self.ng_port}"

    def command(self, body, timeout=2.0):
        """Sends one ng command (bencoded dict `body`, bytes) and returns the raw reply."""
        cookie = f"{random.getrandbits(32):08x}".encode()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(cookie + b" " + body, (self.address, self.ng_port))
            data, _ = s.recvfrom(65535)
        return data[len(cookie) + 1:] if data.startswith(cookie + b" ") else data

    def _pong(self):
        if not _bound("udp", self.address, self.ng_port):
            return False
        try:
            return b"pong" in self.command(b"d7:command4:pinge", timeout=0.5)
        except OSError:
            return False


class Kamailio(_Daemon):
    """Kamailio 5.6 in the foreground with `config_text` (written to the log dir), listening on
    `address`:`port` over UDP and TCP. `defines` become `-A NAME=value` pre-processor defines
    (strings need their quotes in the value, e.g. {"TARGET": '"sip:127.0.0.1:5080"'})."""

    name = "kamailio"

    def __init__(self, config_text, address, log_dir, port=5060, defines=None, tcp=True,
                 timeout=30):
        super().__init__(log_dir)
        self.address = address
        self.port = port
        self.config_path = os.path.join(log_dir, f"kamailio-{address}.cfg")
        with open(self.config_path, "w") as f:
            f.write(config_text)
        self.run_dir = os.path.join(log_dir, f"kamailio-{address}.run")
        os.makedirs(self.run_dir, exist_ok=True)
        cmd = [KAMAILIO, "-f", self.config_path, "-DD", "-E", "-m", "64", "-M", "8",
               "-Y", self.run_dir, "-P", os.path.join(self.run_dir, "kamailio.pid"),
               "-A", f'LISTEN_ADDR={address}', "-A", f"LISTEN_PORT={port}"]
        for k, v in (defines or {}).items():
            cmd += ["-A", f"{k}={v}" if v is not None else k]
        # Check the config first: a syntax error reads better than a timeout.
        check = subprocess.run(cmd[:3] + ["-c"] + cmd[3:], capture_output=True, text=True,
                               timeout=60)
        if check.returncode != 0:
            raise RuntimeError(f"kamailio rejects {self.config_path}:\n{check.stderr[-6000:]}")
        self._spawn(cmd)
        self._wait(lambda: _bound("udp", address, port) and (not tcp or _bound("tcp", address, port)),
                   timeout)
        time.sleep(0.3)  # bound before its children are forked; give them a moment

    @property
    def uri(self):
        return f"sip:{self.address}:{self.port}"


def edge_config():
    """The text of the shipped proxy config (packaging/kamailio/faxd-edge.cfg)."""
    with open(EDGE_CONFIG) as f:
        return f.read()
