"""A small HTTP load generator for machines without ``wrk``: keep-alive connections, one thread
each, for a fixed time; prints the same JSON line as the wrk script of ``gateway_load``.

    python -m benchmarks.loadgen URL --seconds S --connections C [--bodies FILE]

``--bodies`` names a JSON list of request bodies, POSTed in turn as ``application/json``;
without it every request is a GET. Python's client costs more CPU per request than wrk, so on
two cores it under-reports a fast server: the rows say which generator measured them.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit


def run(url: str, seconds: float, connections: int, bodies: list[bytes] | None) -> dict[str, object]:
    parts = urlsplit(url)
    path = parts.path or "/"
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    failures = {"connect": 0, "read": 0, "status": 0}
    lock = threading.Lock()
    counter = itertools.count()

    def worker() -> None:
        mine: list[float] = []
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                if bodies is None:
                    conn.request("GET", path)
                else:
                    body = bodies[next(counter) % len(bodies)]
                    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                with lock:
                    failures["read"] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
                continue
            mine.append(time.perf_counter() - start)
            if not 200 <= response.status < 300:
                with lock:
                    failures["status"] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return {
        "requests": len(latencies),
        "duration_us": int(duration * 1e6),
        "p99_us": int(p99 * 1e6),
        "failed": sum(failures.values()),
        "errors": f"connect {failures['connect']}, read {failures['read']}, non-2xx {failures['status']}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadgen", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--bodies", type=Path)
    args = parser.parse_args(argv)
    bodies = None
    if args.bodies is not None:
        bodies = [json.dumps(b).encode() for b in json.loads(args.bodies.read_text())]
    print(json.dumps(run(args.url, args.seconds, args.connections, bodies)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
