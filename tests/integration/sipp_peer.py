"""A SIPp carrier (UAS) scenario from tests/integration/sipp, run as a foreign peer."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

from harness import free_port

SIPP = shutil.which("sipp")
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sipp")


class SippCarrier:
    def __init__(self, scenario, calls=1, transport="u1"):
        self.dir = tempfile.mkdtemp(prefix="sipp-")
        self.port = free_port()
        cmd = [SIPP, "-sf", os.path.join(SCENARIOS, scenario), "-i", "127.0.0.1",
               "-p", str(self.port), "-m", str(calls), "-t", transport, "-timeout", "60",
               "-timeout_error", "-trace_err", "-trace_msg", "-nostdin",
               "-mp", str(free_port(kind=socket.SOCK_DGRAM, even=True))]
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)  # let it bind

    def wait(self, timeout=60):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            with open(os.path.join(self.dir, name), errors="replace") as f:
                out.append(f"== {name}\n" + f.read()[-6000:])
        return "\n".join(out)
