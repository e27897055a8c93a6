"""HTTPS: faxd serves the API and the web UI over TLS when [http] tls_cert/tls_key are set,
marks its cookies Secure, and picks up a renewed certificate on SIGHUP (as certbot's deploy
hook would send) without dropping the old one when the new files are broken."""
import http.client
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import FaxdTestCase


def make_cert(directory, name):
    """A self-signed P-256 certificate for 127.0.0.1; returns (cert path, key path)."""
    cert, key = os.path.join(directory, f"{name}.crt"), os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name}",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def served_certificate(port):
    """The PEM certificate a new TLS connection to the port is given."""
    return ssl.get_server_certificate(("127.0.0.1", port))


def same_cert(pem_a, pem_b):
    return ssl.PEM_cert_to_DER_cert(pem_a) == ssl.PEM_cert_to_DER_cert(pem_b)


@unittest.skipUnless(shutil.which("openssl"), "openssl command missing")
class Https(FaxdTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="faxd-tls-")
        self.first = make_cert(self.tmp, "first")
        self.second = make_cert(self.tmp, "second")
        # The files faxd is configured with; the test "renews" them by copying over.
        self.cert, self.key = os.path.join(self.tmp, "live.crt"), os.path.join(self.tmp, "live.key")
        shutil.copy(self.first[0], self.cert)
        shutil.copy(self.first[1], self.key)

    def reload(self, d, count):
        """SIGHUP, then wait for the count-th reload result in the log."""
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if d.log().count("daemon.reloaded") >= count:
                return
            time.sleep(0.05)
        self.fail("no daemon.reloaded line after SIGHUP")

    def test_api_over_tls_with_secure_cookies_and_certificate_reload(self):
        d = self.faxd({"http": {"tls_cert": self.cert, "tls_key": self.key}})
        with open(self.first[0]) as f:
            self.assertTrue(same_cert(served_certificate(d.http_port), f.read()))
        status, headers, _ = d.request("POST", "/api/v1/login", {"username": "admin", "password": "admin-pass"})
        self.assertEqual(status, 200)
        cookies = headers["set-cookie"].split("\n")
        self.assertEqual(len(cookies), 2)
        for cookie in cookies:
            self.assertIn("; Secure", cookie)
            self.assertIn("SameSite=Strict", cookie)
        self.assertIn("HttpOnly", cookies[0])
        self.assertIn("max-age=", headers["strict-transport-security"])
        status, headers, page = d.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn(b"<html", page.lower())

        # Plain HTTP on the HTTPS port gets no answer (the handshake fails), and faxd goes on.
        plain = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=10)
        with self.assertRaises((http.client.HTTPException, ConnectionError, OSError)):
            plain.request("GET", "/healthz")
            plain.getresponse()
        plain.close()
        self.assertEqual(d.request("GET", "/healthz")[0], 200)

        # Renewed certificate: new connections get it after SIGHUP.
        shutil.copy(self.second[0], self.cert)
        shutil.copy(self.second[1], self.key)
        self.reload(d, 1)
        with open(self.second[0]) as f:
            self.assertTrue(same_cert(served_certificate(d.http_port), f.read()))

        # A broken renewal keeps the certificate in service and says why.
        with open(self.cert, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        self.reload(d, 2)
        self.assertIn("http.tls_cert", d.log().split("daemon.reload_failed")[-1])
        with open(self.second[0]) as f:
            self.assertTrue(same_cert(served_certificate(d.http_port), f.read()))
        d.config["http"]["tls_cert"] = self.second[0]  # what the client trusts from now on
        self.assertEqual(d.request("GET", "/healthz")[0], 200)

    def test_unreadable_certificate_stops_the_start_with_a_clear_message(self):
        d = self.faxd({"http": {"tls_cert": os.path.join(self.tmp, "missing.crt"), "tls_key": self.key}},
                      start=False)
        d.start(wait=False)
        code = d.proc.wait(15)
        self.assertNotEqual(code, 0)
        self.assertIn("missing.crt", d.log())


if __name__ == "__main__":
    unittest.main()
