"""Reliability: faxd killed with SIGKILL at random points, and faults on the line and the host.

The kill campaign runs two faxd (a sender and a receiver with fax-to-email to a real SMTP sink)
and kills one or both at seeded random moments while a batch of faxes flows; then it checks that
nothing was lost, stuck or duplicated, and that both SQLite stores pass `PRAGMA integrity_check`.
`FAXD_KILL_ROUNDS` (default 6) sets the number of kills, `FAXD_KILL_SEED` repeats a run; with
more than 10 rounds the faxes whose retry is due later are waited for instead of canceled.

The faults go through udp_loss_proxy.UdpLossProxy (10 % UDPTL loss, a carrier gone silent, a
BYE that never arrives), SIGSTOP, and a full tmpfs under the data directory (root only).
See docs/reliability.md for what each one found.
"""
import collections
import email
import email.policy
import glob
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime, timedelta, timezone

from harness import ApiError, FaxdTestCase, free_port
from pdfgen import text_pdf
from tenant import inbox, multipart, provision, send_fax, wait_for
from test_mail import HELPERS, wait_file, wait_until
from udp_loss_proxy import ALIASES, UdpLossProxy, proxied_config

RECEIVER_DDI = "+15550002000"
LONG = os.environ.get("FAXD_RELIABILITY_LONG") == "1"
long_test = unittest.skipUnless(LONG, "a minute or more: set FAXD_RELIABILITY_LONG=1")
DONE_OUT = {"delivered", "failed", "canceled"}


