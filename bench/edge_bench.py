#!/usr/bin/env python3
"""Writes the edge-bench-v1 scenarios (docs/performance.md).

    bench/edge_bench.py DIR N [N ...]   writes DIR/edge-bench-v1-N<N>.json and
                                        the four service profiles it names
    bench/edge_bench.py --check DIR     exit 1 unless every edge-bench-v1 file
                                        in DIR is what this script writes

N static devices, each homed on one of 4 edge sites (uniformly, from
SHA-256 of the seed and the device number, so the homing is the same on
every machine and Python version); each device sends Poisson requests at
1/s for 60 s, 100 KB up and 1 KB back; k = ceil(N / 100) and edge0 has 4k
servers at 100 ms, edge1 4k at 100 ms, edge2 2k at 50 ms, edge3 k at
25 ms, the cloud k at 10 ms, each serving one request at a time with
constant times; links of 5 ms device-edge and 55 ms device-cloud (5 ms to
the edge plus 50 ms on to the cloud) each way, at 10^15 B/s, so that
bytes / bandwidth rounds to no time; the split policy sends a request to
the cloud with probability 0.2, else to its own edge site; the run drains.
"""
import hashlib
import os
import sys

SEED = 1
SITES = [("edge0", 4, 100), ("edge1", 4, 100), ("edge2", 2, 50), ("edge3", 1, 25)]
CLOUD_MS = 10


def profile_name(ms):
    return "edge-bench-%gms" % ms


def profile(ms):
    return (
        '{\n'
        '  "tiersim_profile": 1,\n'
        '  "id": "%s",\n'
        '  "description": "edge-bench-v1: one request per server at a time, %g ms each, '
        'no spread",\n'
        '  "accelerator": "cpu",\n'
        '  "jitter_cv": 0,\n'
        '  "sources": {"edge-bench-v1": "the benchmark\'s definition '
        '(docs/performance.md)"},\n'
        '  "tables": [\n'
        '    {"model": "edge-bench", "points": [{"frame_px": [1, 1], "instances": 1, '
        '"cpu_pre_ms": 0, "accel_ms": %g, "cpu_post_ms": 0, "source": "edge-bench-v1"}]}\n'
        '  ]\n'
        '}\n' % (profile_name(ms), ms, ms)
    )


def home(seed, device):
    digest = hashlib.sha256(("%d/%d" % (seed, device)).encode()).digest()
    return digest[0] % len(SITES)


def server(node_id, tier, servers, ms):
    return (
        '    {"id": "%s", "tier": "%s", "cpu": {"cores": 1, "ghz": 1}, "servers": %d, '
        '"accelerators": [{"id": "cpu", "profile": "profiles/%s.json"}]}'
        % (node_id, tier, servers, profile_name(ms))
    )


def link(a, b, ms):
    return (
        '    {"between": ["%s", "%s"], "delay": {"law": "constant", "value_ms": %g}, '
        '"bandwidth_Bps": 1e15}' % (a, b, ms)
    )


def scenario(n):
    k = max(1, -(-n // 100))
    devices = ["d%d" % i for i in range(n)]
    nodes = [server(s, "edge", m * k, ms) for s, m, ms in SITES]
    nodes.append(server("cloud", "cloud", k, CLOUD_MS))
    nodes += [
        '    {"id": "%s", "tier": "device", "cpu": {"cores": 1, "ghz": 1}, '
        '"accelerators": []}' % d
        for d in devices
    ]
    links = []
    for i, d in enumerate(devices):
        links.append(link(d, SITES[home(SEED, i)][0], 5))
        links.append(link(d, "cloud", 55))
    sources = ", ".join('"%s"' % d for d in devices)
    return (
        '{\n'
        '  "tiersim_scenario": 1,\n'
        '  "name": "edge-bench-v1-N%d",\n'
        '  "description": "edge-bench-v1 with %d devices, written by bench/edge_bench.py '
        '(docs/performance.md)",\n'
        '  "seed": %d,\n'
        '  "duration_s": 60,\n'
        '  "drain": true,\n'
        '  "policy": {"name": "split", "params": {"cloud_share": 0.2}},\n'
        '  "models": [{"id": "edge-bench", "input_bytes": 100000, "output_bytes": 1000, '
        '"flops": 1}],\n'
        '  "nodes": [\n%s\n  ],\n'
        '  "links": [\n%s\n  ],\n'
        '  "apps": [{"id": "infer", "model": "edge-bench", "sources": [%s], '
        '"workload": {"type": "poisson", "rate_hz": 1, "frame_px": [1, 1]}, '
        '"qos_ms": 200}]\n'
        '}\n' % (n, n, SEED, ",\n".join(nodes), ",\n".join(links), sources)
    )


def files(n_values):
    """(relative path, text) of every file for these N."""
    out = [("profiles/%s.json" % profile_name(ms), profile(ms))
           for ms in sorted({ms for _, _, ms in SITES} | {CLOUD_MS})]
    out += [("edge-bench-v1-N%d.json" % n, scenario(n)) for n in n_values]
    return out


def check(directory):
    names = [f for f in os.listdir(directory) if f.startswith("edge-bench-v1-N")]
    n_values = sorted(int(f[len("edge-bench-v1-N"):-len(".json")]) for f in names)
    if not n_values:
        print("%s: no edge-bench-v1-N*.json" % directory, file=sys.stderr)
        return 1
    bad = 0
    for rel, text in files(n_values):
        path = os.path.join(directory, rel)
        with open(path, encoding="utf-8") as f:
            if f.read() != text:
                print("%s differs from what bench/edge_bench.py writes" % path,
                      file=sys.stderr)
                bad = 1
    return bad


def main(argv):
    if len(argv) == 2 and argv[0] == "--check":
        return check(argv[1])
    if len(argv) < 2 or not all(a.isdigit() and int(a) >= 1 for a in argv[1:]):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    os.makedirs(os.path.join(argv[0], "profiles"), exist_ok=True)
    for rel, text in files([int(a) for a in argv[1:]]):
        with open(os.path.join(argv[0], rel), "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
