"""Numbers, caller id and routes the way users and carriers write them (issue #17), with real
faxd processes and a SIPp carrier on loopback:

- a national number typed by a Spanish company, sent over a carrier that wants national numbers,
  arrives at a second faxd, whose Spanish carrier entry reads the national number back to the
  DDI +34910000002 (the receiver's log shows the Request-URI user as it came);
- the Request-URI, To and From of a national carrier with a tech prefix, checked by SIPp, while
  the company's own route wins over the brand's longer-prefix route;
- no caller id: 422 before anything is queued;
- a switched-off company: its inbound call is refused with SIP 403 and a log line, and it cannot
  send (403 tenant_disabled), its users told why at login.
"""
import os
import re
import tempfile
import time
import unittest

from harness import FaxdTestCase, free_port
from pdfgen import text_pdf
from sipp_peer import SIPP, SippCarrier
from tenant import inbox, provision, send_fax, wait_for


class Numbers(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.pdf = text_pdf(os.path.join(tempfile.mkdtemp(), "one.pdf"), pages=1)
        self.carriers = []

    def tearDown(self):
        for c in self.carriers:
            c.stop()
        super().tearDown()

    def read_log(self, d):
        with open(d.log_path, errors="replace") as f:
            return f.read()

    def wait_log(self, d, pattern, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.read_log(d))
            if m:
                return m
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in the log:\n{d.log()}")

    def test_national_number_over_a_national_carrier_reaches_its_ddi_and_a_switched_off_company_is_refused_both_ways(self):
        rx = self.faxd(name="receiver")
        tx = self.faxd(name="sender")
        # The receiver's carrier is the sender faxd, a Spanish carrier: it sends national numbers.
        r = provision(rx, carrier_port=tx.sip_port, ddi="+34910000002", country="ES")
        rx.api("PATCH", f"/carriers/{r['carrier']['id']}", {"country": "ES"}, token=r["admin"])
        t = provision(tx, carrier_port=rx.sip_port, ddi="+34910000001", country="ES")
        tx.api("PATCH", f"/carriers/{t['carrier']['id']}",
               {"number_format": "national", "country": "ES"}, token=t["admin"])

        fax = send_fax(tx, t["token"], t["vfax"]["id"], "910 000 002", self.pdf)
        self.assertEqual(fax["to"], "+34910000002", "stored and shown in E.164")
        self.assertEqual(fax["from"], "+34910000001", "the company's default outgoing DDI")
        done = wait_for(tx, t["token"], fax["id"], {"delivered", "failed"})
        self.assertEqual(done["status"], "delivered", done)
        # What went on the wire: national numbers in the Request-URI and the From.
        self.wait_log(rx, r"sip\.invite_in call=\S+ source=127\.0\.0\.1:\d+ ruri_user=910000002 "
                          r"to=910000002 from=910000001 ")
        got = [f for f in inbox(rx, r["token"]) if f["status"] == "received"]
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0]["to"], "+34910000002", "the national number reached its DDI")
        self.assertEqual(got[0]["from"], "+34910000001", "the caller read with the carrier's country")
        self.assertEqual(got[0]["pages"], 1)

        # The receiving company is switched off: its inbound call is refused with SIP 403.
        rx.api("PATCH", f"/companies/{r['company']['id']}", {"enabled": False}, token=r["admin"])
        second = send_fax(tx, t["token"], t["vfax"]["id"], "910000002", self.pdf)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            f = tx.api("GET", f"/faxes/{second['id']}", token=t["token"])
            if f["failure"] or f["status"] == "failed":
                break
            time.sleep(0.3)
        attempts = tx.api("GET", f"/faxes/{second['id']}/attempts", token=t["token"])["data"]
        self.assertEqual(attempts[0]["sip_status"], 403, attempts)
        self.wait_log(rx, r"inbound\.tenant_disabled call=\S+ number=\+34910000002 ")
        self.assertEqual(len(inbox(rx, r["token"])), 1, "nothing recorded for the refused call")
        self.assertIsNotNone(rx.api("GET", "/me", token=r["token"])["disabled"])

        # The sending company is switched off: it cannot send, and its users are told why.
        tx.api("PATCH", f"/companies/{t['company']['id']}", {"enabled": False}, token=t["admin"])
        refused = send_fax(tx, t["token"], t["vfax"]["id"], "910000002", self.pdf, expect=403)
        self.assertEqual(refused["error"]["code"], "tenant_disabled", refused)
        login = tx.api("POST", "/login", {"username": t_user(tx, t), "password": "company-pass-1"})
        self.assertIn("switched off", login["user"]["disabled"])
        # Everything else is kept: its faxes are still listed.
        self.assertGreaterEqual(len(inbox(tx, t["token"], direction="outbound")), 2)

    @unittest.skipUnless(SIPP, "sipp is not installed")
    def test_national_carrier_with_tech_prefix_gets_its_request_uri_and_company_routes_win(self):
        carrier = SippCarrier("uas_expect_national.xml")
        self.carriers.append(carrier)
        tx = self.faxd()
        # The brand's only route goes nowhere useful: a carrier with nothing listening.
        t = provision(tx, carrier_port=free_port(), ddi="+34910000001", country="ES")
        tx.api("PATCH", f"/routes/{t['route']['id']}", {"prefix": "+3491"}, token=t["admin"])
        own = tx.api("POST", "/carriers", {"brand_id": t["brand"]["id"], "name": "Own national",
                                           "host": "127.0.0.1", "port": carrier.port,
                                           "number_format": "national", "country": "ES",
                                           "dial_prefix": "1234#"}, token=t["admin"])
        # The company's own route, with a shorter prefix than the brand's: it still comes first.
        tx.api("POST", "/routes", {"brand_id": t["brand"]["id"], "company_id": t["company"]["id"],
                                   "type": "fax", "prefix": "+34", "carrier_id": own["id"]},
               token=t["admin"])
        plan = tx.api("GET", f"/routes/plan?to=910000002&company_id={t['company']['id']}",
                      token=t["admin"])
        self.assertEqual([c["carrier"]["name"] for c in plan["data"]],
                         ["Own national", t["carrier"]["name"]], plan)
        self.assertEqual(plan["data"][0]["request_uri"],
                         f"sip:1234%23910000002@127.0.0.1:{carrier.port}",
                         "the plan shows the Request-URI SIPp checks")

        fax = send_fax(tx, t["token"], t["vfax"]["id"], "910000002", self.pdf)
        self.assertEqual(carrier.wait(), 0, "SIPp checked the Request-URI, To and From:\n" + carrier.log())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            f = tx.api("GET", f"/faxes/{fax['id']}", token=t["token"])
            if f["failure"]:
                break
            time.sleep(0.2)
        self.assertEqual(f["failure"]["code"], "busy", f)
        attempts = tx.api("GET", f"/faxes/{fax['id']}/attempts", token=t["token"])["data"]
        self.assertEqual([a["carrier_name"] for a in attempts], ["Own national"],
                         "the company's route won over the brand's longer prefix")
        self.assertEqual(f["to"], "+34910000002")

    def test_no_caller_id_is_refused_before_anything_is_queued(self):
        d = self.faxd()
        t = provision(d, carrier_port=free_port(), ddi="+34910000001", country="ES",
                      company_default_ddi=False)
        err = send_fax(d, t["token"], t["vfax"]["id"], "910000002", self.pdf, expect=422)
        self.assertEqual(err["error"]["field"], "virtual_fax_id", err)
        self.assertTrue(err["error"]["message"].startswith("virtual_fax_id: no outgoing DDI"), err)
        self.assertEqual(inbox(d, t["token"], direction="outbound"), [])
        bad = provision(d, carrier_port=free_port(), ddi="+34910000003", country="ES")
        err = send_fax(d, bad["token"], bad["vfax"]["id"], "12", self.pdf, expect=422)
        self.assertEqual(err["error"]["field"], "to", err)
        self.assertIn("too short for a number of ES", err["error"]["message"])


def t_user(d, t):
    """The username of the tenant's company admin (provision names it; read it back)."""
    return d.api("GET", "/me", token=t["token"])["username"]


if __name__ == "__main__":
    unittest.main()
