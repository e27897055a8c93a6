"""Replays the findings of the security review (issue #23) against the real binary and shows each
fix: a logged-in user or a spoofed packet must not be able to stall, reflect through, reach
inside or lock out. docs/reliability.md ("Security review") records the results.

Deadlines here are generous waits for conditions, never timing assertions: the box is shared.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import FaxdTestCase, free_port
from tenant import multipart, provision


def pdf_bomb(depth=10, fanout=10):
    """A ~4 KB PDF whose one page draws form XObject 0, which draws form 1 `fanout` times, and so
    on `depth` levels down: fanout**depth drawing operations for the renderer, for a few bytes."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /XObject << /F0 5 0 R >> >> /Contents 4 0 R >>"]
    content = b"q /F0 Do Q"
    objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    for level in range(depth):
        num = 5 + level
        if level + 1 < depth:
            ops = b" ".join(b"q 1 0 0 1 %d %d cm /F Do Q" % (i, i) for i in range(fanout))
            res = b"/Resources << /XObject << /F %d 0 R >> >>" % (num + 1)
        else:
            ops = b"0 0 m 612 792 l 0 792 l h f 10 10 300 300 re S"
            res = b"/Resources << >>"
        objs.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] %s /Length %d >>\n"
                    b"stream\n" % (res, len(ops)) + ops + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def start_bomb_preview(test, d, token):
    """POSTs a preview of pdf_bomb() and leaves it converting (its answer is never read; the
    connection closes when `test` ends). Returns the request's (body, content type)."""
    body, ctype = multipart({"quality": "fine"},
                            [("file", "bomb.pdf", pdf_bomb(), "application/pdf")])
    conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=300)
    test.addCleanup(conn.close)
    conn.request("POST", "/api/v1/faxes/preview", body=body,
                 headers={"Content-Type": ctype, "Authorization": f"Bearer {token}"})
    return body, ctype


