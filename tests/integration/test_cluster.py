"""A cluster: two faxd nodes on one PostgreSQL behind Kamailio's dispatcher, a third faxd as the
carrier, and node 1 killed with SIGKILL in the middle of the traffic.

    carrier faxd ──INVITE──> Kamailio (dispatcher, X-Faxd-Source) ──> node1 | node2
    carrier faxd <──INVITE── node1 | node2   (outbound, straight to the carrier)
                     node1, node2 ──> PostgreSQL (everything, documents included)

30 faxes come in through Kamailio and 30 go out (half submitted to each node's API). Both nodes
take calls and send; after node 1 dies, Kamailio stops giving it calls, node 2 takes over its
queue and ends its receptions, and in the end every fax is delivered, received or failed with a
reason: none lost, none stuck, none delivered or mailed twice.

Needs Debian's postgresql-15 and kamailio (scripts/deps.sh test installs them).
"""
import calendar
import collections
import http.client
import json
import threading
import os
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from edge import Kamailio, available as edge_available, edge_address  # noqa: E402
from harness import FaxdTestCase  # noqa: E402
from pdfgen import text_pdf  # noqa: E402
from pg import Postgres  # noqa: E402
from tenant import send_fax  # noqa: E402
from test_reliability import SmtpSink  # noqa: E402

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
CLUSTER_CFG = os.path.join(SOURCE_DIR, "packaging", "kamailio", "faxd-cluster.cfg")
FAXES_EACH_WAY = int(os.environ.get("FAXD_CLUSTER_FAXES", "30"))
CLUSTER_DDI, CLUSTER_CALLER_ID = "+34910000100", "+34910000101"
CARRIER_DDI, CARRIER_CALLER_ID = "+34910000200", "+34910000201"
QUICK_RETRY = {"busy_s": 3, "no_answer_s": 3, "carrier_unreachable_s": 3, "not_a_fax_s": 3,
               "negotiation_failed_s": 3, "transfer_failed_s": 3, "max_dials": 20, "max_tries": 10}
FINAL_OUT = ("delivered", "failed", "canceled")
FINAL_IN = ("received", "failed")


def tenant(d, admin, carriers, inbound_ddi, caller_id, **vfax):
    """Brand, company (admin user), carriers (name -> host), a fax route over the first, the
    two DDIs and a virtual fax answering the first and calling from the second."""
    brand = d.api("POST", "/brands", {"name": f"Brand {os.getpid()}"}, token=admin)
    company = d.api("POST", "/companies", {"brand_id": brand["id"], "name": "Clinic"},
                    token=admin)
    ids = {}
    for name, host in carriers.items():
        ids[name] = d.api("POST", "/carriers", {"brand_id": brand["id"], "name": name,
                                               "host": host, "port": 5060, "transport": "udp",
                                               "t38": True}, token=admin)["id"]
    d.api("POST", "/routes", {"brand_id": brand["id"], "type": "fax", "prefix": "",
                              "carrier_id": ids[next(iter(carriers))], "priority": 1,
                              "weight": 1}, token=admin)
    ddi_in = d.api("POST", "/ddis", {"brand_id": brand["id"], "company_id": company["id"],
                                     "number": inbound_ddi}, token=admin)
    ddi_out = d.api("POST", "/ddis", {"brand_id": brand["id"], "company_id": company["id"],
                                      "number": caller_id}, token=admin)
    user = f"clinic{os.getpid()}"
    d.api("POST", "/users", {"username": user, "password": "company-pass-12",
                             "role": "company_admin", "brand_id": brand["id"],
                             "company_id": company["id"]}, token=admin)
    vf = d.api("POST", "/virtual-faxes", {"company_id": company["id"], "name": "Front desk",
                                         "outgoing_ddi_id": ddi_out["id"], **vfax}, token=admin)
    d.api("PATCH", f"/ddis/{ddi_in['id']}", {"virtual_fax_id": vf["id"]}, token=admin)
    return {"vfax": vf["id"], "user": user}


