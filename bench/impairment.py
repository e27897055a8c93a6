"""Success rates of faxes through a damaged network: loss, jitter and reordering on loopback.

For each impairment, a fresh pair of faxd processes (tests/integration/harness.py) talks through
tests/integration/udp_loss_proxy.py (bounded: packets and seconds), N one-page faxes are sent
together, and the first attempt of each is judged: delivered on that attempt or not (the retries
that would follow are not waited for). Prints a Markdown table on stdout, progress on stderr.

Usage: /usr/bin/python3 bench/impairment.py --build BUILD_DIR --work WORK_DIR [--n N]
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

RECEIVER_DDI = "+15550002000"
# (label, T.38 or G.711, loss share, jitter +-ms[, [media] rtp_redundancy on both daemons])
ROWS = [
    ("G.711", False, 0.00, 0),
    ("G.711", False, 0.01, 0),
    ("G.711", False, 0.01, 30),
    ("G.711", False, 0.02, 30),
    ("G.711", False, 0.05, 0),
    ("G.711 + RFC 2198 x2", False, 0.01, 30, 2),
    ("G.711 + RFC 2198 x2", False, 0.02, 30, 2),
    ("G.711 + RFC 2198 x2", False, 0.05, 0, 2),
    ("T.38", True, 0.00, 0),
    ("T.38", True, 0.05, 0),
    ("T.38", True, 0.10, 0),
    ("T.38", True, 0.10, 30),
    ("T.38", True, 0.20, 0),
]


def log(msg):
    print(f"impairment: {msg}", file=sys.stderr, flush=True)


def run_row(harness, tenant, proxy_mod, pdfgen, t38, loss, jitter, n, seed, redundancy=0):
    def config(alias):
        c = proxy_mod.proxied_config(alias)
        c["media"] = {"rtp_redundancy": redundancy}
        return c
    rx = harness.Faxd(config(proxy_mod.ALIASES[0]), name="imp-rx")
    tx = harness.Faxd(config(proxy_mod.ALIASES[1]), name="imp-tx")
    proxy = None
    try:  # whatever fails, the row's daemons and relay are gone before the next row
        for d in (rx, tx):
            d.config["log"]["level"] = "info"
            d.write_config()
            d.start()
        proxy = proxy_mod.UdpLossProxy(rx, tx, loss=loss, jitter_ms=jitter, seed=seed,
                                       max_seconds=900)
        rx_t = tenant.provision(rx, carrier_host=proxy_mod.ALIASES[1], carrier_port=tx.sip_port,
                                ddi=RECEIVER_DDI)
        tx_t = tenant.provision(tx, carrier_host=proxy_mod.ALIASES[0], carrier_port=rx.sip_port,
                                t38=t38)
        pdf = pdfgen.text_pdf(os.path.join(tx.dir, "one.pdf"), pages=1,
                              lines=["Impairment benchmark", "one page"])
        ids = [tenant.send_fax(tx, tx_t["token"], tx_t["vfax"]["id"], RECEIVER_DDI, pdf)["id"]
               for _ in range(n)]
        ok, seconds, deadline = 0, [], time.monotonic() + 900
        pending = set(ids)
        while pending and time.monotonic() < deadline:
            for fid in list(pending):
                f = tx.api("GET", f"/faxes/{fid}", token=tx_t["token"])
                if f["status"] == "delivered" and f["attempts"] == 1:
                    ok += 1
                    pending.discard(fid)
                elif f["status"] in ("delivered", "failed") or (
                        f["status"] == "queued" and f["attempts"] >= 1):
                    pending.discard(fid)
                    try:
                        tx.api("POST", f"/faxes/{fid}/cancel", token=tx_t["token"])
                    except harness.ApiError:
                        pass  # already final
            time.sleep(1)
        st = dict(proxy.stats)
        return ok, len(ids), st
    finally:
        if proxy is not None:
            proxy.stop()
        for d in (tx, rx):
            d.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--n", type=int, default=3)
    args = ap.parse_args()
    os.environ["FAXD_BIN"] = os.path.join(os.path.abspath(args.build), "faxd")
    os.makedirs(args.work, exist_ok=True)
    tempfile.tempdir = os.path.abspath(args.work)
    import harness
    import pdfgen
    import tenant
    import udp_loss_proxy
    print("## Impairments: faxes through loss, jitter and reordering")
    print()
    print("Two faxd processes on loopback with `tests/integration/udp_loss_proxy.py` between them")
    print("(the kernel here has no netem): each media datagram is dropped with the given")
    print("probability and delayed by a random 0 to 2J ms (jitter +-J ms around J; RTP packets 20 ms")
    print("apart overtake each other, so they arrive reordered). SIP is not damaged. "
          f"{args.n} one-page")
    print("faxes at once per row, each judged on its first attempt (delivered on it or not; faxd")
    print("would retry the others by policy). G.711 rows call a carrier marked without T.38 and")
    print("run spandsp's modems over RTP through faxd's jitter buffer (`[media] jitter_buffer_ms`,")
    print("80 ms); \"RFC 2198 x2\" rows set `[media] rtp_redundancy = 2` on both daemons (each RTP")
    print("packet also carries the two before it). T.38 rows use UDPTL with 3 redundant IFPs per datagram.")
    print()
    print("| transport | loss | jitter | delivered on the first attempt | media datagrams | dropped | reordered |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for i, (label, t38, loss, jitter, *rest) in enumerate(ROWS):
        log(f"{label} loss={loss} jitter={jitter}")
        ok, n, st = run_row(harness, tenant, udp_loss_proxy, pdfgen, t38, loss, jitter, args.n,
                            seed=100 + i, redundancy=rest[0] if rest else 0)
        print(f"| {label} | {loss * 100:.0f} % | {'+-' + str(jitter) + ' ms' if jitter else '-'} "
              f"| {ok}/{n} ({100.0 * ok / n:.0f} %) | {st['media']} | {st['media_dropped']} "
              f"| {st['reordered']} |", flush=True)
    print()


if __name__ == "__main__":
    main()
