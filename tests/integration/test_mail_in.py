"""Email-to-fax (issue #20) end to end: a real SMTP client (Debian's swaks, and Python's smtplib)
mails a PDF to faxd's [mail_in] listener; the mail becomes a fax from the virtual fax that lists
the sender, another faxd receives it, and the sender gets the result mail (a real SMTP server:
Debian's aiosmtpd) answering the mail. Numbers are read as the send form reads them (a national
number of the company's country is stored in E.164). Refusals happen at SMTP time with a clear
5xx and leave nothing behind: an untrusted relay, an unknown sender, a broken PDF, a relay's
failed DKIM or SPF, a number that is none, a virtual fax without a caller id; the listener keeps
working after them, and a relay sending the same message again gets the first fax."""
import email
import email.policy
import glob
import os
import smtplib
import subprocess
import sys
import tempfile
import unittest
from email.message import EmailMessage

from harness import FaxdTestCase, free_port
from pdfgen import text_pdf
from tenant import provision, wait_for, inbox
from test_mail_templates import HELPERS, read_mail, wait_until

RECEIVER_DDI = "+34910000402"
SENDER_DDI = "+34910000401"


def fax_mail(sender, to, pdf=None, pdf_name="doc.pdf", message_id=None, headers=None,
             text="Please fax this."):
    msg = EmailMessage()
    for k, v in (headers or {}).items():
        msg[k] = v
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = "Contract"
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(text)
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return msg


