"""Accounting, retention and audit between two real faxd (issue #19): one faxd sends for two
tenants, the other receives for a company that keeps no documents.

- The sending company admin's call CSV holds exactly its company's calls (the delivered fax and
  a refused call), with durations that match the calls as the test saw them; the other tenant's
  call is not in it, and a brand admin sees only its brand's calls.
- The receiving company has retention_days 0: once its fax mail went out, the document and the
  page thumbnails answer 410 Gone while the fax row stays.
- Changing a carrier's password leaves an audit event without the password, visible to the
  carrier's brand admin and not to another brand's."""
import csv
import glob
import io
import math
import os
import subprocess
import sys
import tempfile
import time
import json
import unittest
from datetime import datetime

from harness import FaxdTestCase, free_port
from pdfgen import text_pdf
from tenant import inbox, provision, send_fax, wait_for

HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "mail")
SENDER_DDI = "+15550011000"
RECEIVER_DDI = "+15550012000"
UNKNOWN_DDI = "+15550019999"  # the receiver has no such number: 404, a call that is not answered


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def wait_until(what, check, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


class Accounting(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="faxd-accounting-")
        self.pdf = text_pdf(os.path.join(self.tmp, "one.pdf"), pages=1, lines=["Invoice 42"])
        self.children = []

    def tearDown(self):
        for p in self.children:
            p.terminate()
            p.wait(10)
        super().tearDown()

    def brand_admin(self, d, tenant, name):
        d.api("POST", "/users", {"username": name, "password": "brand-pass-1", "role": "brand_admin",
                                 "brand_id": tenant["brand"]["id"]}, token=tenant["admin"])
        return d.login(name, "brand-pass-1")

    def calls_csv(self, d, token):
        status, headers, body = d.request("GET", "/api/v1/calls?format=csv", token=token)
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["content-type"].startswith("text/csv"), headers)
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        return rows

    def test_csv_retention_and_audit_between_two_daemons(self):
        smtp_port = free_port()
        maildir = os.path.join(self.tmp, "mail")
        os.makedirs(maildir)
        port_file = os.path.join(self.tmp, "smtp.port")
        self.children.append(subprocess.Popen(
            [sys.executable, os.path.join(HELPERS, "smtp_sink.py"), "--port", str(smtp_port),
             "--out", maildir, "--port-file", port_file]))
        wait_until("the SMTP sink", lambda: os.path.exists(port_file), 30)

        rx = self.faxd(name="receiver", config={"smtp": {
            "url": f"smtp://127.0.0.1:{smtp_port}", "starttls": "never"}})
        tx = self.faxd(name="sender")
        rx_tenant = provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI,
                              email="office@clinic.example", send_by_email=True)
        rx.api("PATCH", f"/companies/{rx_tenant['company']['id']}", {"retention_days": 0},
               token=rx_tenant["admin"])
        a = provision(tx, carrier_port=rx.sip_port, ddi="+15550011999", outgoing_ddi=SENDER_DDI)
        b = provision(tx, carrier_port=rx.sip_port, ddi="+15550013999", outgoing_ddi="+15550013000")

        # Tenant A: one fax delivered, one call refused (404: no answer, nothing billable).
        t0 = time.time()
        fax = send_fax(tx, a["token"], a["vfax"]["id"], RECEIVER_DDI, self.pdf)
        refused = send_fax(tx, a["token"], a["vfax"]["id"], UNKNOWN_DDI, self.pdf)
        other = send_fax(tx, b["token"], b["vfax"]["id"], UNKNOWN_DDI, self.pdf)
        done = wait_for(tx, a["token"], fax["id"], {"delivered", "failed"})
        t1 = time.time()
        self.assertEqual(done["status"], "delivered", done)
        for f, tenant in ((refused, a), (other, b)):
            wait_until("the refused call's end", lambda: any(
                att["ended_at"] for att in
                tx.api("GET", f"/faxes/{f['id']}/attempts", token=tenant["token"])["data"]), 60)

        # A's CSV: exactly A's calls, matching the attempts the fax API shows.
        attempts = {}
        for f in (fax, refused):
            for att in tx.api("GET", f"/faxes/{f['id']}/attempts", token=a["token"])["data"]:
                attempts[att["id"]] = (f["id"], att)
        rows = self.calls_csv(tx, a["token"])
        self.assertEqual({r["id"] for r in rows}, set(attempts), rows)
        for r in rows:
            fax_id, att = attempts[r["id"]]
            self.assertEqual(r["fax_id"], fax_id)
            self.assertEqual(r["company_id"], a["company"]["id"])
            self.assertEqual(r["direction"], "outbound")
            self.assertEqual(r["carrier_id"], a["carrier"]["id"])
            self.assertEqual(r["from"], SENDER_DDI)
            self.assertEqual(r["started_at"], att["started_at"])
            self.assertEqual(r["ended_at"], att["ended_at"])
            expected = math.ceil(ts(att["ended_at"]) - ts(att["started_at"]) - 1e-6)
            self.assertLessEqual(abs(int(r["duration_s"]) - expected), 1, r)
        delivered = next(r for r in rows if r["fax_id"] == fax["id"])
        self.assertEqual(delivered["result"], "delivered")
        self.assertEqual(delivered["pages"], "1")
        self.assertIn(delivered["transport"], ("t38", "g711"))
        self.assertTrue(delivered["answered_at"])
        billable = int(delivered["billable_s"])
        # A real one-page fax: several seconds of line, within what the test waited.
        self.assertGreaterEqual(billable, 5, delivered)
        self.assertLessEqual(billable, int(delivered["duration_s"]))
        self.assertLessEqual(int(delivered["duration_s"]), math.ceil(t1 - t0) + 1)
        for r in rows:
            if r["fax_id"] == refused["id"]:
                self.assertEqual(r["result"], "failed")
                self.assertEqual(r["billable_s"], "0")
                self.assertEqual(r["answered_at"], "")
        # B's calls are B's; A's brand admin sees A's brand only.
        b_rows = self.calls_csv(tx, b["token"])
        self.assertTrue(b_rows)
        self.assertTrue(all(r["fax_id"] == other["id"] for r in b_rows), b_rows)
        a_brand = self.brand_admin(tx, a, f"brand-a-{os.getpid()}")
        self.assertEqual({r["id"] for r in self.calls_csv(tx, a_brand)}, set(attempts))
        listed = tx.api("GET", "/calls?direction=outbound", token=a_brand)["data"]
        self.assertEqual({c["id"] for c in listed}, set(attempts))

        # The receiver: the inbound call is billed for about as long as the sender's.
        rx_fax = inbox(rx, rx_tenant["token"])[0]
        rx_fax = wait_for(rx, rx_tenant["token"], rx_fax["id"], {"received", "failed"}, timeout=60)
        self.assertEqual(rx_fax["status"], "received", rx_fax)
        rx_calls = wait_until("the inbound call record", lambda: [
            c for c in rx.api("GET", "/calls", token=rx_tenant["token"])["data"] if c["ended_at"]])
        self.assertEqual(len(rx_calls), 1)
        self.assertEqual(rx_calls[0]["direction"], "inbound")
        self.assertEqual(rx_calls[0]["carrier_id"], rx_tenant["carrier"]["id"])
        self.assertEqual(rx_calls[0]["result"], "received")
        self.assertLessEqual(abs(rx_calls[0]["billable_s"] - billable), 3, (rx_calls, delivered))

        # Retention 0: the mail goes out, then the document goes; the row stays.
        wait_until("the fax mail", lambda: glob.glob(os.path.join(maildir, "*.eml")))
        purged = wait_until("the purge", lambda: (lambda f: f if f["document_purged_at"] else None)(
            rx.api("GET", f"/faxes/{rx_fax['id']}", token=rx_tenant["token"])), timeout=60)
        self.assertEqual(purged["status"], "received")
        self.assertEqual(purged["pages"], 1)
        for path in (f"/faxes/{rx_fax['id']}/document", f"/faxes/{rx_fax['id']}/pages/1/thumbnail"):
            status, _, body = rx.request("GET", "/api/v1" + path, token=rx_tenant["token"])
            self.assertEqual(status, 410, path)
            self.assertIn(b"document removed by the retention policy", body)
        self.assertEqual([f["id"] for f in inbox(rx, rx_tenant["token"])], [rx_fax["id"]])
        self.assertFalse(glob.glob(os.path.join(rx.config["daemon"]["data_dir"], "spool",
                                                "inbound", "*")), "the files are gone")

        # Audit: a carrier password change, without the password, in the right brand only.
        tx.api("PATCH", f"/carriers/{a['carrier']['id']}", {"password": "Very-Secret-77"},
               token=a["admin"])
        status, _, body = tx.request("GET", "/api/v1/audit-events?resource=carriers", token=a_brand)
        self.assertEqual(status, 200)
        self.assertNotIn(b"Very-Secret-77", body)
        events = [e for e in json.loads(body)["data"]
                  if e["resource_id"] == a["carrier"]["id"] and e["action"] == "update"]
        self.assertEqual(len(events), 1, body)
        self.assertEqual(events[0]["changes"], {"password": {"changed": True}})
        self.assertEqual(events[0]["username"], "admin")
        self.assertEqual(events[0]["remote_address"], "127.0.0.1")
        b_brand = self.brand_admin(tx, b, f"brand-b-{os.getpid()}")
        theirs = tx.api("GET", "/audit-events", token=b_brand)["data"]
        self.assertFalse([e for e in theirs if e["resource_id"] == a["carrier"]["id"]], theirs)
        self.assertFalse([c for c in tx.api("GET", "/calls", token=b_brand)["data"]
                          if c["company_id"] == a["company"]["id"]])
        self.assertNotIn("Very-Secret-77", tx.log())


if __name__ == "__main__":
    unittest.main()
