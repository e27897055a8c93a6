"""A throwaway PostgreSQL 15 server for tests (Debian's postgresql-15 package).

initdb in a temporary directory, the server on a loopback address and a free port, trust
authentication, fsync off (nothing here must survive a power cut), removed at the end. As root
(CI), the server runs as the unprivileged `postgres` user, which PostgreSQL requires.

    with Postgres() as pg:              # in a test
        url = pg.create_database("faxd")

    /usr/bin/python3 pg.py start DIR URL_FILE   # CTest fixture: start, write the URL, return
    /usr/bin/python3 pg.py stop DIR             # stop and remove
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BIN = "/usr/lib/postgresql/15/bin"


def _free_port(address):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def _as_owner(argv):
    """Runs a server binary as `postgres` when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + argv
    return argv


class Postgres:
    def __init__(self, address="127.0.0.1", port=None, directory=None, max_connections=300):
        self.address = address
        self.port = port or _free_port(address)
        self.dir = directory or tempfile.mkdtemp(prefix="faxd-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "postgres.log")
        self.max_connections = max_connections

    # -- lifecycle -------------------------------------------------------------------------
    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir, 0o700)
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            subprocess.run(_as_owner([f"{BIN}/initdb", "-D", self.data, "-A", "trust", "-U",
                                      "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]),
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        options = (f"-c listen_addresses={self.address} -c port={self.port} "
                   f"-c unix_socket_directories={self.dir} -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off "
                   f"-c max_connections={self.max_connections} -c shared_buffers=64MB")
        subprocess.run(_as_owner([f"{BIN}/pg_ctl", "-D", self.data, "-l", self.log_path, "-o",
                                  options, "-w", "-t", "60", "start"]),
                       check=True, stdout=subprocess.DEVNULL)
        return self

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run(_as_owner([f"{BIN}/pg_ctl", "-D", self.data, "-m", "immediate", "-w",
                                      "-t", "30", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- use -------------------------------------------------------------------------------
    def url(self, database="postgres"):
        return f"postgresql://postgres@{self.address}:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        out = subprocess.run([f"{BIN}/psql" if os.path.exists(f"{BIN}/psql") else "psql",
                              "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.url(database),
                              "-c", sql], check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def main(argv):
    if len(argv) >= 3 and argv[0] == "start":
        directory, url_file = argv[1], argv[2]
        Postgres(directory=directory).stop()  # a leftover of an interrupted run
        pg = Postgres(directory=directory).start()
        with open(url_file, "w") as f:
            f.write(pg.url() + "\n")
        return 0
    if len(argv) >= 2 and argv[0] == "stop":
        Postgres(directory=argv[1]).stop()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
