"""Fax-to-email and webhooks end to end: one faxd faxes another; the receiving virtual fax has
send_by_email, so the fax arrives as a Spanish mail with the PDF attached at a real SMTP server
(Debian's aiosmtpd), and the company admin's webhook receiver (which answers 500 at first) gets
the signed fax.received event, retried until it takes it. Also: the mail is sent once only."""
import base64
import email
import email.policy
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime
from zoneinfo import ZoneInfo

from harness import FaxdTestCase, free_port
from pdfgen import text_pdf
from tenant import inbox, provision, send_fax, wait_for

HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "mail")
SENDER_DDI = "+15550001000"
RECEIVER_DDI = "+15550002000"


def wait_file(path, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                return f.read()
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"{path} did not appear")


def wait_until(what, check, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


class MailAndWebhooks(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="faxd-mail-")
        self.children = []
        self.pdf = text_pdf(os.path.join(self.tmp, "two.pdf"), pages=2,
                            lines=["Factura", "faxd to faxd by mail"])

    def tearDown(self):
        for p in self.children:
            p.terminate()
            p.wait(10)
        super().tearDown()

    def spawn(self, *args):
        p = subprocess.Popen([sys.executable, *args])
        self.children.append(p)
        return p

    def test_received_fax_is_mailed_once_and_signed_webhooks_are_retried(self):
        smtp_port = free_port()
        maildir = os.path.join(self.tmp, "inbox")
        os.makedirs(maildir)
        smtp = self.spawn(os.path.join(HELPERS, "smtp_sink.py"), "--port", str(smtp_port),
                          "--out", maildir, "--port-file", os.path.join(self.tmp, "smtp.port"))
        wait_file(os.path.join(self.tmp, "smtp.port"), smtp)

        secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
        hook_log = os.path.join(self.tmp, "hooks.jsonl")
        receiver = self.spawn(os.path.join(HELPERS, "webhook_receiver.py"), "--secret", secret,
                              "--fail", "1", "--log", hook_log,
                              "--port-file", os.path.join(self.tmp, "hook.port"))
        hook_port = int(wait_file(os.path.join(self.tmp, "hook.port"), receiver))

        tx = self.faxd(name="sender")
        # The webhook receiver is on loopback: internal targets are refused unless allowed.
        rx = self.faxd(name="receiver", config={"smtp": {
            "url": f"smtp://127.0.0.1:{smtp_port}", "starttls": "never",
            "from": "Fax service <fax@rx.example>"},
            "webhooks": {"allow_internal": ["127.0.0.1"]}})
        rx_tenant = provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI,
                              email="office@acme.example", send_by_email=True)
        tx_tenant = provision(tx, carrier_port=rx.sip_port, ddi="+15550001999",
                              outgoing_ddi=SENDER_DDI)
        hook = rx.api("POST", "/webhooks", {"url": f"http://127.0.0.1:{hook_port}/faxd",
                                            "secret": secret, "events": ["fax.received"]},
                      token=rx_tenant["token"], expect=201)
        self.assertNotIn("secret", hook)

        fax = send_fax(tx, tx_tenant["token"], tx_tenant["vfax"]["id"], RECEIVER_DDI, self.pdf)
        done = wait_for(tx, tx_tenant["token"], fax["id"], {"delivered", "failed"})
        self.assertEqual(done["status"], "delivered", done)
        got = inbox(rx, rx_tenant["token"])
        self.assertEqual(len(got), 1)
        rx_fax = wait_for(rx, rx_tenant["token"], got[0]["id"], {"received", "failed"}, timeout=30)
        self.assertEqual(rx_fax["status"], "received", rx_fax)

        # The mail: what a mail client shows.
        mails = wait_until("the fax mail", lambda: glob.glob(os.path.join(maildir, "*.eml")))
        with open(mails[0], "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        self.assertEqual(str(msg["to"]), "office@acme.example")
        self.assertEqual(str(msg["from"]), "Fax service <fax@rx.example>")
        self.assertEqual(str(msg["subject"]), f"Fax recibido de {SENDER_DDI} (2 páginas)")
        text = msg.get_body(preferencelist=("plain",)).get_content()
        self.assertIn("Ha recibido un fax en", text)
        self.assertIn(f"Para: {RECEIVER_DDI}", text)
        attachments = list(msg.iter_attachments())
        self.assertEqual(len(attachments), 1)
        when = datetime.fromisoformat(rx_fax["completed_at"].replace("Z", "+00:00"))
        local = when.astimezone(ZoneInfo("Europe/Madrid")).strftime("%Y%m%d-%H%M%S")
        self.assertEqual(attachments[0].get_filename(), f"fax-{local}-{SENDER_DDI}.pdf")
        self.assertEqual(attachments[0].get_content_type(), "application/pdf")
        pdf = attachments[0].get_payload(decode=True)
        self.assertTrue(pdf.startswith(b"%PDF-"))
        status, _, document = rx.request("GET", f"/api/v1/faxes/{rx_fax['id']}/document",
                                         token=rx_tenant["token"])
        self.assertEqual(status, 200)
        self.assertEqual(pdf, document, "the attachment is the fax's PDF")

        # The webhook: refused once with 500, then delivered; both tries signed, same id.
        def hook_lines():
            if not os.path.exists(hook_log):
                return None
            with open(hook_log) as f:
                lines = [json.loads(l) for l in f if l.strip()]
            return lines if len(lines) >= 2 else None
        lines = wait_until("the webhook retry", hook_lines, timeout=60)
        self.assertEqual([l["status"] for l in lines[:2]], [500, 204])
        for l in lines:
            self.assertTrue(l["signature_ok"], l)
            self.assertEqual(l["id"], lines[0]["id"])
            body = json.loads(l["body"])
            self.assertEqual(body["type"], "fax.received")
            self.assertEqual(body["data"]["id"], rx_fax["id"])

        # Several outbox polls later there is still exactly one mail.
        time.sleep(6)
        self.assertEqual(len(glob.glob(os.path.join(maildir, "*.eml"))), 1)
        self.assertEqual(len(hook_lines()), 2)

    def test_fax_received_while_the_mail_server_is_down_is_mailed_once_it_is_back(self):
        smtp_port = free_port()
        maildir = os.path.join(self.tmp, "inbox")
        os.makedirs(maildir)
        tx = self.faxd(name="sender")
        rx = self.faxd(name="receiver", config={"smtp": {
            "url": f"smtp://127.0.0.1:{smtp_port}", "starttls": "never"}})
        rx_tenant = provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI,
                              email="office@acme.example", send_by_email=True)
        tx_tenant = provision(tx, carrier_port=rx.sip_port, ddi="+15550001999",
                              outgoing_ddi=SENDER_DDI)
        fax = send_fax(tx, tx_tenant["token"], tx_tenant["vfax"]["id"], RECEIVER_DDI, self.pdf)
        self.assertEqual(wait_for(tx, tx_tenant["token"], fax["id"], {"delivered", "failed"})["status"],
                         "delivered")
        rx_fax = wait_for(rx, rx_tenant["token"], inbox(rx, rx_tenant["token"])[0]["id"],
                          {"received", "failed"}, timeout=30)
        self.assertEqual(rx_fax["status"], "received", "the fax is kept while mail is down")

        def outbox_depth():
            _, _, body = rx.request("GET", "/metrics")
            for line in body.decode().splitlines():
                if line.startswith("faxd_mail_outbox_depth "):
                    return float(line.split()[1])
            return None
        time.sleep(7)  # at least one failed delivery attempt against the closed port
        self.assertEqual(outbox_depth(), 1.0, "the mail waits in the outbox")
        self.assertEqual(glob.glob(os.path.join(maildir, "*.eml")), [])

        smtp = self.spawn(os.path.join(HELPERS, "smtp_sink.py"), "--port", str(smtp_port),
                          "--out", maildir, "--port-file", os.path.join(self.tmp, "smtp.port"))
        wait_file(os.path.join(self.tmp, "smtp.port"), smtp)
        mails = wait_until("the mail after the server came back",
                           lambda: glob.glob(os.path.join(maildir, "*.eml")), timeout=120)
        with open(mails[0], "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        self.assertEqual(str(msg["to"]), "office@acme.example")
        self.assertEqual(len(list(msg.iter_attachments())), 1)
        time.sleep(6)
        self.assertEqual(len(glob.glob(os.path.join(maildir, "*.eml"))), 1, "sent once")
        self.assertEqual(outbox_depth(), 0.0)


if __name__ == "__main__":
    unittest.main()
