"""Sending: the outbound queue against real peers. A busy SIPp carrier leads to a queued retry;
a dead carrier fails over to a live one within one attempt; a ringing call is canceled; a
sender killed with SIGKILL mid-call delivers the fax after it restarts."""
import os
from datetime import datetime
import signal
import tempfile
import time
import unittest

from harness import FaxdTestCase, free_port
from pdfgen import text_pdf
from sipp_peer import SIPP, SippCarrier
from tenant import inbox, provision, send_fax, wait_for

RECEIVER_DDI = "+15550002000"


class Sending(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.pdf = text_pdf(os.path.join(tempfile.mkdtemp(), "one.pdf"), pages=1)
        self.carriers = []

    def tearDown(self):
        for c in self.carriers:
            c.stop()
        super().tearDown()

    def sipp(self, scenario):
        c = SippCarrier(scenario)
        self.carriers.append(c)
        return c

    @unittest.skipUnless(SIPP, "sipp is not installed")
    def test_busy_carrier_leads_to_a_queued_retry(self):
        carrier = self.sipp("uas_busy.xml")
        tx = self.faxd({"retry": {"busy_s": 42}})
        t = provision(tx, carrier_port=carrier.port)
        fax = send_fax(tx, t["token"], t["vfax"]["id"], "+15550009999", self.pdf)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            f = tx.api("GET", f"/faxes/{fax['id']}", token=t["token"])
            if f["failure"]:
                break
            time.sleep(0.2)
        self.assertEqual(f["status"], "queued", f)
        self.assertEqual(f["failure"]["code"], "busy")
        self.assertIn("486", f["failure"]["message"])
        self.assertIsNotNone(f["next_attempt_at"])
        # [retry] busy_s: the next dial is 42 s after the busy signal.
        wait = datetime.fromisoformat(f["next_attempt_at"]) - datetime.fromisoformat(f["updated_at"])
        self.assertAlmostEqual(wait.total_seconds(), 42, delta=1.5)
        self.assertEqual(f["dials"], 1)
        attempts = tx.api("GET", f"/faxes/{fax['id']}/attempts", token=t["token"])["data"]
        self.assertEqual(len(attempts), 1)
        self.assertEqual(attempts[0]["sip_status"], 486)
        self.assertEqual(attempts[0]["failure"]["code"], "busy")
        self.assertEqual(tx.metric("faxd_calls_total", direction="outbound", result="busy"), 1)
        self.assertEqual(tx.metric("faxd_retries_total"), 1)
        self.assertEqual(carrier.wait(), 0, carrier.log())

    def test_dead_carrier_fails_over_to_a_live_one_in_the_same_attempt(self):
        rx = self.faxd(name="receiver")
        tx = self.faxd(name="sender")
        provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI)
        t = provision(tx, carrier_port=rx.sip_port)
        # A second carrier at priority 0, tried first: nothing listens on its TCP port.
        dead = tx.api("POST", "/carriers", {"brand_id": t["brand"]["id"], "name": "Dead", "host": "127.0.0.1",
                                            "port": free_port(), "transport": "tcp"}, token=t["admin"])
        tx.api("POST", "/routes", {"brand_id": t["brand"]["id"], "type": "fax", "prefix": "",
                                   "carrier_id": dead["id"], "priority": 0, "weight": 1}, token=t["admin"])
        fax = send_fax(tx, t["token"], t["vfax"]["id"], RECEIVER_DDI, self.pdf)
        done = wait_for(tx, t["token"], fax["id"], {"delivered", "failed"})
        self.assertEqual(done["status"], "delivered", done)
        self.assertEqual(done["dials"], 1, "failover happens inside one attempt")
        attempts = tx.api("GET", f"/faxes/{fax['id']}/attempts", token=t["token"])["data"]
        self.assertEqual([a["carrier_name"] for a in attempts], ["Dead", t["carrier"]["name"]])
        self.assertEqual(attempts[0]["failure"]["code"], "carrier_unreachable")
        self.assertEqual(attempts[1]["result"], "delivered")

    @unittest.skipUnless(SIPP, "sipp is not installed")
    def test_cancel_while_ringing(self):
        carrier = self.sipp("uas_ringing_cancel.xml")
        tx = self.faxd()
        t = provision(tx, carrier_port=carrier.port)
        fax = send_fax(tx, t["token"], t["vfax"]["id"], "+15550009999", self.pdf)
        wait_for(tx, t["token"], fax["id"], {"sending"}, timeout=15)
        time.sleep(1)  # the carrier is ringing now
        canceled = tx.api("POST", f"/faxes/{fax['id']}/cancel", token=t["token"], expect=202)
        self.assertIn(canceled["status"], ("sending", "canceled"))
        done = wait_for(tx, t["token"], fax["id"], {"canceled", "failed", "delivered"}, timeout=20)
        self.assertEqual(done["status"], "canceled", done)
        self.assertEqual(carrier.wait(), 0, carrier.log())
        status, _, _ = tx.request("POST", f"/api/v1/faxes/{fax['id']}/cancel", token=t["token"])
        self.assertEqual(status, 409, "a canceled fax cannot be canceled again")

    def test_sender_killed_mid_call_delivers_after_restart(self):
        rx = self.faxd(name="receiver")
        tx = self.faxd(name="sender")
        rx_t = provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI)
        t = provision(tx, carrier_port=rx.sip_port)
        pdf = text_pdf(os.path.join(tempfile.mkdtemp(), "three.pdf"), pages=3)
        fax = send_fax(tx, t["token"], t["vfax"]["id"], RECEIVER_DDI, pdf)
        wait_for(tx, t["token"], fax["id"], {"sending"}, timeout=15)
        time.sleep(4)  # mid-call: answered, negotiating or sending pages
        tx.kill()  # SIGKILL: no chance to clean up
        tx.start()
        done = wait_for(tx, t["token"], fax["id"], {"delivered", "failed"}, timeout=300)
        self.assertEqual(done["status"], "delivered", done)
        self.assertEqual(done["pages"], 3)
        attempts = tx.api("GET", f"/faxes/{fax['id']}/attempts", token=t["token"])["data"]
        self.assertEqual(attempts[0]["result"], "failed")
        self.assertIn("interrupted", attempts[0]["failure"]["message"])
        self.assertEqual(attempts[-1]["result"], "delivered")
        received = [f for f in inbox(rx, rx_t["token"]) if f["status"] == "received"]
        self.assertEqual(len(received), 1, "the receiver has the fax exactly once as received")