def all_faxes(d, token, direction):
    out, cursor = [], None
    while True:
        page = d.api("GET", f"/faxes?direction={direction}&limit=500"
                            + (f"&cursor={cursor}" if cursor else ""), token=token)
        out += page["data"]
        cursor = page.get("next_cursor")
        if not cursor:
            return out


class EventLog:
    """GET /api/v1/events on one node, read in the background: (type, fax id) of each event."""

    def __init__(self, d, token):
        self.events = []
        self.conn = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=600)
        self.conn.request("GET", "/api/v1/events", headers={"Authorization": f"Bearer {token}"})
        self.res = self.conn.getresponse()
        assert self.res.status == 200, self.res.status
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for line in iter(self.res.fp.readline, b""):
                if line.startswith(b"data: "):
                    event = json.loads(line[6:])
                    self.events.append((event["type"], event["data"]["id"]))
        except (OSError, ValueError):
            return

    def of(self, kind):
        return {fax for t, fax in self.events if t == kind}

    def close(self):
        self.conn.close()


class ClusterTest(FaxdTestCase):
    def setUp(self):
        super().setUp()
        why = edge_available()
        if why:
            self.skipTest(why)
        if not os.path.exists("/usr/lib/postgresql/15/bin/postgres"):
            self.skipTest("postgresql-15 is not installed (scripts/deps.sh test installs it)")
        self.tmp = tempfile.mkdtemp(prefix="faxd-cluster-")
        self.pg = Postgres().start()
        self.sink = SmtpSink(self.tmp)
        self.kamailio = None

    def tearDown(self):
        super().tearDown()  # stops the faxd first: they hold connections to PostgreSQL
        if self.kamailio:
            if any(e for _, e in getattr(self._outcome, "errors", []) if e):
                print(f"\n----- kamailio -----\n{self.kamailio.log()[-6000:]}")
            self.kamailio.stop()
        self.sink.stop()
        self.pg.stop()

    def node(self, name, address, proxy, url):
        return self.faxd(name=name, config={
            # The nodes seal carrier passwords and webhook secrets with one key (admin guide).
            "daemon": {"key_file": os.path.join(self.tmp, "secret.key")},
            "store": {"url": url},
            "cluster": {"node": name, "lease_s": 6},
            "sip": {"listen": f"{address}:5060", "trusted_proxies": [proxy]},
            # Every host has its own address: its media ports are its own too.
            "media": {"address": address, "port_min": 40000, "port_max": 40999},
            "smtp": {"url": f"smtp://127.0.0.1:{self.sink.port}", "starttls": "never"},
            "retry": QUICK_RETRY,
        })

    def test_a_node_dies_mid_traffic_and_nothing_is_lost_or_doubled(self):
        n1, n2, proxy, carrier_addr = (edge_address() for _ in range(4))
        url = self.pg.create_database("faxd_cluster")
        node1 = self.node("node1", n1, proxy, url)
        node2 = self.node("node2", n2, proxy, url)  # started second: finds the schema and admin
        carrier = self.faxd(name="carrier", config={
            "sip": {"listen": f"{carrier_addr}:5060"},
            "media": {"address": carrier_addr, "port_min": 40000, "port_max": 40999},
            "retry": QUICK_RETRY})
        ds_list = os.path.join(self.tmp, "dispatcher.list")
        with open(ds_list, "w") as f:
            f.write(f"1 sip:{n1}:5060\n1 sip:{n2}:5060\n")
        with open(CLUSTER_CFG) as f:
            self.kamailio = Kamailio(f.read(), proxy, self.tmp, tcp=True,
                                     defines={"DISPATCHER_LIST": f'"{ds_list}"',
                                              "PING_INTERVAL": "1"})

        # The cluster's tenant, provisioned on node 1 and used through both.
        admin1 = node1.login()
        cluster = tenant(node1, admin1, {"carrier": carrier_addr}, CLUSTER_DDI, CLUSTER_CALLER_ID,
                         email="desk@clinic.example", send_by_email=True)
        token1 = node1.login(cluster["user"], "company-pass-12")
        token2 = node2.login(cluster["user"], "company-pass-12")  # sessions are cluster-wide
        # The carrier: calls the cluster through Kamailio, takes calls from either node.
        carrier_admin = carrier.login()
        far = tenant(carrier, carrier_admin, {"cluster": proxy, "node1": n1, "node2": n2},
                     CARRIER_DDI, CARRIER_CALLER_ID)
        carrier_token = carrier.login(far["user"], "company-pass-12")
        # Node 2 learns of the carrier added through node 1 within seconds (its next refresh).
        deadline = time.monotonic() + 30
        while "sip.sources_loaded" not in node2.log() and time.monotonic() < deadline:
            time.sleep(0.2)

        stream = EventLog(node2, token2)  # node 2's stream carries every node's events
        self.addCleanup(stream.close)
        pdf = os.path.join(self.tmp, "one-page.pdf")
        text_pdf(pdf, pages=1)
        outbound = []
        for i in range(FAXES_EACH_WAY):
            via, token = (node1, token1) if i % 2 == 0 else (node2, token2)
            outbound.append(send_fax(via, token, cluster["vfax"], CARRIER_DDI, pdf)["id"])
        inbound_sent = [send_fax(carrier, carrier_token, far["vfax"], CLUSTER_DDI, pdf)["id"]
                        for _ in range(FAXES_EACH_WAY)]

        # Kill node 1 once traffic is flowing both ways and some of it is done.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            received = [f for f in all_faxes(node2, token2, "inbound") if f["status"] == "received"]
            delivered = [f for f in all_faxes(node2, token2, "outbound")
                         if f["status"] == "delivered"]
            if len(received) >= 4 and len(delivered) >= 4:
                break
            time.sleep(0.5)
        else:
            self.fail("no traffic completed before the kill")
        node1.proc.send_signal(signal.SIGKILL)
        node1.proc.wait()
        killed_at = time.time()

        # Every fax reaches a final state: the carrier's (it retries what the kill cut) and the
        # cluster's (node 2 takes node 1's queue and receptions over once their leases run out).
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            out = all_faxes(node2, token2, "outbound")
            inn = all_faxes(node2, token2, "inbound")
            far_out = [carrier.api("GET", f"/faxes/{i}", token=carrier_token)
                       for i in inbound_sent]
            if (all(f["status"] in FINAL_OUT for f in out)
                    and all(f["status"] in FINAL_IN for f in inn)
                    and all(f["status"] in FINAL_OUT for f in far_out)):
                break
            time.sleep(1)
        counts = collections.Counter(f["status"] for f in out)
        self.assertEqual(sorted(f["id"] for f in out), sorted(outbound), "no fax lost or added")
        self.assertTrue(all(f["status"] in FINAL_OUT for f in out), f"outbound stuck: {counts}")
        self.assertTrue(all(f["status"] in FINAL_IN for f in inn),
                        collections.Counter(f["status"] for f in inn))
        for f in out + inn:
            if f["status"] == "failed":
                self.assertTrue(f["failure"] and f["failure"]["message"], f"no reason: {f}")
        # The cluster delivered every outbound fax (node 2 resent the ones node 1 was sending)
        # and the carrier every fax it sent in (retrying those the kill cut).
        self.assertEqual(counts["delivered"], FAXES_EACH_WAY, counts)
        self.assertEqual(collections.Counter(f["status"] for f in far_out)["delivered"],
                         FAXES_EACH_WAY,
                         collections.Counter((f["status"], (f["failure"] or {}).get("message"))
                                             for f in far_out))
        for f in out:
            attempts = node2.api("GET", f"/faxes/{f['id']}/attempts", token=token2)["data"]
            self.assertEqual(sum(a["result"] == "delivered" for a in attempts), 1,
                             f"fax {f['id']} delivered more than once: {attempts}")
        # Each inbound call is one fax. Every fax the carrier delivered is there with its page:
        # received, or (taken by node 1 and cut by its death before it was recorded) failed
        # with the page stored. The ones node 1 was taking ended failed, saying so.
        received = [f for f in inn if f["status"] == "received"]
        kept = [f for f in inn if f["status"] == "failed" and f["pages"] > 0]
        self.assertGreaterEqual(len(received) + len(kept), FAXES_EACH_WAY)
        for f in inn:
            if f["status"] == "failed":
                self.assertIn("node node1", f["failure"]["message"])
        for f in kept:  # the stored page is there to read on the surviving node
            status, _, body = node2.request("GET", f"/api/v1/faxes/{f['id']}/document",
                                            token=token2)
            self.assertEqual(status, 200)
            self.assertTrue(body.startswith(b"%PDF"))

        # Both nodes took calls and sent faxes before the kill; after it only node 2 did.
        log1, log2 = (open(n.log_path, errors="replace").read() for n in (node1, node2))
        self.assertGreater(log1.count("inbound.accepted"), 0, "node 1 took no call")
        self.assertGreater(log2.count("inbound.accepted"), 0, "node 2 took no call")
        self.assertGreater(log1.count("queue.dial"), 0, "node 1 sent nothing")
        self.assertGreater(log2.count("queue.dial"), 0, "node 2 sent nothing")
        self.assertIn("cluster.took_over", log2)
        # Kamailio stopped offering node 1 calls once a probe went unanswered: the carrier's
        # calls placed a few seconds after the kill all reached node 2 at the first try.
        late_failures = []
        for i in inbound_sent:
            for a in carrier.api("GET", f"/faxes/{i}/attempts", token=carrier_token)["data"]:
                started = calendar.timegm(time.strptime(a["started_at"][:19],
                                                        "%Y-%m-%dT%H:%M:%S"))
                if started > killed_at + 5 and a["result"] == "failed":
                    late_failures.append(a)
        self.assertEqual(late_failures, [], "calls still offered to the dead node")

        # GET /events on node 2 streamed what happened on both nodes, in order, once each.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(stream.of("fax.received")) < len(received):
            time.sleep(0.5)
        self.assertEqual(stream.of("fax.queued") & set(outbound), set(outbound),
                         "faxes submitted to node 1 are queued events on node 2's stream too")
        self.assertEqual(stream.of("fax.delivered"), set(outbound))
        self.assertEqual(stream.of("fax.received"), {f["id"] for f in received})
        delivered_events = [fax for t, fax in stream.events if t == "fax.delivered"]
        self.assertEqual(len(delivered_events), len(set(delivered_events)), "an event twice")

        # Mail: every received fax mailed exactly once, by whichever node.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(self.sink.mails()) < len(received):
            time.sleep(0.5)
        time.sleep(3)  # a duplicate would arrive late
        mails = self.sink.mails()
        self.assertEqual(len(mails), len(received))
        ids = collections.Counter(m["Message-ID"] for m in mails)
        self.assertEqual(max(ids.values()), 1, "a mail went out twice")
        # The documents came from PostgreSQL: node 2 serves the PDF of a fax node 1 received.
        by_node1 = [f for f in received if f["id"] in log1]
        if by_node1:
            status, headers, body = node2.request(
                "GET", f"/api/v1/faxes/{by_node1[0]['id']}/document", token=token2)
            self.assertEqual(status, 200)
            self.assertTrue(body.startswith(b"%PDF"))
        print(f"\ncluster: killed node1 at {time.strftime('%H:%M:%S', time.localtime(killed_at))};"
              f" outbound {dict(counts)}, inbound "
              f"{dict(collections.Counter(f['status'] for f in inn))}", flush=True)


if __name__ == "__main__":
    unittest.main()
