"""How offices send (issue #20) and the page header line (issue #21), between two real faxd:
a cover page is one more page and arrives; a broadcast to three numbers delivers three faxes under
one batch_id; a fax scheduled a little ahead is not dialled before its time and is delivered
after it; a header with Spanish accents is read back from the received page by tesseract."""
import os
import shutil
import subprocess
import tempfile
import time
import unittest
from datetime import datetime, timedelta, timezone

from harness import FaxdTestCase
from pdfgen import text_pdf
from tenant import provision, wait_for

RX_DDI = "+15550002000"
TESSERACT = shutil.which("tesseract")
GS = shutil.which("gs")


def multipart(pairs, files):
    """(body, content_type) for repeated fields [(name, value)] and files [(name, filename, bytes)]."""
    boundary = "faxdsendoptions7MA4YWxkTrZu0gW"
    out = []
    for k, v in pairs:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for name, filename, data in files:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                   f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                   + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


class SendOptions(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.pdf = text_pdf(os.path.join(tempfile.mkdtemp(), "one.pdf"), pages=1)
        self.rx = self.faxd(name="receiver")
        self.tx = self.faxd(name="sender")
        self.r = provision(self.rx, carrier_port=self.tx.sip_port, ddi=RX_DDI)
        self.t = provision(self.tx, carrier_port=self.rx.sip_port, outgoing_ddi="+15550001099")

    def post(self, pairs, expect=202):
        with open(self.pdf, "rb") as f:
            data = f.read()
        body, ctype = multipart([("virtual_fax_id", self.t["vfax"]["id"]), ("quality", "fine")] + pairs,
                                [("file", "one.pdf", data)])
        return self.tx.api("POST", "/faxes", body, token=self.t["token"], expect=expect,
                           headers={"Content-Type": ctype})

    def received(self, count, timeout=240):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [f for f in self.rx.api("GET", "/faxes?direction=inbound", token=self.r["token"])["data"]
                    if f["status"] in ("received", "failed")]
            if len(done) >= count:
                return done
            time.sleep(0.5)
        raise AssertionError(f"fewer than {count} faxes received after {timeout}s")

    def test_cover_page_is_one_more_page_and_arrives_with_an_accented_header(self):
        header = "Clínica Recepción Nº 5 ñ"
        self.tx.api("PATCH", f"/virtual-faxes/{self.t['vfax']['id']}", {"header": header},
                    token=self.t["token"])
        fax = self.post([("to", RX_DDI), ("cover_to", "Dr. Muñoz"), ("cover_subject", "Informe"),
                         ("cover_note", "Por favor, confirme la recepción.")])
        self.assertEqual(fax["pages_total"], 2, fax)  # the one-page PDF and the cover
        done = wait_for(self.tx, self.t["token"], fax["id"], {"delivered", "failed"})
        self.assertEqual(done["status"], "delivered", done)
        self.assertEqual(done["pages"], 2)
        [got] = self.received(1)
        self.assertEqual(got["status"], "received", got)
        self.assertEqual(got["pages"], 2)
        # The delivery confirmation report is a PDF named like the mail attachment.
        status, headers, body = self.tx.request("GET", f"/api/v1/faxes/{fax['id']}/report",
                                                token=self.t["token"])
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith(b"%PDF"), body[:20])
        self.assertRegex(headers["content-disposition"],
                         r'filename="fax-\d{8}-\d{6}-\+15550002000-report\.pdf"')
        self.assertTrue(TESSERACT and GS, "scripts/deps.sh test installs tesseract-ocr and ghostscript")
        self.read_header_back(got)

    def read_header_back(self, got):
        """The received first page's header row, read by tesseract: accents intact, dated in the
        company's language (the tenant is Spanish, Europe/Madrid), page n/m, our number."""
        status, _, pdf = self.rx.request("GET", f"/api/v1/faxes/{got['id']}/document",
                                         token=self.r["token"])
        self.assertEqual(status, 200)
        work = tempfile.mkdtemp()
        with open(os.path.join(work, "rx.pdf"), "wb") as f:
            f.write(pdf)
        # The received page at twice its resolution (tesseract reads small print best enlarged).
        subprocess.run([GS, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", "-r408",
                        "-dFirstPage=1", "-dLastPage=1",
                        "-o", os.path.join(work, "page.png"), os.path.join(work, "rx.pdf")], check=True)
        subprocess.run([TESSERACT, os.path.join(work, "page.png"), os.path.join(work, "page"),
                        "-l", "spa", "--dpi", "408"], check=True, capture_output=True)
        with open(os.path.join(work, "page.txt"), encoding="utf-8") as f:
            text = f.read()
        for word in ("Clínica", "Recepción", "pág. 1/2", "+15550001099"):
            self.assertIn(word, text, text)
        self.assertRegex(text, r"\d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept|oct|nov|dic) 20\d\d")

    def test_broadcast_to_three_numbers_delivers_three_faxes_under_one_batch(self):
        numbers = [RX_DDI, "+15550002001", "+15550002002"]
        for n in numbers[1:]:  # two more numbers of the receiver, on the same virtual fax
            ddi = self.rx.api("POST", "/ddis", {"brand_id": self.r["brand"]["id"],
                                                "company_id": self.r["company"]["id"], "number": n},
                              token=self.r["admin"])
            self.rx.api("PATCH", f"/ddis/{ddi['id']}", {"virtual_fax_id": self.r["vfax"]["id"]},
                        token=self.r["token"])
        out = self.post([("to", n) for n in numbers])
        batch = out["batch_id"]
        self.assertEqual([f["to"] for f in out["data"]], numbers)
        self.assertEqual({f["batch_id"] for f in out["data"]}, {batch})
        listed = self.tx.api("GET", f"/faxes?batch_id={batch}", token=self.t["token"])["data"]
        self.assertEqual(sorted(f["id"] for f in listed), sorted(f["id"] for f in out["data"]))
        for f in out["data"]:
            done = wait_for(self.tx, self.t["token"], f["id"], {"delivered", "failed"})
            self.assertEqual(done["status"], "delivered", done)
        got = self.received(3)
        self.assertEqual(sorted(f["to"] for f in got), sorted(numbers))
        self.assertTrue(all(f["status"] == "received" and f["pages"] == 1 for f in got), got)
        # A second `to` is no longer dropped, and a field POST /faxes does not know is refused.
        err = self.post([("to", RX_DDI), ("sendat", "tomorrow")], expect=422)
        self.assertEqual(err["error"]["field"], "sendat")

    def test_scheduled_send_waits_for_its_time(self):
        # A short wait keeps the test's real time small; the minute is covered by the queue's
        # unit test on a manual clock (outbound_queue_test ScheduledFax*).
        send_at = (datetime.now(timezone.utc) + timedelta(seconds=20)).replace(microsecond=0)
        fax = self.post([("to", RX_DDI), ("send_at", send_at.isoformat())])
        self.assertEqual(fax["status"], "queued")
        self.assertEqual(datetime.fromisoformat(fax["next_attempt_at"]), send_at)
        self.assertEqual(datetime.fromisoformat(fax["send_at"]), send_at)
        time.sleep(8)
        early = self.tx.api("GET", f"/faxes/{fax['id']}", token=self.t["token"])
        # Only an answer that came back before send_at tells "not dialled early" (a stalled
        # machine may take longer than the wait); the attempts below prove it either way.
        if datetime.now(timezone.utc) < send_at:
            self.assertEqual((early["status"], early["dials"]), ("queued", 0), early)
        done = wait_for(self.tx, self.t["token"], fax["id"], {"delivered", "failed"})
        self.assertEqual(done["status"], "delivered", done)
        self.assertGreaterEqual(datetime.fromisoformat(done["started_at"]), send_at)
        attempts = self.tx.api("GET", f"/faxes/{fax['id']}/attempts", token=self.t["token"])["data"]
        self.assertGreaterEqual(min(datetime.fromisoformat(a["started_at"]) for a in attempts), send_at)


if __name__ == "__main__":
    unittest.main()