if __name__ == "__main__":
    unittest.main()


class LoadBalancing(FaxdTestCase):
    def test_weighted_load_balancing_over_two_live_carriers(self):
        """32 faxes over two carriers of weights 3 and 1 at the same priority: each carrier gets
        calls, the heavier about three quarters (bounds hold with probability > 99.8 %)."""
        rx1 = self.faxd(name="rx1")
        rx2 = self.faxd(name="rx2")
        tx = self.faxd(name="sender")
        for rx in (rx1, rx2):
            provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI)
        t = provision(tx, carrier_port=rx1.sip_port)
        tx.api("PATCH", f"/routes/{t['route']['id']}", {"weight": 3}, token=t["admin"])
        light = tx.api("POST", "/carriers", {"brand_id": t["brand"]["id"], "name": "Light",
                                             "host": "127.0.0.1", "port": rx2.sip_port}, token=t["admin"])
        tx.api("POST", "/routes", {"brand_id": t["brand"]["id"], "type": "fax", "prefix": "",
                                   "carrier_id": light["id"], "priority": 1, "weight": 1}, token=t["admin"])
        pdf = text_pdf(os.path.join(tempfile.mkdtemp(), "lb.pdf"), pages=1)
        ids = [send_fax(tx, t["token"], t["vfax"]["id"], RECEIVER_DDI, pdf)["id"] for _ in range(32)]
        carriers = []
        for fax_id in ids:
            done = wait_for(tx, t["token"], fax_id, {"delivered", "failed"}, timeout=300)
            self.assertEqual(done["status"], "delivered", done)
            attempts = tx.api("GET", f"/faxes/{fax_id}/attempts", token=t["token"])["data"]
            carriers.append(attempts[-1]["carrier_name"])
        heavy = carriers.count(t["carrier"]["name"])
        print(f"\ncarrier split (weights 3:1): heavy {heavy}, light {32 - heavy}")
        self.assertEqual(heavy + carriers.count("Light"), 32)
        self.assertGreaterEqual(heavy, 16, carriers)
        self.assertLessEqual(heavy, 31, carriers)
