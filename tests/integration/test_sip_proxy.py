"""faxd behind its own proxy: OPTIONS answered 200 (the dispatcher's probe, a carrier's
keep-alive), and `X-Faxd-Source` believed from `[sip] trusted_proxies` only.

Each party has its own loopback address, as real hosts do: faxd, the proxy, a carrier and a
stranger. With no DDI provisioned, an INVITE whose source faxd takes for the carrier is answered
404 (unknown number); one from a source it refuses gets 403, or nothing at all.
"""
import os
import socket
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(__file__))

from edge import edge_address  # noqa: E402
from harness import FaxdTestCase  # noqa: E402


def sip_request(source, target, method, extra_headers=(), timeout=3.0):
    """Sends one request over UDP from `source` (address) and returns the final status code, or
    None when nothing final came back in time."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(0.2)
        port = s.getsockname()[1]
        call_id = uuid.uuid4().hex
        body = ("v=0\r\no=- 1 1 IN IP4 {0}\r\ns=-\r\nc=IN IP4 {0}\r\nt=0 0\r\n"
                "m=audio 40000 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\n").format(source)
        if method != "INVITE":
            body = ""
        lines = [f"{method} sip:+34910000999@{target[0]}:{target[1]} SIP/2.0",
                 f"Via: SIP/2.0/UDP {source}:{port};branch=z9hG4bK{uuid.uuid4().hex[:12]};rport",
                 "Max-Forwards: 70",
                 f"From: <sip:+34600000001@{source}>;tag={uuid.uuid4().hex[:8]}",
                 f"To: <sip:+34910000999@{target[0]}>",
                 f"Call-ID: {call_id}", f"CSeq: 1 {method}",
                 f"Contact: <sip:carrier@{source}:{port}>", *extra_headers]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body)}")
        s.sendto(("\r\n".join(lines) + "\r\n\r\n" + body).encode(), target)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data, _ = s.recvfrom(65535)
            except socket.timeout:
                continue
            status = int(data.split(b" ", 2)[1])
            if status >= 200:
                if method == "INVITE":  # a final response to an INVITE is ACKed
                    ack = [f"ACK sip:+34910000999@{target[0]}:{target[1]} SIP/2.0",
                           lines[1], "Max-Forwards: 70", lines[3], lines[4] + ";tag=x",
                           f"Call-ID: {call_id}", "CSeq: 1 ACK", "Content-Length: 0"]
                    s.sendto(("\r\n".join(ack) + "\r\n\r\n").encode(), target)
                return status
        return None


class TrustedProxyTest(FaxdTestCase):
    def test_options_and_who_may_name_the_carrier(self):
        faxd_addr, proxy, carrier, stranger = (edge_address() for _ in range(4))
        d = self.faxd(config={"sip": {"listen": f"{faxd_addr}:5060", "trusted_proxies": [proxy]},
                              "media": {"address": faxd_addr}})
        admin = d.login()
        brand = d.api("POST", "/brands", {"name": "Proxied"}, token=admin)
        d.api("POST", "/carriers", {"brand_id": brand["id"], "name": "Trunk", "host": carrier,
                                    "port": 5060, "transport": "udp", "t38": True}, token=admin)
        target = (faxd_addr, 5060)
        # Carriers' sources are loaded in the background: wait until the carrier is known.
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and sip_request(carrier, target, "INVITE") != 404:
            time.sleep(0.5)

        self.assertEqual(sip_request(stranger, target, "OPTIONS"), 200, "OPTIONS answered")
        self.assertEqual(sip_request(proxy, target, "OPTIONS"), 200)
        self.assertEqual(sip_request(carrier, target, "INVITE"), 404,
                         "the carrier itself is taken (and its unknown number refused)")
        source = f"X-Faxd-Source: {carrier}:5060"
        self.assertEqual(sip_request(proxy, target, "INVITE", [source]), 404,
                         "through the proxy, the carrier it names is taken")
        self.assertIn(sip_request(stranger, target, "INVITE", [source]), (403, None),
                      "a stranger naming the carrier is not believed")
        self.assertIn(sip_request(proxy, target, "INVITE"), (403, None),
                      "the proxy without a name is nobody")
        self.assertIn(sip_request(proxy, target, "INVITE", [f"X-Faxd-Source: {stranger}:5060"]),
                      (403, None), "the proxy naming a stranger")
        self.assertIn(sip_request(proxy, target, "INVITE", ["X-Faxd-Source: garbage"]),
                      (403, None), "a malformed name is refused, not a crash")
        self.assertEqual(d.proc.poll(), None)


if __name__ == "__main__":
    unittest.main()
