"""faxd behind the provider's edge: Kamailio (record-routing, rtpengine module) and rtpengine in
userspace, each on its own loopback address, with the shipped packaging/kamailio/faxd-edge.cfg.
"""
import socket
import tempfile
import unittest

import edge


class EdgeHarness(unittest.TestCase):
    def setUp(self):
        why = edge.available()
        if why:
            self.skipTest(why)
        self.dir = tempfile.mkdtemp(prefix="edge-")

    def test_proxy_and_engine_start_answer_and_stop(self):
        # What the other edge tests stand on: both daemons come up on their own addresses, the
        # proxy finds the engine, answers OPTIONS for itself, and both are gone afterwards.
        engine_addr, proxy_addr = edge.edge_address(), edge.edge_address()
        with edge.Rtpengine(engine_addr, self.dir) as rtp:
            self.assertIn(b"pong", rtp.command(b"d7:command4:pinge"))
            with edge.Kamailio(edge.edge_config(), proxy_addr, self.dir,
                               defines={"RTPENGINE_SOCK": f'"{rtp.ng_socket}"'}) as proxy:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.settimeout(5)
                    s.bind((edge.edge_address(0), 0))
                    host, port = s.getsockname()
                    s.sendto((f"OPTIONS {proxy.uri} SIP/2.0\r\n"
                              f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK-edge-1\r\n"
                              f"From: <sip:probe@{host}>;tag=1\r\nTo: <{proxy.uri}>\r\n"
                              "Call-ID: edge-probe-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                              "Content-Length: 0\r\n\r\n").encode(), (proxy.address, proxy.port))
                    reply = s.recvfrom(4096)[0].decode()
                self.assertTrue(reply.startswith("SIP/2.0 200 "), reply)
                self.assertIn("found, support for it enabled", proxy.log())
        self.assertIsNotNone(proxy.proc.poll())
        self.assertIsNotNone(rtp.proc.poll())
        self.assertFalse(edge._bound("udp", proxy_addr, 5060))


if __name__ == "__main__":
    unittest.main()
