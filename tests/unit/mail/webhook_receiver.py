"""A webhook receiver for tests: verifies Standard Webhooks signatures with SECRET, answers 500
to the first FAIL requests and 204 afterwards, and appends one JSON line per request to LOG:
{"id", "timestamp", "signature_ok", "status", "body"}. Writes its port to PORT_FILE.

usage: webhook_receiver.py --secret whsec_... --fail N --log FILE --port-file FILE
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--secret", required=True)
    p.add_argument("--fail", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    a = p.parse_args()
    key = base64.b64decode(a.secret[len("whsec_"):] if a.secret.startswith("whsec_") else a.secret)
    state = {"seen": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            msg_id = self.headers.get("webhook-id", "")
            ts = self.headers.get("webhook-timestamp", "")
            signed = msg_id.encode() + b"." + ts.encode() + b"." + body
            expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            given = self.headers.get("webhook-signature", "").split(" ")
            ok = any(hmac.compare_digest(expected, g) for g in given)
            state["seen"] += 1
            status = 500 if state["seen"] <= a.fail else 204
            with open(a.log, "a") as f:
                f.write(json.dumps({"id": msg_id, "timestamp": ts, "signature_ok": ok,
                                    "status": status, "content_type": self.headers.get("Content-Type"),
                                    "body": body.decode("utf-8", "replace")}) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