def children_of(pid):
    """Pids of the processes whose parent is `pid` (the forked converters)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return out


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def request_from(d, source, method, path, body=None, headers=None, timeout=60):
    """One HTTP request from a chosen loopback source address."""
    conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=timeout,
                                      source_address=(source, 0))
    hdrs = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=body, headers=hdrs)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, {k.lower(): v for k, v in res.getheaders()}, data


def sip_invite(to_user, source_ip, sip_port, call_id, via_port):
    return (f"INVITE sip:{to_user}@127.0.0.1:{sip_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {source_ip}:{via_port};rport;branch=z9hG4bK{call_id}\r\n"
            f"Max-Forwards: 70\r\n"
            f"To: <sip:{to_user}@127.0.0.1>\r\n"
            f"From: <sip:+15550009999@{source_ip}>;tag=t{call_id}\r\n"
            f"Call-ID: {call_id}@security-test\r\n"
            f"CSeq: 1 INVITE\r\n"
            f"Contact: <sip:caller@{source_ip}:{via_port}>\r\n"
            f"Content-Length: 0\r\n\r\n").encode()


def sip_answers(sock, wait):
    """Every datagram that arrives on `sock` within `wait` seconds."""
    got = []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data, _ = sock.recvfrom(65536)
            got.append(data.decode(errors="replace"))
        except socket.timeout:
            break
    return got


class Conversions(FaxdTestCase):
    """Finding 1: four previews of a small PDF bomb took all four shared worker threads."""

    def test_bomb_previews_leave_health_login_and_inbound_calls_answering(self):
        d = self.faxd(config={"conversion": {"workers": 4, "queue": 0, "per_tenant": 4,
                                             "page_timeout_s": 60, "timeout_s": 120}})
        t = provision(d, carrier_host="127.0.0.1", ddi="+15550002000")
        bomb = pdf_bomb()
        self.assertLess(len(bomb), 5000)
        body, ctype = multipart({"quality": "fine"}, [("file", "bomb.pdf", bomb, "application/pdf")])
        results, conns = [], []

        def preview():
            conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=300)
            conns.append(conn)
            try:
                conn.request("POST", "/api/v1/faxes/preview", body=body,
                             headers={"Content-Type": ctype, "Authorization": f"Bearer {t['token']}"})
                res = conn.getresponse()
                results.append(res.status)
                res.read()
            except OSError:
                results.append("closed")

        threads = [threading.Thread(target=preview, daemon=True) for _ in range(4)]
        for th in threads:
            th.start()
        pid = d.proc.pid
        wait_until(lambda: len(children_of(pid)) >= 4, 60, "four converters running")
        converters = children_of(pid)

        # A fifth conversion is refused at once (the lane is full), with a time to come back.
        status, headers, _ = d.request("POST", "/api/v1/faxes/preview", body,
                                       headers={"Content-Type": ctype}, token=t["token"])
        self.assertEqual(status, 429)
        self.assertGreater(int(headers["retry-after"]), 0)

        # Meanwhile health, a login of another tenant and an inbound call decision all answer.
        status, _, _ = d.request("GET", "/healthz", raw=True, timeout=30)
        self.assertEqual(status, 200)
        admin = d.login()
        self.assertTrue(admin)
        other = provision(d, carrier_host="127.0.0.1", ddi="+15550002001")
        self.assertTrue(other["token"])
        sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sip.bind(("127.0.0.1", 0))
        self.addCleanup(sip.close)
        sip.sendto(sip_invite("+15559999999", "127.0.0.1", d.sip_port, "bombcall",
                              sip.getsockname()[1]), ("127.0.0.1", d.sip_port))
        finals = []
        deadline = time.monotonic() + 30
        while not finals and time.monotonic() < deadline:
            finals = [a for a in sip_answers(sip, 1) if not a.startswith("SIP/2.0 1")]
        self.assertTrue(finals, "no final answer to the INVITE")
        self.assertTrue(finals[0].startswith("SIP/2.0 404"), finals[0].splitlines()[0])
        self.assertNotIn("sofia", finals[0].lower(), "no stack version in User-Agent/Server")
        self.assertEqual(sorted(children_of(pid)), sorted(converters), "bombs still converting")

        # The clients give up: their converters are killed, not left to burn the CPU.
        for conn in list(conns):
            conn.sock.shutdown(socket.SHUT_RDWR)
            conn.close()
        wait_until(lambda: not any(alive(p) for p in converters), 60, "converters killed")
        for th in threads:
            th.join(30)

    def test_a_page_over_its_budget_fails_the_document_and_the_daemon_goes_on(self):
        d = self.faxd(config={"conversion": {"page_timeout_s": 2}})
        t = provision(d, ddi="+15550002100")
        body, ctype = multipart({"quality": "fine"},
                                [("file", "bomb.pdf", pdf_bomb(), "application/pdf")])
        status, _, data = d.request("POST", "/api/v1/faxes/preview", body,
                                    headers={"Content-Type": ctype}, token=t["token"], timeout=120)
        self.assertEqual(status, 422, data)
        self.assertIn("a page took too long", json.loads(data)["error"]["message"])
        wait_until(lambda: not children_of(d.proc.pid), 30, "no converter left")

    def test_one_tenant_cannot_take_the_whole_lane(self):
        d = self.faxd(config={"conversion": {"workers": 2, "queue": 8, "per_tenant": 1,
                                             "page_timeout_s": 60}})
        t = provision(d, ddi="+15550002200")
        body, ctype = start_bomb_preview(self, d, t["token"])
        wait_until(lambda: children_of(d.proc.pid), 60, "the first conversion running")
        status, headers, data = d.request("POST", "/api/v1/faxes/preview", body,
                                          headers={"Content-Type": ctype}, token=t["token"])
        self.assertEqual(status, 429, data)
        self.assertIn("Retry-After".lower(), headers)
        # Another company still converts at once.
        other = provision(d, ddi="+15550002201")
        ok_body, ok_type = multipart({"quality": "standard"},
                                     [("file", "ok.pdf", pdf_bomb(depth=2, fanout=2),
                                       "application/pdf")])
        status, _, data = d.request("POST", "/api/v1/faxes/preview", ok_body,
                                    headers={"Content-Type": ok_type}, token=other["token"],
                                    timeout=120)
        self.assertEqual(status, 200, data)

    def test_converters_die_with_a_killed_daemon(self):
        d = self.faxd()
        t = provision(d, ddi="+15550002300")
        start_bomb_preview(self, d, t["token"])
        converters = wait_until(lambda: children_of(d.proc.pid), 60, "a converter running")
        d.kill()
        wait_until(lambda: not any(alive(p) for p in converters), 30,
                   "the converter to die with faxd")


class Webhooks(FaxdTestCase):
    """Finding 2: any role could point a webhook at 127.0.0.1, the metadata service or the LAN."""

    def test_internal_targets_are_refused_and_an_allowed_one_is_taken(self):
        d = self.faxd(config={"webhooks": {"allow_internal": ["127.0.0.7"]}})
        t = provision(d, ddi="+15550003000")
        for url in ["http://127.0.0.1:8080/", "http://[::1]/", "http://2130706433/",
                    "http://0x7f000001/", "http://localhost/", "http://[::ffff:127.0.0.1]/",
                    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                    "http://192.168.1.1/", "http://[fd00::1]/", "http://224.0.0.1/"]:
            status, _, data = d.request("POST", "/api/v1/webhooks", {"url": url},
                                        token=t["token"])
            self.assertEqual(status, 422, f"{url}: {data}")
            self.assertEqual(json.loads(data)["error"]["field"], "url")
        hook = d.api("POST", "/webhooks", {"url": "http://127.0.0.7:9/hook"}, token=t["token"],
                     expect=201)
        self.assertTrue(hook["id"])


class Logins(FaxdTestCase):
    """Finding 3: five wrong passwords from one address locked the right user out everywhere."""

    def test_the_right_password_works_after_a_strangers_failures(self):
        d = self.faxd()
        refused = None
        for _ in range(12):
            status, headers, _ = request_from(d, "127.0.0.3", "POST", "/api/v1/login",
                                              {"username": "admin", "password": "guess"})
            if status == 429:
                refused = headers
                break
            self.assertEqual(status, 401)
        self.assertIsNotNone(refused, "the guessing address was never slowed down")
        self.assertGreater(int(refused["retry-after"]), 0)
        status, _, _ = request_from(d, "127.0.0.4", "POST", "/api/v1/login",
                                    {"username": "admin", "password": "admin-pass"})
        self.assertEqual(status, 200, "the right password from the user's own address")

    def test_forwarded_addresses_count_only_from_trusted_proxies(self):
        d = self.faxd(config={"http": {"trusted_proxies": ["127.0.0.5"]}})

        def login(source, forwarded, password="guess"):
            return request_from(d, source, "POST", "/api/v1/login",
                                {"username": "admin", "password": password},
                                headers={"X-Forwarded-For": forwarded})[0]

        statuses = [login("127.0.0.5", "203.0.113.9") for _ in range(8)]
        self.assertIn(429, statuses, "one client behind the proxy is throttled")
        self.assertEqual(login("127.0.0.5", "203.0.113.10", "admin-pass"), 200,
                         "another client behind the same proxy is not")
        # From an untrusted peer the header is ignored: its own address is throttled.
        statuses = [login("127.0.0.6", f"198.51.100.{i}") for i in range(8)]
        self.assertIn(429, statuses)

    def test_login_takes_only_json_from_our_own_pages(self):
        d = self.faxd()
        body = json.dumps({"username": "admin", "password": "admin-pass"}).encode()
        status, _, _ = d.request("POST", "/api/v1/login", body,
                                 headers={"Content-Type": "text/plain"})
        self.assertEqual(status, 415)
        status, _, _ = d.request("POST", "/api/v1/login", body,
                                 headers={"Content-Type": "application/json",
                                          "Origin": "https://evil.example"})
        self.assertEqual(status, 403)


class Passwords(FaxdTestCase):
    """Finding 4: a weak bootstrap password is taken only while the web UI is loopback only."""

    def test_a_weak_admin_password_off_loopback_stops_faxd_with_the_reason(self):
        d = self.faxd(config={"http": {"listen": f"0.0.0.0:{free_port()}"},
                              "admin": {"username": "admin", "password": "admin-pass"}},
                      start=False)
        d.start(wait=False)
        code = d.proc.wait(30)
        d._log.close()
        self.assertNotEqual(code, 0)
        self.assertIn("password policy", d.log())
        self.assertIn("loopback", d.log())

    def test_password_change_ends_the_other_sessions(self):
        d = self.faxd()
        t = provision(d, ddi="+15550004000")
        user = next(u for u in d.api("GET", "/users", token=t["admin"])["data"]
                    if u["role"] == "company_admin")
        other = d.login(user["username"], "company-pass-1")
        d.api("POST", "/me/password", {"current_password": "company-pass-1",
                                       "new_password": "violet lamp 7 harbour"},
              token=t["token"], expect=204)
        d.api("GET", "/me", token=t["token"], expect=200)
        d.api("GET", "/me", token=other, expect=401)
        sessions = d.api("GET", "/me/sessions", token=t["token"])["data"]
        self.assertEqual([s["current"] for s in sessions], [True])


class Sip(FaxdTestCase):
    """Finding 5: one spoofed INVITE drew a 100 and eleven 403s (about 20x the bytes)."""

    def spoof(self, d, source):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((source, 0))
        self.addCleanup(sock.close)
        invite = sip_invite("+15550005000", source, d.sip_port, f"spoof{os.getpid()}",
                            sock.getsockname()[1])
        sock.sendto(invite, ("127.0.0.1", d.sip_port))
        # Timer G would retransmit a stateful 403 at 0.5, 1, 2, 4 s...: listen for 9 s.
        return invite, sip_answers(sock, 9)

    def test_a_spoofed_invite_is_answered_at_most_once(self):
        d = self.faxd()
        invite, answers = self.spoof(d, "127.0.0.9")
        self.assertEqual(len(answers), 1, answers)
        self.assertTrue(answers[0].startswith("SIP/2.0 403"), answers[0])
        self.assertLessEqual(len(answers[0]), len(invite))
        self.assertNotIn("sofia", answers[0].lower())
        # The daemon still answers a carrier's call.
        t = provision(d, carrier_host="127.0.0.1", ddi="+15550005001")
        self.assertTrue(t)

    def test_strangers_drop_gets_no_answer_at_all(self):
        d = self.faxd(config={"sip": {"strangers": "drop"}})
        _, answers = self.spoof(d, "127.0.0.9")
        self.assertEqual(answers, [])


class Connections(FaxdTestCase):
    """Finding 6: 2,100 idle connections without a byte refused everyone."""

    def test_an_idle_connection_flood_leaves_room_for_real_clients(self):
        d = self.faxd(config={"http": {"max_connections_per_address": 32,
                                       "first_byte_timeout_s": 3}})
        flood = []
        for _ in range(400):
            s = socket.socket()
            s.settimeout(5)
            s.bind(("127.0.0.8", 0))
            try:
                s.connect(("127.0.0.1", d.http_port))
            except OSError:
                s.close()
                continue
            flood.append(s)
        self.addCleanup(lambda: [s.close() for s in flood])
        # A real client from elsewhere gets in while the flood holds its share.
        status, _, _ = request_from(d, "127.0.0.2", "GET", "/healthz")
        self.assertEqual(status, 200)
        self.assertLessEqual(d.metric("faxd_http_connections"), 32 + 5)
        # The idle ones are closed by the server after the first-byte timeout.
        def closed(s):
            s.settimeout(0.001)
            try:
                return s.recv(1) == b""
            except socket.timeout:
                return False
            except OSError:
                return True
        wait_until(lambda: all(closed(s) for s in flood), 60, "idle connections closed")

    def test_one_user_cannot_hold_every_event_stream(self):
        d = self.faxd(config={"http": {"max_event_streams_per_user": 2}})
        t = provision(d, ddi="+15550006000")
        streams = []
        for _ in range(2):
            conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=30)
            conn.request("GET", "/api/v1/events", headers={"Authorization": f"Bearer {t['token']}"})
            res = conn.getresponse()
            self.assertEqual(res.status, 200)
            streams.append((conn, res))
        self.addCleanup(lambda: [c.close() for c, _ in streams])
        status, headers, _ = d.request("GET", "/api/v1/events", token=t["token"])
        self.assertEqual(status, 429)
        admin_conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=30)
        self.addCleanup(admin_conn.close)
        admin_conn.request("GET", "/api/v1/events", headers={"Authorization": f"Bearer {t['admin']}"})
        self.assertEqual(admin_conn.getresponse().status, 200, "another user still gets a stream")


class AtRest(FaxdTestCase):
    """Smaller findings: files readable by others, secrets in plain text in the database."""

    def test_data_is_private_and_carrier_passwords_are_sealed(self):
        d = self.faxd()
        admin = d.login()
        brand = d.api("POST", "/brands", {"name": "Sealed"}, token=admin)
        d.api("POST", "/carriers", {"brand_id": brand["id"], "name": "k", "host": "127.0.0.1",
                                    "username": "u", "password": "trunk-secret-42"}, token=admin)
        data = d.config["daemon"]["data_dir"]
        self.assertEqual(os.stat(data).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(os.path.join(data, "faxd.db")).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(os.path.join(data, "secret.key")).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(os.path.join(data, "spool")).st_mode & 0o777, 0o700)
        d.stop()
        for name in ("faxd.db", "faxd.db-wal"):
            path = os.path.join(data, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    self.assertNotIn(b"trunk-secret-42", f.read(), name)


if __name__ == "__main__":
    unittest.main()