def integrity(d):
    """PRAGMA integrity_check of a stopped faxd's store."""
    db = sqlite3.connect(os.path.join(d.config["daemon"]["data_dir"], "faxd.db"))
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def metric(d, name):
    _, _, body = d.request("GET", "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


class SmtpSink:
    """tests/unit/mail/smtp_sink.py (aiosmtpd) in a child process; `mails()` parses what it got."""

    def __init__(self, tmp):
        self.port = free_port()
        self.dir = os.path.join(tmp, "maildir")
        os.makedirs(self.dir)
        port_file = os.path.join(tmp, "smtp.port")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HELPERS, "smtp_sink.py"),
                                      "--port", str(self.port), "--out", self.dir,
                                      "--port-file", port_file])
        wait_file(port_file, self.proc)

    def mails(self):
        out = []
        for path in sorted(glob.glob(os.path.join(self.dir, "*.eml"))):
            with open(path, "rb") as f:
                out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class CrashCampaign(FaxdTestCase):
    def tearDown(self):
        if getattr(self, "sink", None):
            self.sink.stop()
        super().tearDown()

    def add_sender_vfax(self, tx, t, n):
        """A virtual fax with its own outgoing number: the receiver tells the faxes apart by it."""
        number = f"+1555001{n:04d}"
        ddi = tx.api("POST", "/ddis", {"brand_id": t["brand"]["id"], "company_id": t["company"]["id"],
                                       "number": number}, token=t["admin"])
        vfax = tx.api("POST", "/virtual-faxes", {"company_id": t["company"]["id"], "name": f"Out {n}",
                                                 "outgoing_ddi_id": ddi["id"]}, token=t["token"])
        return vfax["id"], number

    def test_kill_9_at_random_points_loses_nothing_and_duplicates_nothing(self):
        rounds = int(os.environ.get("FAXD_KILL_ROUNDS", "6"))
        seed = int(os.environ.get("FAXD_KILL_SEED", random.SystemRandom().randrange(1 << 31)))
        long_run = rounds > 10
        print(f"\nkill campaign: FAXD_KILL_SEED={seed} FAXD_KILL_ROUNDS={rounds}", flush=True)
        rng = random.Random(seed)
        tmp = tempfile.mkdtemp(prefix="faxd-kill-")
        self.sink = SmtpSink(tmp)
        tx = self.faxd(name="kill-sender")
        rx = self.faxd(name="kill-receiver", config={"smtp": {
            "url": f"smtp://127.0.0.1:{self.sink.port}", "starttls": "never"}})
        rx_t = provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI,
                         email="office@acme.example", send_by_email=True)
        t = provision(tx, carrier_port=rx.sip_port)
        pdfs = [text_pdf(os.path.join(tmp, f"p{n}.pdf"), pages=n, lines=[f"kill campaign {seed}"])
                for n in (1, 2)]
        accepted = {}  # tx fax id -> the caller id the receiver sees

        def rx_inbox():
            return rx.api("GET", "/faxes?direction=inbound&limit=500", token=rx_t["token"])["data"]

        def submit(n):
            vfax, number = self.add_sender_vfax(tx, t, n)
            fax = send_fax(tx, t["token"], vfax, RECEIVER_DDI, rng.choice(pdfs))
            accepted[fax["id"]] = number

        n = 0
        for _ in range(4):
            n += 1
            submit(n)
        kills = collections.Counter()
        for r in range(rounds):
            time.sleep(rng.uniform(0.3, 5.0))
            victims = rng.choices([(tx,), (rx,), (tx, rx)], weights=[4, 4, 2])[0]
            for d in victims:
                d.kill()
                kills[d is tx and "sender" or "receiver"] += 1
            time.sleep(rng.uniform(0.0, 1.5))
            for d in victims:
                d.start()
            if rng.random() < 0.7:
                n += 1
                submit(n)
            print(f"round {r + 1}: killed {'+'.join('tx' if d is tx else 'rx' for d in victims)}; "
                  f"{len(accepted)} faxes accepted", flush=True)

        # Settle: nothing may stay sending/receiving; a fax may wait for its next retry.
        def later(f):  # queued for a retry due well after now
            when = f["status"] == "queued" and f["next_attempt_at"]
            return bool(when) and datetime.fromisoformat(when.replace("Z", "+00:00")) > \
                datetime.now(timezone.utc) + timedelta(seconds=5)

        def settled():
            faxes = [tx.api("GET", f"/faxes/{i}", token=t["token"]) for i in accepted]
            busy = [f for f in faxes if f["status"] == "sending"
                    or (f["status"] == "queued" and not later(f))]
            busy_rx = [f for f in rx_inbox() if f["status"] == "receiving"]
            return (faxes if not busy and not busy_rx else None)
        faxes = wait_until("every fax done or waiting for a retry", settled, timeout=300)
        waiting = [f["id"] for f in faxes if later(f)]
        if waiting and long_run:
            for fax_id in waiting:
                wait_for(tx, t["token"], fax_id, DONE_OUT, timeout=900)
        else:
            for fax_id in waiting:  # their retry is due in a minute or more: the user cancels
                tx.api("POST", f"/faxes/{fax_id}/cancel", token=t["token"], expect=202)
        final = {i: wait_for(tx, t["token"], i, DONE_OUT, timeout=120) for i in accepted}
        statuses = collections.Counter(f["status"] for f in final.values())
        print(f"kills: {dict(kills)}; sender: {dict(statuses)}; canceled while waiting for a "
              f"retry: {0 if long_run else len(waiting)}", flush=True)

        # The receiver: nothing stuck; every received fax has its document and one mail.
        received = collections.Counter()
        rx_faxes = rx_inbox()
        rx_ids = [f["id"] for f in rx_faxes]
        self.assertEqual(len(rx_ids), len(set(rx_ids)))
        for f in rx_faxes:
            self.assertIn(f["status"], ("received", "failed"), f)
            if f["status"] == "received":
                received[f["from"]] += 1
                self.assertGreaterEqual(f["pages"], 1, f)
                status, _, pdf = rx.request("GET", f"/api/v1/faxes/{f['id']}/document", token=rx_t["token"])
                self.assertEqual(status, 200, f)
                self.assertTrue(pdf.startswith(b"%PDF-"))
            else:
                self.assertTrue(f["failure"] and f["failure"]["message"], f)
        for fax_id, number in accepted.items():
            f = final[fax_id]
            attempts = tx.api("GET", f"/faxes/{fax_id}/attempts", token=t["token"])["data"]
            self.assertNotIn("running", [a["result"] for a in attempts], attempts)
            # One call gives at most one fax in the receiver's inbox.
            self.assertLessEqual(received[number], len(attempts), (f, attempts))
            if f["status"] == "delivered":
                self.assertEqual(f["pages"], f["pages_total"], f)
                self.assertGreaterEqual(received[number], 1, f"delivered but not received: {f}")
            elif f["status"] == "failed":
                self.assertTrue(f["failure"]["message"], f)
        print(f"receiver: {len(rx_faxes)} calls, {sum(received.values())} received, "
              f"{sum(v > 1 for v in received.values())} faxes received twice after a sender "
              f"crash", flush=True)

        wait_until("the mail outbox to drain", lambda: metric(rx, "faxd_mail_outbox_depth") == 0.0,
                   timeout=120)
        mails = self.sink.mails()
        for d in (tx, rx):
            self.assertEqual(d.stop()[0], 0, "clean exit after the campaign")
            self.assertEqual(integrity(d), "ok")
        db = sqlite3.connect(os.path.join(rx.config["daemon"]["data_dir"], "faxd.db"))
        outbox = dict(db.execute("SELECT id, fax_id FROM mail_outbox").fetchall())
        db.close()
        mailed = collections.Counter(outbox.get(m["message-id"].strip("<>").split(".faxd@")[0])
                                     for m in mails)
        for f in rx_faxes:
            self.assertEqual(mailed[f["id"]], 1 if f["status"] == "received" else 0, f)
        self.assertEqual(sum(mailed.values()), len(mails), "a mail for no received fax")


