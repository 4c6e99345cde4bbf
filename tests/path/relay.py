#!/usr/bin/python3
"""
relay.py: a UDP relay with impairments, for the path suite (no netem in
this kernel). Datagrams from a client to LISTEN go on to TO from the
relay's own socket; the replies go back to the client unchanged.

On the way to TO, each datagram is, by a random.Random(SEED) draw:
dropped (--drop P), sent twice (--dup P), or held back and sent right after
the next one (--reorder P; the next one always passes, so each hold is one
reordering). --delay-alt MS delays every other datagram by MS milliseconds
(nothing else), --max-size N drops anything longer without a word (a black
hole), --remark DSCP sends on with that DSCP, and the replies go back with
the DSCP they came with.

On SIGTERM it writes what it did as JSON to --report and exits: counts of
drops, dups, reorders, and the RFC 3550 jitter (microseconds) of the delays
it actually applied, measured at the relay.

    relay.py --listen ADDR:PORT --to ADDR:PORT --report FILE [options]
"""
import argparse
import heapq
import json
import random
import select
import signal
import socket
import sys
import time

IP_RECVTOS = getattr(socket, "IP_RECVTOS", 13)


def split(s):
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--drop", type=float, default=0)
    ap.add_argument("--dup", type=float, default=0)
    ap.add_argument("--reorder", type=float, default=0)
    ap.add_argument("--delay-alt", type=float, default=0)
    ap.add_argument("--max-size", type=int, default=0)
    ap.add_argument("--remark", type=int, default=-1)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(split(a.listen))
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
    if a.remark >= 0:
        back.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, a.remark << 2)
    back.connect(split(a.to))
    counts = {"received": 0, "forwarded": 0, "drops": 0, "dups": 0, "reorders": 0,
              "too_big": 0, "jitter_us": 0.0}
    state = {"stop": False, "client": None, "held": None, "force_pass": False,
             "last_delay": None, "n": 0, "reply_tos": -1}
    queue = []  # (when, order, data, arrived)

    def on_term(*_):
        state["stop"] = True
    signal.signal(signal.SIGTERM, on_term)
    print("ready", flush=True)

    def send_now(data, arrived):
        back.send(data)
        counts["forwarded"] += 1
        d = (time.monotonic() - arrived) * 1e6
        if state["last_delay"] is not None:
            counts["jitter_us"] += (abs(d - state["last_delay"]) - counts["jitter_us"]) / 16
        state["last_delay"] = d

    def from_client(data, arrived):
        counts["received"] += 1
        state["n"] += 1
        if a.max_size and len(data) > a.max_size:
            counts["too_big"] += 1
            return
        if a.delay_alt:
            delay = a.delay_alt / 1000 if state["n"] % 2 == 0 else 0
            heapq.heappush(queue, (arrived + delay, state["n"], data, arrived))
            return
        r = rng.random()
        if state["force_pass"]:
            state["force_pass"] = False
            send_now(data, arrived)
            held, state["held"] = state["held"], None
            send_now(held[0], held[1])
            counts["reorders"] += 1
        elif r < a.drop:
            counts["drops"] += 1
        elif r < a.drop + a.dup:
            send_now(data, arrived)
            send_now(data, arrived)
            counts["dups"] += 1
        elif r < a.drop + a.dup + a.reorder:
            state["held"] = (data, arrived, arrived + 0.5)
            state["force_pass"] = True
        else:
            send_now(data, arrived)

    while not state["stop"]:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, data, arrived = heapq.heappop(queue)
            send_now(data, arrived)
        if state["held"] and state["held"][2] <= now:
            # no next datagram came: sent as it is, no reordering happened
            send_now(state["held"][0], state["held"][1])
            state["held"], state["force_pass"] = None, False
        wait = 0.2
        if queue:
            wait = min(wait, max(0, queue[0][0] - now))
        try:
            ready, _, _ = select.select([front, back], [], [], wait)
        except InterruptedError:
            continue
        for s in ready:
            if s is front:
                data, addr = front.recvfrom(65535)
                state["client"] = addr
                from_client(data, time.monotonic())
            else:
                try:
                    data, anc, _, _ = back.recvmsg(65535, 64)
                except OSError:
                    continue  # an ICMP error from the server side
                tos = next((c[2][0] for c in anc if c[0] == socket.IPPROTO_IP and c[1] == socket.IP_TOS), 0)
                if tos != state["reply_tos"]:
                    front.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
                    state["reply_tos"] = tos
                if state["client"]:
                    front.sendto(data, state["client"])
    with open(a.report, "w") as f:
        json.dump(counts, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
