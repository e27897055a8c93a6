"""The daemon's outside: CLI, config checking, health, the web page, auth, limits, SIGTERM."""
import os
import signal
import socket
import subprocess
import time
import unittest

from harness import FAXD_BIN, SOURCE_DIR, Faxd, FaxdTestCase


class CommandLine(unittest.TestCase):
    def run_faxd(self, *args):
        return subprocess.run([FAXD_BIN, *args], capture_output=True, text=True, timeout=30)

    def test_version_and_help(self):
        v = self.run_faxd("--version")
        self.assertEqual(v.returncode, 0)
        self.assertRegex(v.stdout, r"^faxd \d+\.\d+\.\d+")
        h = self.run_faxd("--help")
        self.assertEqual(h.returncode, 0)
        for word in ("--config", "--check-config", "convert", "SIGTERM"):
            self.assertIn(word, h.stdout)

    def test_check_config_accepts_the_shipped_config(self):
        r = self.run_faxd("--check-config", "--config", os.path.join(SOURCE_DIR, "config/faxd.toml"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_check_config_names_the_line_of_a_wrong_type(self):
        d = Faxd()
        with open(d.config_path, "w") as f:
            f.write('[daemon]\ndata_dir = "var"\n[http]\nlisten = 8080\n[log]\nlevel = "loud"\n')
        r = self.run_faxd("--check-config", "--config", d.config_path)
        self.assertEqual(r.returncode, 1)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(lines[0], f"{d.config_path}:4: http.listen: expected a string, got an integer")
        self.assertTrue(lines[1].startswith(f"{d.config_path}:6: log.level:"), lines)

    def test_daemon_refuses_a_bad_config_without_starting(self):
        d = Faxd()
        with open(d.config_path, "a") as f:
            f.write("[t38]\nredundancy = \"lots\"\n")
        r = self.run_faxd("--config", d.config_path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("t38.redundancy: expected an integer", r.stderr)

    def test_first_start_without_admin_password_is_refused_clearly(self):
        d = Faxd({"admin": {"password": ""}})
        r = self.run_faxd("--config", d.config_path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("admin.password is required on first start", r.stdout + r.stderr)


class Daemon(FaxdTestCase):
    def test_health_web_page_and_openapi(self):
        d = self.faxd()
        status, _, body = d.request("GET", "/healthz")
        self.assertEqual((status, body), (200, b"ok\n"))
        status, headers, body = d.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["content-type"])
        self.assertIn(b"<title>faxd</title>", body)
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        self.assertIn("frame-ancestors 'none'", headers["content-security-policy"])
        status, headers, body = d.request("GET", "/app.js")
        self.assertEqual(status, 200)
        self.assertIn("javascript", headers["content-type"])
        doc = d.api("GET", "/openapi.json")
        self.assertEqual(doc["openapi"], "3.1.0")
        self.assertIn("/login", doc["paths"])

    def test_api_needs_credentials_and_answers_in_the_error_shape(self):
        d = self.faxd()
        status, _, body = d.request("GET", "/api/v1/me")
        self.assertEqual(status, 401)
        self.assertIn(b'"code":"unauthenticated"', body)
        status, _, _ = d.request("GET", "/api/v1/me", token="fxd_not_a_real_token")
        self.assertEqual(status, 401)
        status, _, body = d.request("GET", "/api/v1/no-such-thing")
        self.assertEqual(status, 404)
        self.assertIn(b'"error"', body)

    def test_first_start_creates_the_platform_admin_who_can_log_in(self):
        d = self.faxd()
        token = d.login()
        me = d.api("GET", "/me", token=token)
        self.assertEqual(me["username"], "admin")
        self.assertEqual(me["role"], "platform_admin")
        with self.assertRaises(Exception):
            d.login(password="wrong")
        # The session survives a restart; the admin is not created twice.
        d.stop()
        d.start()
        self.assertEqual(d.api("GET", "/me", token=token)["role"], "platform_admin")
        self.assertNotIn("admin_created", d.log().split("daemon.stopped")[-1])

    def test_cookie_session_needs_the_csrf_header_to_change_state(self):
        d = self.faxd()
        status, headers, body = d.request("POST", "/api/v1/login",
                                          {"username": "admin", "password": "admin-pass"})
        self.assertEqual(status, 200)
        set_cookies = {line.split("=", 1)[0]: line for line in headers["set-cookie"].split("\n")}
        session = set_cookies["faxd_session"].split(";")[0].split("=", 1)[1]
        csrf = set_cookies["faxd_csrf"].split(";")[0].split("=", 1)[1]
        self.assertIn("HttpOnly", set_cookies["faxd_session"])
        self.assertIn("SameSite=Strict", set_cookies["faxd_session"])
        self.assertNotIn("HttpOnly", set_cookies["faxd_csrf"], "the UI must read the CSRF cookie")
        cookie = f"faxd_session={session}; faxd_csrf={csrf}"
        status, _, _ = d.request("GET", "/api/v1/me", headers={"Cookie": cookie})
        self.assertEqual(status, 200)
        status, _, _ = d.request("POST", "/api/v1/logout", headers={"Cookie": cookie})
        self.assertEqual(status, 403)
        status, _, _ = d.request("POST", "/api/v1/logout", headers={"Cookie": cookie, "X-CSRF-Token": csrf})
        self.assertEqual(status, 204)
        status, _, _ = d.request("GET", "/api/v1/me", headers={"Cookie": cookie})
        self.assertEqual(status, 401)

    def test_oversized_body_is_refused_before_it_is_read(self):
        d = self.faxd()
        s = socket.create_connection(("127.0.0.1", d.http_port))
        s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 50000000\r\n\r\n")
        s.settimeout(5)
        reply = s.recv(4096)
        s.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:80])

    def test_garbage_and_huge_headers_get_4xx_and_the_daemon_keeps_serving(self):
        d = self.faxd()
        for payload in (b"\x00\xff garbage\r\n\r\n", b"GET / HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n"):
            s = socket.create_connection(("127.0.0.1", d.http_port))
            s.settimeout(5)
            try:
                s.sendall(payload)
                reply = s.recv(4096)
            except ConnectionResetError:
                reply = b"HTTP/1.1 4"
            s.close()
            self.assertTrue(reply.startswith(b"HTTP/1.1 4"), reply[:80])
        self.assertEqual(d.request("GET", "/healthz")[0], 200)

    def test_slow_client_is_cut_off_by_the_header_deadline(self):
        d = self.faxd()
        s = socket.create_connection(("127.0.0.1", d.http_port))
        s.sendall(b"GET / HTTP/1.1\r\n")  # never finishes its headers
        s.settimeout(20)
        t0 = time.monotonic()
        try:
            data = s.recv(4096)
        except ConnectionResetError:
            data = b""
        self.assertLess(time.monotonic() - t0, 15)
        self.assertFalse(data.startswith(b"HTTP/1.1 200"))
        s.close()

    def test_sigterm_stops_within_10_seconds_with_exit_0(self):
        d = self.faxd()
        d.login()
        code, took = d.stop(signal.SIGTERM)
        self.assertEqual(code, 0, d.log())
        self.assertLess(took, 10)
        self.assertIn("daemon.stopped", d.log())


if __name__ == "__main__":
    unittest.main()
