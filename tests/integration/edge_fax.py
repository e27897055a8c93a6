"""Faxes through the provider's edge: two faxd processes (the operator's node and a carrier) on
their own loopback addresses, Kamailio with packaging/kamailio/faxd-edge.cfg and rtpengine in
between, tshark on the wire. Used by the test_edge_*.py files (each its own CTest test, so they
run in parallel)."""
import os
import signal
import subprocess
import tempfile
import time

import edge
from harness import FaxdTestCase, SHARED_DIR
from tenant import inbox, multipart, provision, wait_for

NODE_DDI = "+15550001000"  # the operator's faxd (the sender in these tests)
CARRIER_DDI = "+15550002000"  # the carrier side (another faxd receiving)
# One corpus page that takes about 64 s on the line: longer than a 45 s session refresh.
LONG_PAGE = os.path.join(SHARED_DIR, "corpus", "tiff", "one-page-g4-204x196.tiff")


class EdgeCapture:
    """tshark on lo for the addresses of one test."""

    def __init__(self, directory, addresses):
        self.path = os.path.join(directory, "edge.pcap")
        flt = " or ".join(f"host {a}" for a in addresses)
        self.proc = subprocess.Popen(["tshark", "-i", "lo", "-f", flt, "-w", self.path, "-q"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while not os.path.exists(self.path) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)

    def stop(self):
        time.sleep(0.5)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(20)

    def fields(self, display_filter, *fields, extra=()):
        args = ["tshark", "-r", self.path, "-Y", display_filter, *extra]
        if fields:
            args += ["-T", "fields", "-E", "separator=|"] + [x for f in fields for x in ("-e", f)]
        out = subprocess.run(args, capture_output=True, text=True, timeout=120).stdout
        return [line for line in out.splitlines() if line.strip()]

    def malformed(self):
        """Frames tshark flags as malformed, less the verbatim repeats of a T.38 end-of-data
        indicator that senders (spandsp, rtpengine) send on purpose: same source, same UDPTL
        bytes as an earlier datagram."""
        rows = self.fields("udp || sip", "frame.number", "ip.src", "udp.srcport", "udp.payload",
                           "_ws.malformed", "_ws.expert.message")
        seen, bad = set(), []
        for row in rows:
            number, src, port, payload, malformed, expert = (row.split("|") + [""] * 6)[:6]
            key = (src, port, payload)
            flagged = malformed or "Malformed" in expert
            if flagged and self.audio_frame(payload):
                continue  # audio still in flight while the switch to T.38 was negotiated
            if flagged and not (payload and key in seen):
                bad.append(row[:300])
            if payload:
                seen.add(key)
        return bad

    @staticmethod
    def audio_frame(payload):
        """A 20 ms G.711 RTP frame (version 2, PCMU or PCMA, 12-byte header and 160 samples).
        tshark decodes a port as UDPTL from the SDP offer of the T.38 re-INVITE on, while the
        audio goes on until the answer (RFC 3264 section 8): such a frame is flagged malformed
        though nothing is wrong with it."""
        if len(payload) != 2 * (12 + 160):
            return False
        first, second = int(payload[0:2], 16), int(payload[2:4], 16)
        return first >> 6 == 2 and (second & 0x7F) in (0, 8)


class EdgeFaxCase(FaxdTestCase):
    """setUp starts nothing; edge() brings up one whole scenario."""

    def setUp(self):
        super().setUp()
        why = edge.available()
        if why:
            self.skipTest(why)
        self.workdir = tempfile.mkdtemp(prefix="edge-fax-")
        self.edge_daemons = []
        self.capture = None

    def tearDown(self):
        if self.capture:
            self.capture.stop()
        failed = False
        result = getattr(self._outcome, "result", None)
        if result is not None and (result.failures or result.errors):
            failed = True
        for d in reversed(self.edge_daemons):
            d.stop()
            if failed:
                print(f"\n----- {d.name} log {d.log_path} -----\n{d.log()[-8000:]}")
        super().tearDown()

    def node(self, address, name, extra=None):
        config = {"sip": {"listen": f"{address}:5060"},
                  "media": {"address": address}, "log": {"level": "debug"}}
        for k, v in (extra or {}).items():
            config.setdefault(k, {}).update(v)
        d = self.faxd(config, name=name)
        d.sip_address = address
        return d

    def edge(self, *, rtp_to_carrier="", transport="udp", session_expires=None,
             carrier_t38=True, node_t38=True, receiver_config=None):
        """Starts rtpengine, Kamailio, the node (sender) and the carrier (receiver), and
        provisions both. Returns (node, node_tenant, carrier, carrier_tenant)."""
        engine_addr, proxy_addr = edge.edge_address(), edge.edge_address()
        node_addr, carrier_addr = edge.edge_address(), edge.edge_address()
        self.capture = EdgeCapture(self.workdir, [engine_addr, proxy_addr, node_addr, carrier_addr])
        rtp = edge.Rtpengine(engine_addr, self.workdir)
        self.edge_daemons.append(rtp)
        tcp = ";transport=tcp" if transport == "tcp" else ""
        defines = {"RTPENGINE_SOCK": f'"{rtp.ng_socket}"', "FAXD_ADDR": f'"{node_addr}"',
                   "FAXD_URI": f'"sip:{node_addr}:5060{tcp}"',
                   "CARRIER_URI": f'"sip:{carrier_addr}:5060{tcp}"',
                   "RTP_TO_CARRIER": f'"{rtp_to_carrier}"'}
        if session_expires:
            defines["SESSION_EXPIRES"] = f'"{session_expires}"'
        proxy = edge.Kamailio(edge.edge_config(), proxy_addr, self.workdir, defines=defines)
        self.edge_daemons.append(proxy)
        self.proxy = proxy
        node = self.node(node_addr, "node", {"t38": {"enabled": node_t38}})
        carrier = self.node(carrier_addr, "carrier", receiver_config)
        carrier_tenant = provision(carrier, carrier_host=proxy_addr, carrier_port=5060,
                                   ddi=CARRIER_DDI)
        node_tenant = provision(node, carrier_host=proxy_addr, carrier_port=5060,
                                t38=carrier_t38, ddi="+15550001999", outgoing_ddi=NODE_DDI)
        if transport == "tcp":
            node.api("PATCH", f"/carriers/{node_tenant['carrier']['id']}", {"transport": "tcp"},
                     token=node_tenant["admin"])
        return node, node_tenant, carrier, carrier_tenant

    def fax(self, node, node_tenant, carrier, carrier_tenant, path, timeout=300):
        with open(path, "rb") as f:
            data = f.read()
        ctype = "image/tiff" if path.endswith((".tif", ".tiff")) else "application/pdf"
        body, form = multipart({"virtual_fax_id": node_tenant["vfax"]["id"], "to": CARRIER_DDI,
                                "quality": "fine"},
                               [("file", os.path.basename(path), data, ctype)])
        fax = node.api("POST", "/faxes", body, token=node_tenant["token"], expect=202,
                       headers={"Content-Type": form})
        done = wait_for(node, node_tenant["token"], fax["id"], {"delivered", "failed"}, timeout)
        got = inbox(carrier, carrier_tenant["token"])
        rx = None
        if got:
            rx = wait_for(carrier, carrier_tenant["token"], got[0]["id"], {"received", "failed"},
                          timeout=60)
        if self.capture:
            self.capture.stop()
        return done, rx