class MailIn(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="faxd-mail-in-")
        self.maildir = os.path.join(self.tmp, "inbox")
        os.makedirs(self.maildir)
        port_file = os.path.join(self.tmp, "smtp.port")
        self.smtp = subprocess.Popen([sys.executable, os.path.join(HELPERS, "smtp_sink.py"),
                                      "--port", str(free_port()), "--out", self.maildir,
                                      "--port-file", port_file])
        wait_until("the SMTP server", lambda: os.path.exists(port_file), timeout=30)
        with open(port_file) as f:
            smtp_port = int(f.read())
        self.mail_in_port = free_port()
        self.rx = self.faxd(name="receiver")
        self.tx = self.faxd(name="sender", config={
            "smtp": {"url": f"smtp://127.0.0.1:{smtp_port}", "starttls": "never",
                     "from": "Fax <fax@provider.example>"},
            "mail_in": {"listen": f"127.0.0.1:{self.mail_in_port}",
                        "trusted_relays": ["127.0.0.1"], "hostname": "fax.provider.example"}})
        self.rx_t = provision(self.rx, carrier_port=self.tx.sip_port, ddi=RECEIVER_DDI)
        self.tx_t = provision(self.tx, carrier_port=self.rx.sip_port, ddi="+34910000499",
                              outgoing_ddi=SENDER_DDI, country="ES")
        vfax = self.tx.api("PATCH", f"/virtual-faxes/{self.tx_t['vfax']['id']}",
                           {"mail_senders": ["ana@acme.example", "@oficina.example"]},
                           token=self.tx_t["token"])
        self.assertEqual(vfax["mail_senders"], ["@oficina.example", "ana@acme.example"])
        self.pdf = text_pdf(os.path.join(self.tmp, "one.pdf"), pages=1, lines=["Por correo"])

    def tearDown(self):
        self.smtp.terminate()
        self.smtp.wait(10)
        super().tearDown()

    def sent_faxes(self):
        return inbox(self.tx, self.tx_t["token"], direction="outbound")

    def mails(self):
        return sorted(glob.glob(os.path.join(self.maildir, "*.eml")))

    def smtp_send(self, msg, rcpts, source="127.0.0.1"):
        with smtplib.SMTP("127.0.0.1", self.mail_in_port, timeout=60,
                          source_address=(source, 0)) as s:
            return s.send_message(msg, to_addrs=rcpts)

    def test_swaks_mail_with_a_pdf_becomes_a_delivered_fax_and_the_sender_gets_the_result(self):
        number = RECEIVER_DDI.lstrip("+")
        run = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(self.mail_in_port),
             "--from", "ana@acme.example", "--to", f"{number}@fax.acme.example",
             "--header", "Subject: Contrato firmado",
             "--header", "Message-Id: <contrato-1@acme.example>",
             "--body", "Adjunto el contrato.",
             "--attach-type", "application/pdf", "--attach-name", "contrato.pdf",
             "--attach", self.pdf],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertRegex(run.stdout, r"<-  250 2\.0\.0 queued as fax [0-9A-Z]{26}")

        faxes = self.sent_faxes()
        self.assertEqual(len(faxes), 1, faxes)
        fax = faxes[0]
        self.assertIn(fax["id"], run.stdout)
        self.assertEqual((fax["to"], fax["from"], fax["pages_total"]),
                         (RECEIVER_DDI, SENDER_DDI, 1))
        self.assertEqual(fax["virtual_fax_id"], self.tx_t["vfax"]["id"])
        done = wait_for(self.tx, self.tx_t["token"], fax["id"], {"delivered", "failed"})
        self.assertEqual(done["status"], "delivered", done)
        got = wait_for(self.rx, self.rx_t["token"], inbox(self.rx, self.rx_t["token"])[0]["id"],
                       {"received", "failed"}, timeout=60)
        self.assertEqual((got["status"], got["pages"], got["from"]), ("received", 1, SENDER_DDI))

        # The sender's result mail, in the thread of the mail it answers.
        path = wait_until("the result mail", lambda: self.mails())[0]
        msg, _, rcpts = read_mail(path)
        self.assertEqual(rcpts, ["ana@acme.example"])
        self.assertEqual(str(msg["in-reply-to"]), "<contrato-1@acme.example>")
        self.assertIn(RECEIVER_DDI, str(msg["subject"]))

        # The relay sends the same message again (it lost our 250): the first fax, no second.
        again = fax_mail("ana@acme.example", f"{number}@fax.acme.example", pdf=open(self.pdf, "rb").read(),
                         message_id="<contrato-1@acme.example>")
        self.assertEqual(self.smtp_send(again, [f"{number}@fax.acme.example"]), {})
        self.assertEqual([f["id"] for f in self.sent_faxes()], [fax["id"]])

    def test_refused_mails_get_a_clear_answer_and_leave_nothing_behind(self):
        number = RECEIVER_DDI.lstrip("+")
        rcpt = f"{number}@fax.acme.example"
        pdf = open(self.pdf, "rb").read()

        # An untrusted relay is turned away when it connects.
        with self.assertRaises(smtplib.SMTPConnectError) as e:
            smtplib.SMTP("127.0.0.1", self.mail_in_port, timeout=30,
                         source_address=("127.0.0.2", 0))
        self.assertEqual(e.exception.smtp_code, 554)

        refused = [
            (fax_mail("eve@elsewhere.example", rcpt, pdf=pdf), [rcpt],
             550, "eve@elsewhere.example may not send faxes here"),
            (fax_mail("ana@acme.example", rcpt, pdf=b"%PDF-1.4\nthis is no PDF at all\n",
                      pdf_name="roto.pdf"), [rcpt], 550, "roto.pdf cannot be faxed"),
            (fax_mail("ana@acme.example", rcpt, pdf=pdf, headers={
                "Authentication-Results": "mx.acme.example; dkim=fail header.d=acme.example"}),
             [rcpt], 550, "faxes are sent only from authenticated mail"),
            # SPF as the relay in front of faxd judged it (its Authentication-Results on top):
            # faxd does no DNS of its own.
            (fax_mail("ana@acme.example", rcpt, pdf=pdf, headers={
                "Authentication-Results": "mx.provider.example; spf=fail (not permitted) "
                                          "smtp.mailfrom=ana@acme.example; dkim=none"}),
             [rcpt], 550, "5.7.1 SPF failed for ana@acme.example: faxes are sent only from "
                          "authenticated mail"),
            (fax_mail("luis@oficina.example", "123@fax.acme.example", pdf=pdf),
             ["123@fax.acme.example"], 550, "5.1.1 123: too short"),
            (fax_mail("luis@oficina.example", "0910000402@fax.acme.example", pdf=pdf),
             ["0910000402@fax.acme.example"], 550, "5.1.1 0910000402: "),
        ]
        for msg, to, code, words in refused:
            with self.subTest(words=words):
                with self.assertRaises(smtplib.SMTPDataError) as e:
                    self.smtp_send(msg, to)
                self.assertEqual(e.exception.smtp_code, code, e.exception.smtp_error)
                self.assertIn(words, e.exception.smtp_error.decode())

        # Without a caller id (neither the virtual fax nor its company has an outgoing DDI) the
        # mail is refused, not sent with an empty From.
        vfax_path = f"/virtual-faxes/{self.tx_t['vfax']['id']}"
        company_path = f"/companies/{self.tx_t['company']['id']}"
        self.tx.api("PATCH", vfax_path, {"outgoing_ddi_id": None}, token=self.tx_t["token"])
        self.tx.api("PATCH", company_path, {"default_outgoing_ddi_id": None},
                    token=self.tx_t["admin"])
        with self.assertRaises(smtplib.SMTPDataError) as e:
            self.smtp_send(fax_mail("ana@acme.example", rcpt, pdf=pdf), [rcpt])
        self.assertEqual(e.exception.smtp_code, 550, e.exception.smtp_error)
        self.assertRegex(e.exception.smtp_error.decode(), r"^5\.7\.1 .+ has no outgoing DDI")
        self.tx.api("PATCH", company_path, {"default_outgoing_ddi_id": self.tx_t["ddi"]["id"]},
                    token=self.tx_t["admin"])

        self.assertEqual(self.sent_faxes(), [], "a refused mail queues nothing")
        spool = os.path.join(self.tx.config["daemon"]["data_dir"], "spool")
        leftovers = [os.path.join(d, f) for d, _, files in os.walk(spool) for f in files]
        self.assertEqual(leftovers, [], "a refused mail leaves no file")

        # The listener still works: a domain sender's text-only mail to a national number (the
        # company is in Spain) becomes a one-page fax to it in E.164, with the company's caller id.
        national = "910000402@fax.acme.example"
        ok = fax_mail("luis@oficina.example", national, text="Sin adjunto: este texto es el fax.")
        self.assertEqual(self.smtp_send(ok, [national]), {})
        faxes = self.sent_faxes()
        self.assertEqual([(f["to"], f["from"], f["pages_total"]) for f in faxes],
                         [(RECEIVER_DDI, "+34910000499", 1)])


if __name__ == "__main__":
    unittest.main()
