"""A real SMTP server for tests (Debian's python3-aiosmtpd): stores each accepted message as
DIR/NNNN.eml, writes its port to PORT_FILE once listening, runs until killed.

usage: smtp_sink.py --port PORT --out DIR --port-file FILE
"""
import argparse
import os
import time

from aiosmtpd.controller import Controller


class Save:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.out, "%04d.eml" % self.count)
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(name + ".rcpt", "w") as f:
            f.write(envelope.mail_from + "\n" + "\n".join(envelope.rcpt_tos) + "\n")
        os.rename(name + ".tmp", name)
        return "250 OK stored"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--port-file", required=True)
    a = p.parse_args()
    c = Controller(Save(a.out), hostname="127.0.0.1", port=a.port)
    c.start()
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(a.port))
    os.rename(a.port_file + ".tmp", a.port_file)
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


if __name__ == "__main__":
    main()
