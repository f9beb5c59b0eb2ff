#!/usr/bin/env python3
"""Writes the edge-bench-v1 scenarios (docs/performance.md).

    bench/edge_bench.py DIR N [N ...]   writes DIR/edge-bench-v1-N<N>.json and
                                        the four service profiles it names
    bench/edge_bench.py --explicit DIR N [N ...]
                                        the same load with one node, two links
                                        and one source per device, as
                                        DIR/edge-bench-v1-explicit-N<N>.json
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

The devices of one site are identical, so by default each site's devices
are one device group (a node with "count", docs/scenario.md); --explicit
lists every device.
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


def device(node_id, count):
    return (
        '    {"id": "%s", "tier": "device", %s"cpu": {"cores": 1, "ghz": 1}, '
        '"accelerators": []}' % (node_id, '"count": %d, ' % count if count > 1 else "")
    )


def scenario(n, explicit):
    k = max(1, -(-n // 100))
    homes = [home(SEED, i) for i in range(n)]
    if explicit:
        devices = [("d%d" % i, 1, SITES[homes[i]][0]) for i in range(n)]
    else:
        devices = [("devices-%s" % SITES[j][0], homes.count(j), SITES[j][0])
                   for j in range(len(SITES)) if j in homes]
    nodes = [server(s, "edge", m * k, ms) for s, m, ms in SITES]
    nodes.append(server("cloud", "cloud", k, CLOUD_MS))
    nodes += [device(d, count) for d, count, _ in devices]
    links = []
    for d, _, site in devices:
        links.append(link(d, site, 5))
        links.append(link(d, "cloud", 55))
    sources = ", ".join('"%s"' % d for d, _, _ in devices)
    return (
        '{\n'
        '  "tiersim_scenario": 1,\n'
        '  "name": "%s",\n'
        '  "description": "edge-bench-v1 with %d devices%s, written by '
        'bench/edge_bench.py (docs/performance.md)",\n'
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
        '}\n' % (file_name(n, explicit)[:-len(".json")], n,
                 ", each its own node" if explicit else ", one device group per edge site",
                 SEED, ",\n".join(nodes), ",\n".join(links), sources)
    )


def file_name(n, explicit):
    return "edge-bench-v1-%sN%d.json" % ("explicit-" if explicit else "", n)


def files(n_values, explicit):
    """(relative path, text) of every file for these N."""
    out = [("profiles/%s.json" % profile_name(ms), profile(ms))
           for ms in sorted({ms for _, _, ms in SITES} | {CLOUD_MS})]
    out += [(file_name(n, explicit), scenario(n, explicit)) for n in n_values]
    return out


def written(directory, explicit):
    """The N of the scenarios of one form in directory."""
    prefix = file_name(0, explicit)[:-len("0.json")]
    return sorted(int(f[len(prefix):-len(".json")]) for f in os.listdir(directory)
                  if f.startswith(prefix) and f[len(prefix):-len(".json")].isdigit())


def check(directory):
    grouped, explicit = written(directory, False), written(directory, True)
    if not grouped and not explicit:
        print("%s: no edge-bench-v1-*N*.json" % directory, file=sys.stderr)
        return 1
    bad = 0
    for rel, text in files(grouped, False) + files(explicit, True)[4:]:
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
    explicit = len(argv) > 0 and argv[0] == "--explicit"
    args = argv[1:] if explicit else argv
    if len(args) < 2 or not all(a.isdigit() and int(a) >= 1 for a in args[1:]):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    os.makedirs(os.path.join(args[0], "profiles"), exist_ok=True)
    for rel, text in files([int(a) for a in args[1:]], explicit):
        with open(os.path.join(args[0], rel), "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
