#!/usr/bin/env python3
"""Pipe-mode latency at a steady rate (issue 8): feeds `meterscan pipe` one envelope line per
photo at --rate photos/s for --seconds, and reports the time from writing a line to reading
its result line (p50/p90/p99), the rate achieved and the peak number of photos in flight.

    benchmarks/pipe-latency.py --binary .build/release/meterscan --rate 50 --seconds 20
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/meterscan")
    parser.add_argument("--photos", default="samples/photos", help="folder of photos, fed round-robin")
    parser.add_argument("--rate", type=float, default=50.0, help="photos per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--model", default="digitnet", help="recognition model (digitnet, meterdigits, eng)")
    arguments = parser.parse_args()

    photos = sorted(name for name in os.listdir(arguments.photos) if name.endswith((".jpg", ".png")))
    if not photos:
        sys.exit(f"no photos in {arguments.photos}")
    state = tempfile.mkdtemp(prefix="meterscan-pipe-latency-")
    process = subprocess.Popen(
        [arguments.binary, "pipe", "--state", state, "--media-dir", arguments.photos, "--jobs", str(arguments.jobs),
         "--model", arguments.model],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    sent = {}
    received = {}
    total = int(arguments.rate * arguments.seconds)

    def read_results():
        for line in process.stdout:
            result = json.loads(line)
            received[result["id"]] = time.monotonic()

    reader = threading.Thread(target=read_results)
    reader.start()
    start = time.monotonic()
    in_flight_peak = 0
    for index in range(total):
        due = start + index / arguments.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        identifier = f"p{index}"
        line = json.dumps({"id": identifier, "channel": "bench", "sender": "bench",
                           "image_path": photos[index % len(photos)]}) + "\n"
        sent[identifier] = time.monotonic()
        process.stdin.write(line.encode())
        in_flight_peak = max(in_flight_peak, len(sent) - len(received))
    process.stdin.close()
    reader.join()
    process.wait()
    elapsed = max(received.values()) - start
    latencies = [(received[key] - sent[key]) * 1000 for key in sent if key in received]
    print(json.dumps({
        "photos": total, "answered": len(latencies), "target_rate": arguments.rate,
        "achieved_rate": round(len(latencies) / elapsed, 1), "jobs": arguments.jobs,
        "latency_ms": {"p50": round(percentile(latencies, 0.5), 1), "p90": round(percentile(latencies, 0.9), 1),
                       "p99": round(percentile(latencies, 0.99), 1), "max": round(max(latencies), 1)},
        "peak_in_flight": in_flight_peak, "exit": process.returncode}))


if __name__ == "__main__":
    main()