class Faults(FaxdTestCase):
    """Two faxd through the relay; each test damages the line a different way."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="faxd-fault-")
        self.proxy = None

    def tearDown(self):
        if self.proxy:
            self.proxy.stop()
        super().tearDown()

    def pair(self, loss=0.0, pages=1):
        self.rx = self.faxd(name="fault-receiver", config=proxied_config(ALIASES[0]))
        self.tx = self.faxd(name="fault-sender", config=proxied_config(ALIASES[1]))
        self.proxy = UdpLossProxy(self.rx, self.tx, loss=loss, seed=10)
        self.rx_t = provision(self.rx, carrier_host=ALIASES[1], carrier_port=self.tx.sip_port,
                              ddi=RECEIVER_DDI)
        self.t = provision(self.tx, carrier_host=ALIASES[0], carrier_port=self.rx.sip_port)
        self.pdf = text_pdf(os.path.join(self.tmp, f"{pages}.pdf"), pages=pages)

    def send(self):
        return send_fax(self.tx, self.t["token"], self.t["vfax"]["id"], RECEIVER_DDI, self.pdf)["id"]

    def wait_rx_fax(self, statuses, timeout=120):
        got = wait_until("the receiver's fax", lambda: inbox(self.rx, self.rx_t["token"]), timeout=60)
        return wait_for(self.rx, self.rx_t["token"], got[0]["id"], statuses, timeout=timeout)

    def wait_page_flow(self):
        """Until the fax is on T.38 and the relay has carried a good amount of UDPTL."""
        wait_until("UDPTL through the relay", lambda: self.proxy.stats["media"] > 150, timeout=60)

    def test_ten_percent_udptl_loss_both_ways_still_delivers(self):
        self.pair(loss=0.10, pages=2)
        fax_id = self.send()
        done = wait_for(self.tx, self.t["token"], fax_id, {"delivered", "failed"}, timeout=300)
        st = self.proxy.stats
        print(f"\n10 % loss: {st['media_dropped']} of {st['media']} media datagrams dropped; "
              f"attempts {done['attempts']}, transport {done['transport']}", flush=True)
        self.assertGreater(st["media_dropped"], 0.05 * st["media"])
        self.assertEqual(done["status"], "delivered", done)
        self.assertEqual(done["pages"], 2)
        rx = self.wait_rx_fax({"received", "failed"})
        self.assertEqual(rx["status"], "received", rx)
        self.assertEqual(rx["pages"], 2)

    def assert_gave_up_cleanly(self, fax_id):
        """The sender ended the call itself, said why, and scheduled a retry by policy."""
        t0 = time.monotonic()
        f = wait_until("the sender to give up on the call", lambda: (
            lambda f: f if f["status"] != "sending" else None)(
            self.tx.api("GET", f"/faxes/{fax_id}", token=self.t["token"])), timeout=240)
        self.assertEqual(f["status"], "queued", f)
        self.assertIn(f["failure"]["code"], ("transfer_failed", "negotiation_failed", "no_answer"), f)
        self.assertTrue(f["failure"]["message"], f)
        self.assertGreater(f["next_attempt_at"], f["updated_at"][:19], "a retry later, by policy")
        attempts = self.tx.api("GET", f"/faxes/{fax_id}/attempts", token=self.t["token"])["data"]
        self.assertEqual([a["result"] for a in attempts], ["failed"])
        self.assertEqual(metric(self.tx, "faxd_fax_sessions_active"), 0.0)
        self.assertEqual(self.tx.request("GET", "/healthz")[0], 200)
        print(f"\nthe sender gave up {time.monotonic() - t0:.0f}s after the fault", flush=True)
        return f

    @long_test
    def test_carrier_that_goes_silent_mid_call_is_hung_up_and_retried(self):
        self.pair(pages=3)
        fax_id = self.send()
        self.wait_page_flow()
        self.proxy.blackhole = True  # no media, no BYE, no answer to ours: the carrier is gone
        f = self.assert_gave_up_cleanly(fax_id)
        print(f"\nsilent carrier: {f['failure']}", flush=True)
        self.proxy.blackhole = False
        rx = self.wait_rx_fax({"received", "failed"}, timeout=240)
        self.assertEqual(rx["status"], "failed", "the receiver lost its caller too")
        self.assertEqual(metric(self.rx, "faxd_fax_sessions_active"), 0.0)
        # The next fax goes through: neither side kept anything of the dead call.
        self.tx.api("POST", f"/faxes/{fax_id}/cancel", token=self.t["token"], expect=202)
        second = self.send()
        self.assertEqual(wait_for(self.tx, self.t["token"], second, {"delivered", "failed"})["status"],
                         "delivered")

    @long_test
    def test_receiver_frozen_with_sigstop_mid_call(self):
        self.pair(pages=3)
        fax_id = self.send()
        self.wait_page_flow()
        self.rx.proc.send_signal(signal.SIGSTOP)
        try:
            f = self.assert_gave_up_cleanly(fax_id)
        finally:
            self.rx.proc.send_signal(signal.SIGCONT)
        print(f"\nfrozen receiver: {f['failure']}", flush=True)
        rx = self.wait_rx_fax({"received", "failed"}, timeout=240)
        self.assertEqual(rx["status"], "failed", rx)
        self.assertTrue(rx["failure"]["message"])
        self.assertEqual(self.rx.request("GET", "/healthz")[0], 200)

    @long_test
    def test_bye_that_never_arrives(self):
        """Neither side hears the other's BYE (nor answers it): both still close the fax."""
        self.pair(pages=1)
        self.proxy.drop_sip_methods = {"BYE"}
        fax_id = self.send()
        done = wait_for(self.tx, self.t["token"], fax_id, {"delivered", "failed"})
        self.assertEqual(done["status"], "delivered", done)
        rx = self.wait_rx_fax({"received", "failed"})
        self.assertEqual(rx["status"], "received", rx)
        self.assertGreater(self.proxy.stats["sip_dropped"], 0, self.proxy.sip_log)
        for d in (self.tx, self.rx):
            wait_until("the call to be gone", lambda: metric(d, "faxd_fax_sessions_active") == 0.0,
                       timeout=90)
        self.proxy.drop_sip_methods = set()
        second = self.send()
        self.assertEqual(wait_for(self.tx, self.t["token"], second, {"delivered", "failed"})["status"],
                         "delivered")


