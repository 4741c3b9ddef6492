#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions by function between two tb_profile snapshots.

    report.py OUTDIR NAME [TOP]

OUTDIR is profile.sh's: guest.log (with the guest's /proc/kallsyms text
symbols between "==== PROFILE SYMS BEGIN/END" and the measurement's JSON
line) and START-NAME.snap / END-NAME.snap.  Prints the kernel instructions
executed in between, per unit (per call of the micro benchmark's method,
or per MiB of an NFS READ), by function (a block is charged to the symbol
at or below its start), with the calls of each function (runs of the
block that starts at its address).
"""
import bisect
import json
import re
import sys


def readable(sym):
    """A Rust v0 symbol as its path of identifiers (crate::module::item),
    which is enough to tell functions apart; other symbols unchanged."""
    name, _, module = sym.partition(" ")
    if not name.startswith("_R"):
        return sym
    parts, i = [], 2
    while i < len(name):
        m = re.match(r"(\d+)_?", name[i:])
        if m and name[i + len(m.group(0)):i + len(m.group(0)) + int(m.group(1))].isidentifier():
            n = int(m.group(1))
            start = i + len(m.group(0))
            parts.append(name[start:start + n])
            i = start + n
        else:
            i += 1
    # Skip the crate-hash noise that can parse as an identifier.
    parts = [p for p in parts
             if not re.fullmatch(r"[A-Za-z0-9]{1,2}|.*[0-9].*|.*_|(Nt|Nv|Cs)+", p)]
    return "::".join(parts) + (" " + module if module else "")


def symbols(log):
    syms, inside = [], False
    for line in open(log, errors="replace"):
        line = line.rstrip("\r\n")
        if line.startswith("==== PROFILE SYMS BEGIN"):
            inside, syms = True, []
        elif line.startswith("==== PROFILE SYMS END"):
            if syms:
                break
            inside = False
        elif inside:
            p = line.split()
            if len(p) >= 3 and re.fullmatch(r"[0-9a-f]{16}", p[0]):
                syms.append((int(p[0], 16), readable(p[2] + (" " + p[3] if len(p) > 3 else ""))))
    syms.sort()
    return syms


def measurement(log, name):
    """The JSON line of the measurement, and its unit and count."""
    method, _, size = name.rpartition("-")
    for line in open(log, errors="replace"):
        line = line.strip()
        if line.startswith("{") and '"bench":"prof"' in line:
            rec = json.loads(line)
            if rec.get("variant") != method:
                continue
            if "iters" in rec:
                # A micro method's SIZE is its byte count: loan:4096 and
                # loan:65536 are two measurements of one variant.
                if str(rec.get("bytes")) != size:
                    continue
                return rec, "call", rec["iters"]
            return rec, "MiB", rec["bytes"] / 1048576
    return None, "run", 1


def load(path):
    d = {}
    for line in open(path):
        va, n, runs = line.split()
        d[(int(va, 16), int(n))] = int(runs)
    return d


def main():
    od, name = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    syms = symbols(od + "/guest.log")
    addrs = [a for a, _ in syms]
    starts = dict(syms)
    rec, unit, units = measurement(od + "/guest.log", name)
    a = load("{}/START-{}.snap".format(od, name))
    b = load("{}/END-{}.snap".format(od, name))
    insns, calls, total = {}, {}, 0
    for (va, n), runs in b.items():
        d = runs - a.get((va, n), 0)
        if d <= 0:
            continue
        i = bisect.bisect_right(addrs, va) - 1
        sym = syms[i][1] if i >= 0 else "?"
        insns[sym] = insns.get(sym, 0) + d * n
        total += d * n
        if va in starts:
            calls[sym] = calls.get(sym, 0) + d
    print("{}: {:,.0f} kernel instructions per {} ({:,} in all over {:,.1f} {}s)".format(
        name, total / units, unit, total, units, unit))
    if rec and "median_ns" in rec:
        print("median time per call {:,.0f} ns (under the plugin)".format(rec["median_ns"]))
    print("{:>12} {:>6} {:>9}  function".format("insns/" + unit, "%", "calls"))
    for sym, n in sorted(insns.items(), key=lambda kv: -kv[1])[:top]:
        print("{:12,.0f} {:5.1f}% {:9.2f}  {}".format(
            n / units, 100.0 * n / total, calls.get(sym, 0) / units, sym))


if __name__ == "__main__":
    main()
