"""A real fax between two SIP engines: sip_test_peer --media real on both sides.

The sender dials the receiver with G.711 audio, the receiver re-INVITEs to T.38 after
[t38] reinvite_after_s, spandsp sends one page over UDPTL (or G.711 when the sender's carrier
has t38 = false) in real time (about a minute), the receiver hangs up after phase E and both
sides report success; the received TIFF has the page.
"""
import os
import tempfile
import unittest

from harness import SHARED_DIR
from test_sip import PEER_BIN, Peer

TIFF = os.path.join(SHARED_DIR, "corpus", "tiff", "one-page-g4-204x196.tiff")


class SipEndToEndTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(PEER_BIN):
            self.fail(f"{PEER_BIN} is not built (target sip_test_peer)")
        self.dir = tempfile.mkdtemp(prefix="sip-e2e-")
        self.peers = []

    def tearDown(self):
        for p in self.peers:
            p.stop()

    def pair(self, base, name, sender_args=()):
        rx = os.path.join(self.dir, f"{name}-rx.tif")
        receiver = Peer(["--allow", "127.0.0.1", "--ddi", "100", "--media", "real",
                         "--media-ports", f"{base}-{base + 49}", "--rx", rx,
                         "--reinvite-after-s", "1", "--max-s", "240"], self.dir)
        self.peers.append(receiver)
        sender = Peer(["--dial", f"127.0.0.1:{receiver.port}", "--to", "100", "--media", "real",
                       "--media-ports", f"{base + 50}-{base + 99}", "--tiff", TIFF,
                       "--reinvite-after-s", "3", "--max-s", "240", *sender_args], self.dir)
        self.peers.append(sender)
        return sender, receiver, rx

    def check(self, sender, receiver, rx, transport):
        sent = sender.outcome(timeout=240)
        received = receiver.outcome(timeout=30)
        self.assertEqual(sent["ok"], "1", f"{sent}\n{sender.log()}")
        self.assertEqual(received["ok"], "1", f"{received}\n{receiver.log()}")
        self.assertEqual(sent["transport"], transport)
        self.assertEqual(received["transport"], transport)
        self.assertEqual(sent["pages"], "1")
        self.assertEqual(received["pages"], "1")
        with open(rx, "rb") as f:
            self.assertIn(f.read(4), (b"II*\x00", b"MM\x00*"))
        self.assertGreater(os.path.getsize(rx), 10000)
        # The receiver asked for T.38 in both cases.
        self.assertIn("sip.t38_reinvite_out", receiver.log())
        self.assertEqual(sender.wait_exit(), 0)
        self.assertEqual(receiver.wait_exit(), 0)

    def test_fax_between_two_engines_t38_and_g711(self):
        """Two calls at once (a minute of line time each): one switches to T.38; in the other
        the sender's carrier has t38 = false, so it refuses the re-INVITE (488) and the page goes
        as G.711 audio."""
        base = 30000 + (os.getpid() * 37) % 20000 // 2 * 2
        t38 = self.pair(base, "t38")
        g711 = self.pair(base + 100, "g711", ["--carrier-no-t38"])
        self.check(*t38, "t38")
        self.check(*g711, "g711")
        self.assertIn("sip.reinvite_in", t38[0].log())
        self.assertIn("status=488", g711[0].log())

if __name__ == "__main__":
    unittest.main()
