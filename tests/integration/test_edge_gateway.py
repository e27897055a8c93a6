"""rtpengine's T.38 gateway between our node and a carrier: T.38=decode toward an audio-only
carrier (with the carrier refreshing the session) and T.38=force toward a T.38 carrier."""
import os
import tempfile
import unittest

from edge_fax import LONG_PAGE, EdgeFaxCase
from pdfgen import text_pdf


class EdgeGateway(EdgeFaxCase):
    def test_decode_toward_an_audio_only_carrier_that_refreshes_the_session(self):
        # Our T.38 offer is turned into G.711 for the carrier ([t38] enabled = false there);
        # rtpengine's spandsp converts. Session-Expires 90;refresher=uas: the carrier refreshes.
        node, node_tenant, carrier, carrier_tenant = self.edge(
            rtp_to_carrier="T.38=decode", session_expires="90;refresher=uas",
            receiver_config={"t38": {"enabled": False}})
        done, rx = self.fax(node, node_tenant, carrier, carrier_tenant, LONG_PAGE)
        self.assertEqual(done["status"], "delivered", done)
        self.assertEqual(done["transport"], "t38")
        self.assertEqual(rx["status"], "received", rx)
        self.assertEqual(rx["transport"], "g711")
        self.assertEqual(rx["pages"], 1)
        cap = self.capture
        self.assertTrue(cap.fields('sip.Method == "UPDATE" || sip.CSeq.method == "INVITE" && frame.time_relative > 40'),
                        "no session refresh on the wire")
        self.assertGreater(len(cap.fields("t38")), 100)
        self.assertEqual(cap.malformed(), [])

    def test_force_toward_a_t38_carrier(self):
        # Our node's carrier is marked without T.38, so we offer G.711 only; rtpengine offers
        # the carrier T.38 and converts. Neither side re-INVITEs.
        node, node_tenant, carrier, carrier_tenant = self.edge(
            rtp_to_carrier="T.38=force", carrier_t38=False)
        pdf = text_pdf(os.path.join(tempfile.mkdtemp(), "one.pdf"), pages=1,
                       lines=["Through the edge", "T.38=force"])
        done, rx = self.fax(node, node_tenant, carrier, carrier_tenant, pdf)
        self.assertEqual(done["status"], "delivered", done)
        self.assertEqual(done["transport"], "g711")
        self.assertEqual(rx["status"], "received", rx)
        self.assertEqual(rx["transport"], "t38")
        self.assertEqual(rx["pages"], 1)
        cap = self.capture
        self.assertEqual(len(cap.fields('sip.Method == "INVITE"')), 2, "one INVITE per leg, no re-INVITE")
        self.assertGreater(len(cap.fields("t38")), 50)
        self.assertEqual(cap.malformed(), [])


if __name__ == "__main__":
    unittest.main()
