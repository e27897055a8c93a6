"""Operations: the Debian package, the systemd unit, /metrics, JSON logs and SIGHUP reloads.

Each check needs a tool of the host (cpack and dpkg-deb, systemd-analyze, promtool) and is
skipped with the reason when it is missing. The package is built with cpack into a temporary
directory from the build directory of FAXD_BIN, so the build tree is left as it was.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from harness import FAXD_BIN, SOURCE_DIR, FaxdTestCase

BUILD_DIR = os.path.dirname(os.path.abspath(FAXD_BIN))
UNIT = os.path.join(SOURCE_DIR, "config", "faxd.service")

# Shared libraries faxd links dynamically: the package must depend on the Debian package of each.
REQUIRED_DEPENDS = ["libspandsp", "libsofia-sip-ua", "libpoppler", "libsqlite3", "libtiff",
                    "libsodium", "libcurl", "adduser"]


def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def send_invite(port):
    """One SIP INVITE over UDP from 127.0.0.1 (no carrier there: faxd refuses it with 403)."""
    call_id = f"ops-{time.monotonic_ns()}@127.0.0.1"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        local = s.getsockname()[1]
        msg = (f"INVITE sip:+15550000100@127.0.0.1:{port} SIP/2.0\r\n"
               f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{time.monotonic_ns()}\r\n"
               "Max-Forwards: 70\r\n"
               f"From: <sip:+15551230000@127.0.0.1:{local}>;tag=ops1\r\n"
               f"To: <sip:+15550000100@127.0.0.1:{port}>\r\n"
               f"Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\n"
               f"Contact: <sip:ops@127.0.0.1:{local}>\r\nContent-Length: 0\r\n\r\n")
        s.settimeout(5)
        s.sendto(msg.encode(), ("127.0.0.1", port))
        while True:  # skip a 100 Trying
            reply = s.recv(65535).decode(errors="replace")
            if not reply.startswith("SIP/2.0 1"):
                return reply.split("\r\n", 1)[0]


def wait_for(predicate, timeout=15, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class DebianPackageTest(unittest.TestCase):
    """Builds the .deb once and inspects it as dpkg would see it."""

    @classmethod
    def setUpClass(cls):
        if not (shutil.which("cpack") and shutil.which("dpkg-deb")):
            raise unittest.SkipTest("cpack or dpkg-deb missing (scripts/deps.sh package)")
        config = os.path.join(BUILD_DIR, "CPackConfig.cmake")
        if not os.path.exists(config):
            raise unittest.SkipTest(f"{config} missing: FAXD_BIN is not in a CMake build directory")
        cls.tmp = tempfile.mkdtemp(prefix="faxd-deb-")
        res = run(["cpack", "-G", "DEB", "--config", config, "-B", cls.tmp,
                   "-D", f"CPACK_OUTPUT_FILE_PREFIX={cls.tmp}"], timeout=600, cwd=BUILD_DIR)
        if res.returncode != 0:
            raise AssertionError(f"cpack failed:\n{res.stdout}\n{res.stderr}")
        debs = [f for f in os.listdir(cls.tmp) if f.endswith(".deb")]
        if len(debs) != 1:
            raise AssertionError(f"expected one .deb in {cls.tmp}, found {debs}")
        cls.deb = os.path.join(cls.tmp, debs[0])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def control_field(self, name):
        res = run(["dpkg-deb", "-f", self.deb, name])
        self.assertEqual(res.returncode, 0, res.stderr)
        return res.stdout.strip()

    def control_file(self, name):
        res = run(["dpkg-deb", "-I", self.deb, name])
        self.assertEqual(res.returncode, 0, f"{name}: {res.stderr}")
        return res.stdout

    def packaged_file(self, path):
        tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", self.deb], capture_output=True, check=True)
        res = subprocess.run(["tar", "-xO", "-f", "-", "." + path], input=tar.stdout, capture_output=True)
        self.assertEqual(res.returncode, 0, res.stderr.decode(errors="replace"))
        return res.stdout.decode()

    def test_name_version_and_architecture(self):
        self.assertEqual(self.control_field("Package"), "faxd")
        self.assertRegex(self.control_field("Version"), r"^\d+\.\d+\.\d+")
        arch = run(["dpkg", "--print-architecture"]).stdout.strip() if shutil.which("dpkg") else None
        if arch:
            self.assertEqual(self.control_field("Architecture"), arch)
        self.assertEqual(os.path.basename(self.deb),
                         f"faxd_{self.control_field('Version')}_{self.control_field('Architecture')}.deb")

    def test_contains_daemon_config_unit_and_docs(self):
        listing = run(["dpkg-deb", "-c", self.deb]).stdout
        entries = {}
        for line in listing.splitlines():
            fields = line.split()
            entries[fields[-1].lstrip(".")] = fields[0]
        self.assertRegex(entries.get("/usr/bin/faxd", ""), r"^-rwxr-xr-x", listing)
        self.assertRegex(entries.get("/etc/faxd/faxd.toml", ""), r"^-rw-", listing)
        self.assertIn("/lib/systemd/system/faxd.service", entries, listing)
        for doc in ("README.md", "admin-guide.md", "api-guide.md"):
            self.assertIn(f"/usr/share/doc/faxd/{doc}", entries, listing)
        self.assertFalse([p for p in entries if p.startswith(("/usr/include", "/usr/lib/cmake"))],
                         "development files in the package")

    def test_config_is_a_conffile(self):
        self.assertEqual(self.control_file("conffiles").split(), ["/etc/faxd/faxd.toml"])

    def test_depends_on_the_shared_libraries(self):
        depends = [d.strip().split(" ")[0] for d in self.control_field("Depends").split(",")]
        for lib in REQUIRED_DEPENDS:
            self.assertTrue(any(d.startswith(lib) for d in depends), f"no {lib}* in Depends: {depends}")
        # Every library the binary loads is provided by some dependency (dpkg-shlibdeps ran).
        self.assertTrue(any(d.startswith("libc6") for d in depends), depends)

    def test_postinst_creates_the_system_user(self):
        postinst = self.control_file("postinst")
        self.assertTrue(postinst.startswith("#!/bin/sh"), postinst[:40])
        self.assertRegex(postinst, r"adduser --system --group[^\n]* faxd")
        self.assertIn("/var/lib/faxd", postinst)
        self.assertEqual(run(["sh", "-n", "-c", postinst]).returncode, 0, "postinst is not valid sh")
        self.assertEqual(run(["sh", "-n", "-c", self.control_file("prerm")]).returncode, 0)

    def test_packaged_config_is_for_a_server(self):
        toml = self.packaged_file("/etc/faxd/faxd.toml")
        self.assertRegex(toml, r'\ndata_dir = "/var/lib/faxd"')
        self.assertRegex(toml, r'\n\[demo\]\nenabled = false')
        self.assertRegex(toml, r'\n\[admin\]\n[^\[]*\npassword = ""')
        with tempfile.NamedTemporaryFile("w", suffix=".toml") as f:
            f.write(toml)
            f.flush()
            res = run([FAXD_BIN, "--check-config", "--config", f.name])
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

    def test_packaged_unit_is_the_source_unit(self):
        with open(UNIT) as f:
            self.assertEqual(self.packaged_file("/lib/systemd/system/faxd.service"), f.read())


class SystemdUnitTest(unittest.TestCase):
    def test_unit_verifies_and_is_hardened(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze missing")
        with open(UNIT) as f:
            unit = f.read()
        for line in ("User=faxd", "ExecStart=/usr/bin/faxd --config /etc/faxd/faxd.toml",
                     "StateDirectory=faxd", "NoNewPrivileges=yes", "ProtectSystem=strict",
                     "ProtectHome=yes", "PrivateTmp=yes", "ExecReload=/bin/kill -HUP $MAINPID"):
            self.assertIn("\n" + line + "\n", unit)
        # /usr/bin/faxd need not exist here: verify a copy that starts the binary under test.
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "faxd.service")
            with open(copy, "w") as f:
                f.write(unit.replace("/usr/bin/faxd", os.path.abspath(FAXD_BIN)))
            res = run(["systemd-analyze", "verify", copy])
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            self.assertNotIn("faxd.service", res.stdout + res.stderr, "warnings about the unit")


class RunningDaemonTest(FaxdTestCase):
    def test_metrics_pass_promtool(self):
        promtool = shutil.which("promtool")
        if not promtool:
            self.skipTest("promtool missing (Debian package prometheus; scripts/deps.sh test)")
        d = self.faxd()
        d.request("GET", "/healthz")
        d.request("GET", "/api/v1/me")  # a 401: requests by status show up in the counters
        status, headers, body = d.request("GET", "/metrics", raw=True)
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"), headers["content-type"])
        text = body.decode()
        for name in ("faxd_http_requests_total", "faxd_http_request_duration_seconds_bucket",
                     "faxd_fax_sessions_active", "faxd_queue_depth", "faxd_mail_outbox_depth",
                     "faxd_faxes_total", "faxd_calls_total", "faxd_fax_pages_total", "faxd_retries_total"):
            self.assertRegex(text, rf"(?m)^{name}[{{ ]", name)
        self.assertRegex(text, r'(?m)^faxd_http_requests_total\{[^}]*status="401"[^}]*\} [1-9]')
        res = run([promtool, "check", "metrics"], input=text)
        # promtool exits 0 for lint hints only (exit 3); exit 1 is a format error.
        self.assertIn(res.returncode, (0, 3), res.stdout + res.stderr)
        self.assertNotRegex(res.stdout + res.stderr, r"error while linting|text format parsing error")

    def test_json_log_lines_are_objects_with_an_event(self):
        d = self.faxd({"log": {"level": "debug", "format": "json"}})
        d.api("POST", "/login", {"username": "admin", "password": "wrong"}, expect=401)
        d.login()
        code, _ = d.stop()
        self.assertEqual(code, 0)
        lines = [line for line in d.log().splitlines() if line.strip()]
        events = []
        for line in lines:
            try:
                obj = json.loads(line)
            except ValueError:
                self.fail(f"not JSON: {line!r}")
            self.assertIsInstance(obj, dict, line)
            self.assertIsInstance(obj.get("event"), str, line)
            events.append(obj)
        names = [e["event"] for e in events]
        for name in ("daemon.started", "api.login_failed", "api.login", "daemon.stopped"):
            self.assertIn(name, names)
        login = next(e for e in events if e["event"] == "api.login")
        self.assertIn("admin", json.dumps(login), "key=value fields are kept")

    def test_sighup_reloads_the_log_level(self):
        d = self.faxd({"log": {"level": "info", "format": "json"}})
        wait_for(lambda: "daemon.started" in d.log(), what="daemon.started")
        self.assertEqual(send_invite(d.sip_port), "SIP/2.0 403 Forbidden")
        before = d.log()
        self.assertNotIn("sip.source_refused", before, "debug lines at level info")
        d.config["log"]["level"] = "debug"
        d.write_config()
        d.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "daemon.reloaded" in d.log(), what="daemon.reloaded")
        # Debug-level activity after the reload: an INVITE from a host that is not a carrier.
        self.assertEqual(send_invite(d.sip_port), "SIP/2.0 403 Forbidden")
        wait_for(lambda: any(json.loads(line).get("event") == "sip.source_refused"
                             for line in d.log()[len(before):].splitlines() if line.strip()),
                 what="a debug line after the reload")
        self.assertIsNone(d.proc.poll(), "faxd exited on SIGHUP")
        self.assertEqual(d.stop()[0], 0)


if __name__ == "__main__":
    unittest.main()
