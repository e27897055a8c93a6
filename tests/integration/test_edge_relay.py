"""Through Kamailio and rtpengine in plain relay, over SIP/TCP, with session timers that make
our node the refresher while the carrier switches to T.38: the fax outlives the refresh."""
import unittest

from edge_fax import LONG_PAGE, EdgeFaxCase


class EdgeRelay(EdgeFaxCase):
    def test_t38_relay_over_tcp_survives_our_session_refresh(self):
        # The proxy puts Session-Expires: 90;refresher=uac on our INVITE (Min-SE 90, the
        # shortest legal): we refresh about every 45 s, the carrier re-INVITEs to T.38 first,
        # and the page takes about 64 s.
        node, node_tenant, carrier, carrier_tenant = self.edge(
            transport="tcp", session_expires="90;refresher=uac")
        done, rx = self.fax(node, node_tenant, carrier, carrier_tenant, LONG_PAGE)
        self.assertEqual(done["status"], "delivered", done)
        self.assertEqual(done["transport"], "t38")
        self.assertEqual(done["pages"], 1)
        self.assertEqual(rx["status"], "received", rx)
        self.assertEqual(rx["transport"], "t38")
        self.assertEqual(rx["pages"], 1)
        cap = self.capture
        # The refresh happened mid-fax, and kept the T.38 session (a bodiless UPDATE: both
        # ends allow it).
        updates = cap.fields('sip.Method == "UPDATE"', "frame.time_relative", "ip.src")
        self.assertTrue(updates, "no session refresh on the wire")
        self.assertFalse(cap.fields('sip.Method == "UPDATE" && sdp'), "a refresh carried SDP")
        # RFC 4028: the carrier's 200 OK to a Session-Expires INVITE requires timer.
        oks = cap.fields('sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && sip.Session-Expires',
                         "sip.Require")
        self.assertTrue(oks)
        self.assertTrue(all("timer" in r for r in oks), oks)
        # SIP/TCP all along: ACK, re-INVITE, UPDATE and BYE did not fall back to UDP.
        self.assertEqual(cap.fields("sip && udp", "frame.number", "ip.src", "ip.dst", "sip.Method"),
                         [])
        for method in ("ACK", "BYE"):
            self.assertTrue(cap.fields(f'sip.Method == "{method}" && tcp'), method)
        # The wire: T.38 on both legs, nothing malformed but the deliberate repeats.
        self.assertGreater(len(cap.fields("t38")), 100)
        self.assertEqual(cap.malformed(), [])


if __name__ == "__main__":
    unittest.main()
