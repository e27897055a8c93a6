"""SIP signalling against scripted SIPp peers (tests/integration/sipp/*.xml).

Each test runs `sip_test_peer` (SipEngine with a fake media engine that "finishes the fax" a
moment after media starts, built beside faxd) and one SIPp scenario on loopback. SIPp checks
what faxd sends (SDP included, with regexp actions, a failed check fails the SIPp run); the test
checks what faxd decided (the peer prints MEDIA and OUTCOME lines).
"""
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import FAXD_BIN, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "sipp")
PEER_BIN = os.environ.get("SIP_TEST_PEER",
                          os.path.join(os.path.dirname(os.path.abspath(FAXD_BIN)), "sip_test_peer"))
SIPP = shutil.which("sipp")


class Peer:
    """One sip_test_peer process; stdout lines are collected as they come."""

    def __init__(self, args, workdir):
        self.port = free_port(kind=__import__("socket").SOCK_DGRAM)
        self.err_path = os.path.join(workdir, f"peer-{self.port}.log")
        self._err = open(self.err_path, "wb")
        cmd = [PEER_BIN, "--listen", f"127.0.0.1:{self.port}"] + [str(a) for a in args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._err, text=True)
        self.lines = []
        self._q = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_for("READY")

    def _read(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            self._q.put(line)
        self._q.put(None)

    def wait_for(self, prefix, timeout=20):
        for line in self.lines:
            if line.startswith(prefix):
                return line
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._q.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            if line.startswith(prefix):
                return line
        raise AssertionError(f"peer never printed {prefix!r}; stdout:\n" + "\n".join(self.lines)
                             + "\nlog:\n" + self.log())

    def outcome(self, timeout=20):
        line = self.wait_for("OUTCOME", timeout)
        return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))

    def wait_exit(self, timeout=20):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("peer did not exit; log:\n" + self.log())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(5)
        self.proc.stdout.close()
        self._err.close()

    def log(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()[-15000:]


@unittest.skipUnless(SIPP, "sipp (package sip-tester) is not installed")
class SipTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(PEER_BIN):
            self.fail(f"{PEER_BIN} is not built (target sip_test_peer)")
        self.dir = tempfile.mkdtemp(prefix="sip-test-")
        self.peers = []
        self.sipps = []

    def tearDown(self):
        for p in self.peers:
            p.stop()
        for s in self.sipps:
            if s.poll() is None:
                s.kill()
                s.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def peer(self, *args):
        p = Peer(list(args), self.dir)
        self.peers.append(p)
        return p

    def sipp_cmd(self, scenario, port, local_ip="127.0.0.1", target=None, service="100",
                 transport="u1"):
        cmd = [SIPP, "-sf", scenario, "-i", local_ip, "-p", str(port), "-m", "1", "-s", service,
               "-t", transport, "-timeout", "25", "-timeout_error", "-trace_err", "-trace_msg",
               "-nostdin", "-mp", str(free_port(kind=__import__("socket").SOCK_DGRAM, even=True))]
        if target:
            cmd.append(target)
        return cmd

    def run_uac(self, name, peer, service="100", local_ip="127.0.0.1", scenario_text=None,
                transport="u1"):
        """Runs a caller scenario against the peer; returns (exit code, SIPp's message log)."""
        scenario = os.path.join(SCENARIOS, name)
        if scenario_text is not None:
            scenario = os.path.join(self.dir, name)
            with open(scenario, "w") as f:
                f.write(scenario_text)
        cmd = self.sipp_cmd(scenario, free_port(), local_ip, f"127.0.0.1:{peer.port}", service,
                            transport)
        res = subprocess.run(cmd, cwd=self.dir, stdin=subprocess.DEVNULL, capture_output=True,
                             timeout=40)
        return res.returncode, self.sipp_logs()

    def start_uas(self, name, transport="u1"):
        """Starts a carrier scenario; returns (process, port)."""
        port = free_port()
        cmd = self.sipp_cmd(os.path.join(SCENARIOS, name), port, transport=transport)
        proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.sipps.append(proc)
        time.sleep(0.3)  # let it bind
        return proc, port

    def wait_uas(self, proc):
        try:
            code = proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        return code, self.sipp_logs()

    def sipp_logs(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith((".log",)) and not name.startswith("peer-"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    out.append(f"== {name}\n" + f.read()[-8000:])
        return "\n".join(out)

    def assert_sipp_ok(self, code, logs, peer):
        self.assertEqual(code, 0, f"SIPp scenario failed:\n{logs}\npeer log:\n{peer.log()}")

    def assert_call_ids_in_logs(self, peer):
        events = [l for l in peer.log().splitlines() if re.search(r"\bsip\.\w+", l)]
        self.assertTrue(events)
        for line in events:
            if re.search(r"sip\.(listening|sources_loaded|source_refused|allow_list_ignored)", line):
                continue
            self.assertRegex(line, r"call=\S+", line)

    # (1) a caller offering G.711 that accepts our T.38 re-INVITE with MaxDatagram 176
    def test_inbound_g711_then_our_t38_reinvite(self):
        peer = self.peer("--allow", "127.0.0.1", "--ddi", "100", "--reinvite-after-s", "1",
                         "--fax-ms", "2000")
        code, logs = self.run_uac("uac_g711_accepts_t38.xml", peer)
        self.assert_sipp_ok(code, logs, peer)
        out = peer.outcome()
        self.assertEqual(out["ok"], "1")
        self.assertEqual(out["transport"], "t38")
        self.assertEqual(out["sip_status"], "200")
        t38 = peer.wait_for("MEDIA start_t38")
        self.assertIn("max_datagram=176", t38)
        self.assertIn("remote=127.0.0.1:6002", t38)
        self.assertEqual(peer.wait_exit(), 0)
        self.assert_call_ids_in_logs(peer)

    def test_inbound_over_tcp(self):
        peer = self.peer("--allow", "127.0.0.1", "--ddi", "100", "--reinvite-after-s", "1",
                         "--fax-ms", "2000")
        code, logs = self.run_uac("uac_g711_accepts_t38.xml", peer, transport="t1")
        self.assert_sipp_ok(code, logs, peer)
        out = peer.outcome()
        self.assertEqual(out["ok"], "1")
        self.assertEqual(out["transport"], "t38")
        self.assertIn("TCP message received", logs)

    def test_carrier_style_invite_over_tcp_with_session_timer(self):
        # Supported: 100rel, timer and Session-Expires, as carriers send: the 200 requires
        # timer, the Contact keeps the dialog on TCP, and the carrier's offer back to audio
        # while the T.38 fax runs is refused with 488 (the fax goes on to its end).
        peer = self.peer("--allow", "127.0.0.1", "--ddi", "100", "--reinvite-after-s", "1",
                         "--fax-ms", "4000")
        code, logs = self.run_uac("uac_carrier_timer_tcp.xml", peer, transport="t1")
        self.assert_sipp_ok(code, logs, peer)
        out = peer.outcome()
        self.assertEqual(out["ok"], "1")
        self.assertEqual(out["transport"], "t38")
        self.assertIn("sip.reinvite_refused", peer.log())
        media = [line.split()[1] for line in peer.lines if line.startswith("MEDIA start_")]
        self.assertEqual(media, ["start_audio", "start_t38"], "no way back to audio")

    def test_inbound_peers_own_t38_reinvite(self):
        peer = self.peer("--allow", "127.0.0.1", "--ddi", "100", "--reinvite-after-s", "5",
                         "--fax-ms", "1000")
        code, logs = self.run_uac("uac_g711_sends_t38.xml", peer)
        self.assert_sipp_ok(code, logs, peer)
        out = peer.outcome()
        self.assertEqual(out["ok"], "1")
        self.assertEqual(out["transport"], "t38")
        t38 = peer.wait_for("MEDIA start_t38")
        self.assertIn("max_datagram=200", t38)
        self.assertIn("remote=127.0.0.1:6002", t38)
        self.assertNotIn("sip.t38_reinvite_out", peer.log())

    # (2) a caller offering bare T.38 (m=image with no attributes)
    def test_inbound_bare_t38_offer(self):
        peer = self.peer("--allow", "127.0.0.1", "--ddi", "100", "--fax-ms", "1500")
        code, logs = self.run_uac("uac_bare_t38.xml", peer)
        self.assert_sipp_ok(code, logs, peer)
        out = peer.outcome()
        self.assertEqual(out["ok"], "1")
        self.assertEqual(out["transport"], "t38")
        self.assertIn("version=0", peer.wait_for("MEDIA start_t38"))
        self.assertFalse([l for l in peer.lines if l.startswith("MEDIA start_audio")])
        # The session refresh in the middle did not restart or disturb the fax.
        self.assertEqual(len([l for l in peer.lines if l.startswith("MEDIA start_")]), 1)
        self.assertIn("sip.reinvite_refresh", peer.log())

    # (3) a carrier answering 488 to our re-INVITE: the fax completes on G.711
    def test_outbound_t38_refused_stays_on_g711(self):
        uas, port = self.start_uas("uas_refuses_t38_488.xml")
        # Our re-INVITE as the caller comes at reinvite_after + 3 s (the answering side goes first).
        peer = self.peer("--dial", f"127.0.0.1:{port}", "--to", "5551234", "--reinvite-after-s",
                         "1", "--fax-ms", "6000")
        out = peer.outcome()
        code, logs = self.wait_uas(uas)
        self.assert_sipp_ok(code, logs, peer)
        self.assertEqual(out["ok"], "1", out)
        self.assertEqual(out["transport"], "g711")
        self.assertIn("codec=8", peer.wait_for("MEDIA start_audio"))
        self.assertFalse([l for l in peer.lines if l.startswith("MEDIA start_t38")])
        self.assertIn("sip.t38_refused", peer.log())
        self.assert_call_ids_in_logs(peer)

    # (4) a busy carrier
    def test_outbound_busy(self):
        uas, port = self.start_uas("uas_busy.xml")
        peer = self.peer("--dial", f"127.0.0.1:{port}", "--to", "5551234")
        out = peer.outcome()
        code, logs = self.wait_uas(uas)
        self.assert_sipp_ok(code, logs, peer)
        self.assertEqual(out["ok"], "0")
        self.assertEqual(out["failure"], "busy")
        self.assertEqual(out["sip_status"], "486")

    def test_outbound_busy_over_tcp(self):
        uas, port = self.start_uas("uas_busy.xml", transport="t1")
        peer = self.peer("--dial", f"127.0.0.1:{port}", "--to", "5551234", "--tcp")
        out = peer.outcome()
        code, logs = self.wait_uas(uas)
        self.assert_sipp_ok(code, logs, peer)
        self.assertEqual(out["failure"], "busy")

    def test_public_address_in_contact_via_and_sdp(self):
        uas, port = self.start_uas("uas_busy.xml")
        peer = self.peer("--dial", f"127.0.0.1:{port}", "--to", "5551234", "--public",
                         "127.0.0.5")
        self.assertEqual(peer.outcome()["failure"], "busy")
        code, logs = self.wait_uas(uas)
        self.assert_sipp_ok(code, logs, peer)
        self.assertIn(f"Contact: <sip:127.0.0.5:{peer.port}>", logs)
        self.assertIn(f"Via: SIP/2.0/UDP 127.0.0.5:{peer.port}", logs)
        self.assertIn("c=IN IP4 127.0.0.5", logs)

    # (5) a digest-challenging carrier (401, then 200 to the authenticated INVITE)
    def test_outbound_digest_auth(self):
        uas, port = self.start_uas("uas_digest.xml")
        peer = self.peer("--dial", f"127.0.0.1:{port}", "--to", "5551234", "--user", "faxuser",
                         "--password", "s3cret", "--reinvite-after-s", "1", "--fax-ms", "6000")
        out = peer.outcome()
        code, logs = self.wait_uas(uas)
        self.assert_sipp_ok(code, logs, peer)
        self.assertEqual(out["ok"], "1", out)
        self.assertEqual(out["transport"], "t38")
        self.assertIn("max_datagram=200", peer.wait_for("MEDIA start_t38"))

    def test_outbound_digest_wrong_password_is_rejected(self):
        uas, port = self.start_uas("uas_digest.xml")
        peer = self.peer("--dial", f"127.0.0.1:{port}", "--to", "5551234", "--user", "faxuser",
                         "--password", "wrong")
        out = peer.outcome()
        self.wait_uas(uas)
        self.assertEqual(out["ok"], "0")
        self.assertEqual(out["failure"], "rejected")
        self.assertEqual(out["sip_status"], "403")

    # (6) unknown source -> 403 (without asking the handler); unknown DDI -> 404
    def test_inbound_unknown_source_and_unknown_ddi(self):
        peer = self.peer("--allow", "127.0.0.1", "--ddi", "100", "--calls", "99")
        with open(os.path.join(SCENARIOS, "uac_expect_status.xml")) as f:
            template = f.read()
        code, logs = self.run_uac("expect_403.xml", peer, service="100", local_ip="127.0.0.2",
                                  scenario_text=template.replace("EXPECTED_STATUS", "403"))
        self.assert_sipp_ok(code, logs, peer)
        self.assertFalse([l for l in peer.lines if l.startswith("INVITE")],
                         "the handler was asked about a call from an unknown source")
        code, logs = self.run_uac("expect_404.xml", peer, service="999",
                                  scenario_text=template.replace("EXPECTED_STATUS", "404"))
        self.assert_sipp_ok(code, logs, peer)
        self.assertIn("number=999", peer.wait_for("INVITE"))

    # (7) CANCEL while ringing: ours (user cancel, ring timeout) and the caller's
    def test_outbound_cancel_while_ringing(self):
        uas, port = self.start_uas("uas_ringing_cancel.xml")
        peer = self.peer("--dial", f"127.0.0.1:{port}", "--to", "5551234", "--cancel-after-ms",
                         "800")
        peer.wait_for("PROGRESS kind=0")  # ringing
        out = peer.outcome()
        code, logs = self.wait_uas(uas)
        self.assert_sipp_ok(code, logs, peer)
        self.assertEqual(out["failure"], "canceled")
        self.assertEqual(out["sip_status"], "487")

    def test_outbound_ring_timeout_is_no_answer(self):
        uas, port = self.start_uas("uas_ringing_cancel.xml")
        peer = self.peer("--dial", f"127.0.0.1:{port}", "--to", "5551234", "--ring-timeout-s",
                         "1")
        out = peer.outcome()
        code, logs = self.wait_uas(uas)
        self.assert_sipp_ok(code, logs, peer)
        self.assertEqual(out["failure"], "no_answer")

    def test_inbound_caller_cancels_while_we_decide(self):
        peer = self.peer("--allow", "127.0.0.1", "--slow-ddi", "200")
        code, logs = self.run_uac("uac_cancel_while_ringing.xml", peer, service="200")
        self.assert_sipp_ok(code, logs, peer)
        out = peer.outcome()  # the late accept is told the caller went away
        self.assertEqual(out["failure"], "canceled")
        self.assertFalse([l for l in peer.lines if l.startswith("MEDIA create")])


if __name__ == "__main__":
    unittest.main()