class DiskFull(FaxdTestCase):
    """The sender's data directory (store and spool) on a 16 MB tmpfs that the test fills."""

    def mount_small_tmpfs(self, d):
        path = d.config["daemon"]["data_dir"]
        os.makedirs(path)
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "faxd-test", path],
                             capture_output=True, text=True)
        if res.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here (root and CAP_SYS_ADMIN needed): {res.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", "-l", path], capture_output=True)
        return path

    def fill(self, path):
        filler = os.path.join(path, "filler")
        with open(filler, "wb") as f:
            chunk = b"\0" * 65536
            try:
                while True:
                    f.write(chunk)
                    f.flush()
            except OSError:
                pass
        return filler

    def test_full_spool_refuses_uploads_honestly_keeps_serving_and_recovers(self):
        rx = self.faxd(name="disk-receiver")
        tx = self.faxd(name="disk-sender", start=False)
        data = self.mount_small_tmpfs(tx)
        tx.start()
        rx_t = provision(rx, carrier_port=tx.sip_port, ddi=RECEIVER_DDI)
        t = provision(tx, carrier_port=rx.sip_port)
        pdf = text_pdf(os.path.join(tempfile.mkdtemp(), "two.pdf"), pages=2)
        first = send_fax(tx, t["token"], t["vfax"]["id"], RECEIVER_DDI, pdf)
        wait_for(tx, t["token"], first["id"], {"sending"}, timeout=30)
        filler = self.fill(data)  # the disk fills up during the call

        status, _, body = tx.request("POST", "/api/v1/faxes", *self.upload(t, pdf), token=t["token"])
        print(f"\nupload on a full disk: {status} {body[:200]!r}", flush=True)
        self.assertIn(status, (503, 507), body)
        error = json.loads(body)["error"]
        self.assertEqual(error["code"], "storage_full", error)
        self.assertTrue(error["message"])
        # Still serving: health and reads; a write that cannot be stored is refused as such.
        self.assertEqual(tx.request("GET", "/healthz")[0], 200)
        self.assertEqual(tx.api("GET", f"/faxes/{first['id']}", token=t["token"])["id"], first["id"])
        status, _, body = tx.request("POST", "/api/v1/login",
                                     {"username": "admin", "password": "admin-pass"})
        print(f"login on a full disk: {status} {body[:120]!r}", flush=True)
        self.assertIn(status, (200, 507), body)
        if status == 507:
            self.assertEqual(json.loads(body)["error"]["code"], "storage_full")
        # The fax in flight reaches the receiver while the sender cannot write its end down.
        got = wait_until("the receiver's fax", lambda: inbox(rx, rx_t["token"]), timeout=60)
        self.assertEqual(wait_for(rx, rx_t["token"], got[0]["id"], {"received", "failed"},
                                  timeout=180)["status"], "received")
        time.sleep(3)  # a few queue polls with the disk still full
        os.remove(filler)  # space again: no restart needed
        # Recorded once space is back: delivered, not left `sending`, not sent a second time.
        done = wait_for(tx, t["token"], first["id"], DONE_OUT, timeout=60)
        self.assertEqual((done["status"], done["pages"]), ("delivered", 2), done)
        attempts = tx.api("GET", f"/faxes/{first['id']}/attempts", token=t["token"])["data"]
        self.assertEqual([a["result"] for a in attempts], ["delivered"])
        self.assertEqual(len(inbox(rx, rx_t["token"])), 1, "received once")
        self.assertEqual(send_fax(tx, t["token"], t["vfax"]["id"], RECEIVER_DDI, pdf)["status"],
                         "queued", "uploads are taken again")
        self.assertIsNone(tx.proc.poll())
        self.assertEqual(tx.stop()[0], 0)
        self.assertEqual(integrity(tx), "ok")

    @staticmethod
    def upload(t, pdf):
        with open(pdf, "rb") as f:
            body, ctype = multipart({"virtual_fax_id": t["vfax"]["id"], "to": RECEIVER_DDI},
                                    [("file", "two.pdf", f.read(), "application/pdf")])
        return body, {"Content-Type": ctype}


if __name__ == "__main__":
    unittest.main()
