"""A damaged network between two faxd processes (udp_loss_proxy.py, bounded, on loopback): a
G.711 fax over RTP with +-30 ms of jitter (a quarter of its packets arrive reordered) is
delivered on its first call; the jitter buffer puts them back in order. With 1 % of the RTP
packets lost as well it is delivered when both ends agree RFC 2198 redundancy ([media]
rtp_redundancy): plain G.711 loses about one fax in three at 1 % (tests/unit/fax/g711_loss_test,
docs/reliability.md). (T.38 at 10 % loss is test_reliability's; bench/impairment.py measures
success rates by loss and jitter, see docs/benchmarks.md.)"""
import os
import tempfile
import unittest

from harness import FaxdTestCase
from pdfgen import text_pdf
from tenant import inbox, provision, send_fax, wait_for
from udp_loss_proxy import ALIASES, UdpLossProxy, proxied_config

RECEIVER_DDI = "+15550002000"


class Impairment(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.proxy = None

    def tearDown(self):
        if self.proxy:
            self.proxy.stop()
        super().tearDown()

    def test_g711_fax_through_jitter_and_reordering(self):
        self._g711_fax(loss=0.0, redundancy=0)

    def test_g711_fax_through_one_percent_loss_jitter_and_reordering_with_redundancy(self):
        # A loaded test host stalls the relay and the daemons' ticks for up to ~100 ms on top of
        # the relay's jitter: a playout delay of 200 ms keeps those late packets (and their
        # redundant copies) in time.
        st = self._g711_fax(loss=0.01, redundancy=2, jitter_buffer_ms=200)
        self.assertGreater(st["media_dropped"], 10, "the relay dropped packets")

    def _g711_fax(self, loss, redundancy, jitter_buffer_ms=80):
        def config(alias):
            c = proxied_config(alias)
            c["media"] = {"rtp_redundancy": redundancy, "jitter_buffer_ms": jitter_buffer_ms}
            return c
        rx = self.faxd(name="impaired-receiver", config=config(ALIASES[0]))
        tx = self.faxd(name="impaired-sender", config=config(ALIASES[1]))
        self.proxy = UdpLossProxy(rx, tx, loss=loss, jitter_ms=30, seed=22, max_seconds=600)
        rx_t = provision(rx, carrier_host=ALIASES[1], carrier_port=tx.sip_port, ddi=RECEIVER_DDI)
        tx_t = provision(tx, carrier_host=ALIASES[0], carrier_port=rx.sip_port, t38=False)
        pdf = text_pdf(os.path.join(tempfile.mkdtemp(), "one.pdf"), pages=1,
                       lines=["Jitter and loss", "G.711 audio fax"])
        fax = send_fax(tx, tx_t["token"], tx_t["vfax"]["id"], RECEIVER_DDI, pdf)
        done = wait_for(tx, tx_t["token"], fax["id"], {"delivered", "failed"}, timeout=300)
        st = self.proxy.stats
        print(f"\nG.711 +-30 ms, loss {loss}, redundancy {redundancy}: {st['media']} media "
              f"datagrams, {st['media_dropped']} dropped, {st['reordered']} reordered; "
              f"attempts {done['attempts']}", flush=True)
        self.assertEqual(done["status"], "delivered", done)
        self.assertEqual(done["transport"], "g711")
        self.assertEqual(done["attempts"], 1, "no retry needed")
        self.assertGreater(st["reordered"], 100, "the jitter reordered packets")
        self.assertEqual(st["over_budget"], 0)
        got = wait_for(rx, rx_t["token"], inbox(rx, rx_t["token"])[0]["id"], {"received", "failed"},
                       timeout=60)
        self.assertEqual(got["status"], "received", got)
        self.assertEqual(got["pages"], 1)
        return st


if __name__ == "__main__":
    unittest.main()
