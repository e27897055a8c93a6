"""A UDP relay between two faxd processes on loopback that damages what passes through it.

It drops a seeded share of the media datagrams (UDPTL or RTP) in both directions, delays each
media datagram by a seeded random 0..2J ms (jitter of +-J around J: packets 20 ms apart overtake
each other, so they arrive reordered), can drop SIP
requests by method (a peer that never sees our BYE), can blackhole everything (a carrier that
goes silent mid-call and never hangs up), and can inject foreign datagrams into a live media
flow as if the peer had sent them.

How it gets into the path without touching faxd: each daemon runs with `[sip] public_address`
set to its own loopback alias (127.0.0.3, 127.0.0.4), so its Contact, Via and SDP point at the
alias. The relay binds the alias on the daemon's SIP port and on every port of its media range,
and forwards to the same port on 127.0.0.1 from a socket bound on the *other* daemon's alias:
faxd accepts media only from the address the SDP named, and that is what it sees.
Bounded: it stops relaying (and counts `over_budget`) after `max_packets` datagrams or
`max_seconds`, so a run that goes wrong cannot flood loopback for long.
Stdlib only, one thread.
"""
import heapq
import itertools
import random
import selectors
import socket
import threading
import time

ALIASES = ("127.0.0.3", "127.0.0.4")


def proxied_config(alias):
    """The faxd config overrides that route a daemon's traffic through the relay."""
    return {"sip": {"public_address": alias}}


class UdpLossProxy(threading.Thread):
    def __init__(self, a, b, loss=0.0, seed=1, jitter_ms=0, max_packets=2_000_000,
                 max_seconds=1800):
        """a, b: the two Faxd objects, configured with proxied_config(ALIASES[0]) and [1]."""
        super().__init__(daemon=True)
        self.loss = loss
        self.jitter_ms = jitter_ms
        self.max_packets = max_packets
        self.deadline = time.monotonic() + max_seconds
        self.rng = random.Random(seed)
        self._delayed = []  # heap of (due, n, socket, data, address or None)
        self._n = itertools.count()
        self.blackhole = False
        self.drop_sip_methods = set()
        self.stats = {"media": 0, "media_dropped": 0, "sip": 0, "sip_dropped": 0, "blackholed": 0,
                      "injected": 0, "delayed": 0, "reordered": 0, "over_budget": 0}
        self._last_due = {}  # socket -> due time of the last media datagram queued on it
        self.sip_log = []  # first lines of the SIP messages relayed or dropped
        self._sel = selectors.DefaultSelector()
        self._flows = {}  # (listen socket, client address) -> upstream socket
        self._last_media = {}  # alias -> (listen socket, client address) of its latest media flow
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self._sockets = []
        try:
            for alias, other, d in ((ALIASES[0], ALIASES[1], a), (ALIASES[1], ALIASES[0], b)):
                media = range(d.config["media"]["port_min"], d.config["media"]["port_max"] + 1)
                for port, is_media in [(d.sip_port, False)] + [(p, True) for p in media]:
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    self._sockets.append(s)
                    s.bind((alias, port))
                    s.setblocking(False)
                    self._sel.register(s, selectors.EVENT_READ,
                                       ("listen", alias, other, port, is_media))
        except OSError as e:
            self._close()  # what it had bound would hold those ports for the next relay
            raise OSError(e.errno, f"udp_loss_proxy: binding {alias}:{port}: {e.strerror}") from e
        self.start()

    def _drop(self, data, is_media):
        with self._lock:
            if (self.stats["media"] + self.stats["sip"] >= self.max_packets
                    or time.monotonic() > self.deadline):
                self.stats["over_budget"] += 1
                return True
            if self.blackhole:
                self.stats["blackholed"] += 1
                return True
            if is_media:
                self.stats["media"] += 1
                if self.loss and self.rng.random() < self.loss:
                    self.stats["media_dropped"] += 1
                    return True
                return False
            self.stats["sip"] += 1
            first = data.split(b"\r\n", 1)[0].decode(errors="replace")
            method = first.split(" ", 1)[0]
            dropped = method in self.drop_sip_methods
            self.sip_log.append(("dropped " if dropped else "") + first)
            if dropped:
                self.stats["sip_dropped"] += 1
            return dropped

    def _forward(self, sock, data, address, is_media):
        """Sends now, or later by the jitter for media."""
        if is_media and self.jitter_ms:
            now = time.monotonic()
            due = now + self.rng.uniform(0, 2 * self.jitter_ms) / 1000.0
            if due < self._last_due.get(sock, 0):
                self.stats["reordered"] += 1
            self._last_due[sock] = max(due, self._last_due.get(sock, 0))
            self.stats["delayed"] += 1
            heapq.heappush(self._delayed, (due, next(self._n), sock, data, address))
            return
        self._send(sock, data, address)

    def _flush_delayed(self):
        now = time.monotonic()
        while self._delayed and self._delayed[0][0] <= now:
            _, _, sock, data, address = heapq.heappop(self._delayed)
            self._send(sock, data, address)

    @staticmethod
    def _send(sock, data, address):
        """On the connected socket (address None) or to address; a datagram that cannot go is lost."""
        try:
            if address is None:
                sock.send(data)
            else:
                sock.sendto(data, address)
        except OSError:
            pass

    def run(self):
        while not self._halt.is_set():
            self._flush_delayed()
            wait = 0.1
            if self._delayed:
                wait = max(0.0, min(wait, self._delayed[0][0] - time.monotonic()))
            for key, _ in self._sel.select(wait):
                sock = key.fileobj
                try:
                    data, addr = sock.recvfrom(65535)
                except OSError:
                    continue
                info = key.data
                if info[0] == "listen":
                    _, alias, other, port, is_media = info
                    up = self._flows.get((sock, addr))
                    if up is None:
                        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        up.bind((other, 0))
                        up.connect(("127.0.0.1", port))
                        up.setblocking(False)
                        self._flows[(sock, addr)] = up
                        self._sel.register(up, selectors.EVENT_READ, ("up", sock, addr, is_media))
                    if is_media:
                        self._last_media[alias] = (sock, addr)
                    if not self._drop(data, is_media):
                        self._forward(up, data, None, is_media)
                else:
                    _, listen, client, is_media = info
                    if not self._drop(data, is_media):
                        self._forward(listen, data, client, is_media)

    def inject(self, alias, datagrams):
        """Sends datagrams to the daemon behind `alias` on its latest media flow, from the
        address its peer uses: they reach faxd's UDPTL socket as if the peer had sent them.
        Returns False when no media flow to that daemon has been seen yet."""
        flow = self._last_media.get(alias)
        if not flow:
            return False
        up = self._flows[flow]
        for d in datagrams:
            try:
                up.send(d)
            except OSError:
                pass
            with self._lock:
                self.stats["injected"] += 1
        return True

    def stop(self):
        self._halt.set()
        self.join(5)
        self._close()

    def _close(self):
        for s in self._sockets + list(self._flows.values()):
            s.close()
        self._sel.close()


def udp_payloads(pcap_path):
    """The UDP payloads of a classic pcap file (Ethernet, raw IP or Linux cooked; IPv4)."""
    import struct
    with open(pcap_path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    link_len = {1: 14, 101: 0, 113: 16, 228: 0}.get(linktype)
    if link_len is None:
        raise ValueError(f"{pcap_path}: unsupported link type {linktype}")
    out, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = pkt[link_len:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 0x0F) * 4
        udp_len = struct.unpack(">H", ip[ihl + 4:ihl + 6])[0]
        out.append(ip[ihl + 8:ihl + udp_len])
    return out
