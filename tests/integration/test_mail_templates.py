"""Each brand's own mail (issue #18) end to end: one faxd faxes another; the receiving company's
brand has a Spanish HTML template with its own From, so every address of the virtual fax gets
one mail (read with Python's email package, from a real SMTP server: Debian's aiosmtpd) with that
From, the subject filled in, an HTML part and a text part and the PDF. On the sending side the
company's own "delivered" template overrides its brand's. Also through the API: an unknown
variable is refused when saved, the preview fills in sample values and a test mail arrives."""
import email
import email.policy
import glob
import os
import subprocess
import sys
import tempfile
import time
import unittest

from harness import ApiError, FaxdTestCase, free_port
from pdfgen import text_pdf
from tenant import provision, send_fax, wait_for, inbox

HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "mail")
RECEIVER_DDI = "+34910000102"
SENDER_DDI = "+34910000101"


def wait_until(what, check, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def read_mail(path):
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    with open(path + ".rcpt") as f:
        envelope = f.read().split("\n")
    return msg, envelope[0], [r for r in envelope[1:] if r]


class BrandMail(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="faxd-templates-")
        self.maildir = os.path.join(self.tmp, "inbox")
        os.makedirs(self.maildir)
        self.smtp_port = free_port()
        port_file = os.path.join(self.tmp, "smtp.port")
        self.smtp = subprocess.Popen([sys.executable, os.path.join(HELPERS, "smtp_sink.py"),
                                      "--port", str(self.smtp_port), "--out", self.maildir,
                                      "--port-file", port_file])
        wait_until("the SMTP server", lambda: os.path.exists(port_file), timeout=30)
        self.smtp_config = {"smtp": {"url": f"smtp://127.0.0.1:{self.smtp_port}",
                                     "starttls": "never", "from": "Fax <fax@provider.example>"}}

    def tearDown(self):
        self.smtp.terminate()
        self.smtp.wait(10)
        super().tearDown()

    def mails(self):
        return sorted(glob.glob(os.path.join(self.maildir, "*.eml")))

    def test_brand_html_template_reaches_every_address_and_a_company_template_wins(self):
        rx = self.faxd(name="receiver", config=self.smtp_config)
        tx = self.faxd(name="sender", config=self.smtp_config)
        rx_t = provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI, send_by_email=True,
                         email="oficina@acme.example, Jefa@acme.example, oficina@ACME.example")
        tx_t = provision(tx, carrier_port=rx.sip_port, ddi="+34910000199", outgoing_ddi=SENDER_DDI)
        # Repeats (compared without case) are dropped when saved: each address gets one mail.
        self.assertEqual(rx_t["vfax"]["email"], "oficina@acme.example, Jefa@acme.example")

        # The receiving brand's Spanish HTML template, with its own From.
        admin = rx_t["admin"]
        with self.assertRaises(ApiError) as bad:
            rx.api("POST", "/notification-templates", {
                "brand_id": rx_t["brand"]["id"], "kind": "fax_received", "language": "es",
                "subject": "Fax de {remitente}", "body_text": "x"}, token=admin)
        self.assertEqual(bad.exception.status, 422)
        self.assertEqual(bad.exception.body["error"]["field"], "subject")
        self.assertIn("unknown variable {remitente}", bad.exception.body["error"]["message"])
        rx.api("POST", "/notification-templates", {
            "brand_id": rx_t["brand"]["id"], "company_id": None, "kind": "fax_received",
            "language": "es", "from_name": "Telefónica Fax", "from_address": "fax@telco.example",
            "subject": "Fax de {from} para {fax_name}: {pages} páginas",
            "body_text": "Empresa {company}, marca {brand}.\nAdjunto: {pdf_name}\n",
            "body_html": "<html><body><h1>Fax de {from}</h1><p>{company} &middot; {date}</p>"
                         "<style>p { color: #333 }</style></body></html>"}, token=admin, expect=201)

        # The sending company's "delivered" template overrides its brand's.
        tx.api("PATCH", f"/virtual-faxes/{tx_t['vfax']['id']}",
               {"notify_sender": True, "email": "remitente@tc.example"}, token=tx_t["token"])
        tx.api("POST", "/notification-templates", {
            "brand_id": tx_t["brand"]["id"], "kind": "fax_delivered", "language": "es",
            "subject": "Marca: entregado a {to}", "body_text": "marca"}, token=tx_t["admin"],
            expect=201)
        own = tx.api("POST", "/notification-templates", {
            "kind": "fax_delivered", "language": "es", "from_name": "Envíos",
            "from_address": "envios@tc.example", "subject": "Empresa: entregado a {to} ({pages})",
            "body_text": "Enviado desde {fax_name}."}, token=tx_t["token"], expect=201)
        self.assertEqual(own["company_id"], tx_t["company"]["id"])

        pdf = text_pdf(os.path.join(self.tmp, "one.pdf"), pages=1, lines=["Plantilla"])
        fax = send_fax(tx, tx_t["token"], tx_t["vfax"]["id"], RECEIVER_DDI, pdf)
        done = wait_for(tx, tx_t["token"], fax["id"], {"delivered", "failed"})
        self.assertEqual(done["status"], "delivered", done)
        rx_fax = wait_for(rx, rx_t["token"], inbox(rx, rx_t["token"])[0]["id"],
                          {"received", "failed"}, timeout=30)
        self.assertEqual(rx_fax["status"], "received", rx_fax)

        found = wait_until("three mails", lambda: len(self.mails()) >= 3 and self.mails())
        time.sleep(6)  # a later outbox run must not send anything twice
        self.assertEqual(len(self.mails()), 3)
        received, delivered = [], []
        for path in self.mails():
            msg, mail_from, rcpts = read_mail(path)
            self.assertEqual(mail_from, "fax@provider.example", "bounces go to [smtp] from")
            self.assertEqual(len(rcpts), 1)
            (received if "fax@telco.example" in str(msg["from"]) else delivered).append(
                (msg, rcpts[0]))

        self.assertEqual(sorted(r for _, r in received),
                         ["Jefa@acme.example", "oficina@acme.example"])
        for msg, rcpt in received:
            self.assertEqual(str(msg["to"]), rcpt)
            self.assertEqual(msg["from"].addresses[0].display_name, "Telefónica Fax")
            self.assertEqual(msg["from"].addresses[0].addr_spec, "fax@telco.example")
            self.assertEqual(str(msg["subject"]),
                             f"Fax de {SENDER_DDI} para {rx_t['vfax']['name']}: 1 páginas")
            self.assertEqual(msg.get_content_type(), "multipart/mixed")
            text = msg.get_body(preferencelist=("plain",)).get_content()
            html = msg.get_body(preferencelist=("html",)).get_content()
            self.assertIn(f"Empresa {rx_t['company']['name']}, marca {rx_t['brand']['name']}.",
                          text)
            self.assertIn(f"<h1>Fax de {SENDER_DDI}</h1>", html)
            self.assertIn("p { color: #333 }", html)
            attachments = list(msg.iter_attachments())
            self.assertEqual(len(attachments), 1)
            self.assertEqual(attachments[0].get_content_type(), "application/pdf")
            self.assertIn(f"Adjunto: {attachments[0].get_filename()}", text)
            self.assertTrue(attachments[0].get_payload(decode=True).startswith(b"%PDF-"))

        self.assertEqual(len(delivered), 1)
        msg, rcpt = delivered[0]
        self.assertEqual(rcpt, "remitente@tc.example")
        self.assertEqual(str(msg["subject"]), f"Empresa: entregado a {RECEIVER_DDI} (1)")
        self.assertEqual(msg["from"].addresses[0].addr_spec, "envios@tc.example")
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertIn(f"Enviado desde {tx_t['vfax']['name']}.", msg.get_content())

    def test_preview_and_test_mail_from_the_api(self):
        d = self.faxd(config=self.smtp_config)
        t = provision(d, ddi="+34910000301")
        body = {"kind": "fax_failed", "language": "es", "from_name": "Acme",
                "subject": "No entregado a {to}",
                "body_text": "Motivo: {failure}", "body_html": "<p>{company} & {failure}</p>"}
        preview = d.api("POST", "/notification-templates/preview", body, token=t["token"])
        self.assertEqual(preview["from"], "Acme <fax@provider.example>")
        self.assertEqual(preview["subject"], "No entregado a +34910000002")
        self.assertEqual(preview["body_text"], "Motivo: El número estaba ocupado")
        self.assertEqual(preview["body_html"],
                         f"<p>{t['company']['name']} & El número estaba ocupado</p>")
        self.assertEqual(d.api("GET", "/notification-templates", token=t["token"])["data"], [],
                         "a preview stores nothing")
        sent = d.api("POST", "/notification-templates/test", {**body, "to": "yo@acme.example"},
                     token=t["token"])
        self.assertEqual(sent, {"sent": True, "to": "yo@acme.example"})
        path = wait_until("the test mail", lambda: self.mails())[0]
        msg, _, rcpts = read_mail(path)
        self.assertEqual(rcpts, ["yo@acme.example"])
        self.assertEqual(str(msg["subject"]), "No entregado a +34910000002")
        self.assertIn("El número estaba ocupado", msg.get_body(("html",)).get_content())
        # A company admin cannot write the brand's templates, nor see another company's.
        with self.assertRaises(ApiError) as e:
            d.api("POST", "/notification-templates", {**body, "company_id": None},
                  token=t["token"])
        self.assertEqual(e.exception.status, 422)
        other = provision(d, ddi="+34910000302")
        theirs = d.api("POST", "/notification-templates", body, token=other["token"], expect=201)
        with self.assertRaises(ApiError) as e:
            d.api("GET", f"/notification-templates/{theirs['id']}", token=t["token"])
        self.assertEqual(e.exception.status, 404)


if __name__ == "__main__":
    unittest.main()
