#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the guests' benchmark output into results.json, results.md and rst.

    report.py --out DIR --log ARCH=LOG... [--net ARCH=LOG]... [--rst FILE]
              [--merge PREVIOUS_RESULTS_JSON] [--meta KEY=VALUE]...

Reads the measurements that tools/bench/guest/zcvfs_bench/zcvfs_bench.sh
printed between the ==== ZCVFS BENCH BEGIN/END ==== markers of each
guest's console log (one JSON object per line), and the KTAP results
(which measurement groups ran).  For every (measurement, variant, metric)
it takes the median, minimum and maximum over the repetitions; ratios are
ratios of medians, with the range of the per-repetition ratios (variants
of one repetition run back to back, so they are paired).

Writes DIR/results.json and DIR/results.md, and with --rst the same tables
as reStructuredText (Documentation/benchmarks-results.rst); prints the
markdown on stdout.  With --merge (a partial run, e.g. the micro benchmark
alone), every measurement group this run did not make is taken from the
given results.json of an earlier run, and the output says which.
"""
import argparse
import datetime
import importlib.util
import json
import os
import re
import statistics
import sys


def _check_log():
    """tools/guest/check-log.py, which reads the console log's sections."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        os.pardir, "guest", "check-log.py")
    spec = importlib.util.spec_from_file_location("check_log", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


section = _check_log().section

MIB = 1 << 20
PAGE = 4096

# The micro benchmark's sizes: (group, bytes, label).
MICRO_SIZES = [("micro_4k", 4096, "4 KiB"), ("micro_64k", 65536, "64 KiB"),
               ("micro_1m", MIB, "1 MiB")]

CAVEAT = ("The guests run under QEMU TCG (binary translation, no KVM): "
          "absolute numbers are not hardware numbers and vary with the "
          "host's load. Compare the variants through the ratios, which "
          "come from the same guest in the same run.")


def summary(values):
    """median/min/max/n of a list of numbers (None if empty)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values), "n": len(values), "samples": values}


def per_rep_metrics(rec):
    """The metrics of one measurement line."""
    m = {}
    bench = rec.get("bench")
    if bench.startswith("micro"):
        # Per call (one loan, or one copy, of rec["bytes"]).
        scale = MIB / rec["bytes"]
        m["ns"] = rec["median_ns"]
        m["ns_per_mib"] = rec["median_ns"] * scale
        m["p25_ns"] = rec["p25_ns"]
        m["p75_ns"] = rec["p75_ns"]
        m["segments"] = rec.get("segments", 0)
        if "ranges" in rec:
            m["ranges"] = rec["ranges"]
        for phase in ("request", "read", "return"):
            if phase + "_ns" in rec:
                m[phase + "_ns"] = rec[phase + "_ns"]
        stats = rec.get("stats", {})
        if rec["variant"] in ("loan", "phases") and "zcfs.read_bytes_loaned" in stats:
            # Bytes loaned per byte got: 1 means every byte was a loan.
            m["loaned_share"] = stats["zcfs.read_bytes_loaned"] / (rec["bytes"] * rec["iters"])
        return m
    if "ns" not in rec:
        return m
    mib = rec["bytes"] / MIB
    m["mib_s"] = mib / (rec["ns"] / 1e9)
    cpu_metrics(m, "", rec, mib)
    s = rec.get("stats", {})
    if bench in ("nfs_read", "nfs_write"):
        d = "read" if bench == "nfs_read" else "write"
        # All kernel copies on the server: its own and, for READ, those
        # the network stack made of pages given to it by reference.
        stack = s.get("zcnfsd.read_stack_copy_bytes", 0) if d == "read" else 0
        payload = payload_metrics(m, s, d, rec["bytes"], stack)
        if payload:
            m["server_copies_per_byte"] = s.get("zcnfsd.%s_copy_bytes" % d, 0) / payload
            if d == "read" and "zcnfsd.read_stack_copy_bytes" in s:
                m["stack_copies_per_byte"] = stack / payload
        m["fallbacks"] = s.get("zcnfsd.%s_fallbacks" % d, 0)
        m["calls"] = s.get("zcnfsd.%s_calls" % d, 0)
        if d == "write" and payload and "zcfs.write_bytes_copied" in s:
            m["provider_copies_per_byte"] = s["zcfs.write_bytes_copied"] / payload
    srv = rec.get("srv")
    if srv is not None:
        # The server guest's own /proc/stat and counters (NIC runs).
        cpu_metrics(m, "srv_", srv, mib)
        c = srv.get("counters", {})
        if bench in ("net_read", "net_write"):
            d = "read" if bench == "net_read" else "write"
            payload = payload_metrics(m, c, d, rec["bytes"])
            if payload:
                # The network stack's copies of the payload, if zcnfsd
                # counts them (a counter named *stack*): absent -> no cell.
                stack = [v for k, v in c.items()
                         if k.startswith("zcnfsd.") and "stack" in k and d in k]
                if stack:
                    m["stack_copies_per_byte"] = sum(stack) / payload
    return m


def cpu_metrics(m, prefix, ticks, mib):
    """CPU per MiB and busy share (prefix + name) of a guest's /proc/stat ticks."""
    m[prefix + "cpu_ms_per_mib"] = ticks["busy_ticks"] * 1000.0 / ticks["hz"] / mib
    if ticks["total_ticks"]:
        m[prefix + "cpu_busy_share"] = ticks["busy_ticks"] / ticks["total_ticks"]


def payload_metrics(m, counters, d, file_bytes, more_copies=0):
    """zcnfsd's copies (plus more_copies bytes) and zero-copy share per byte
    of payload of direction d ("read" or "write"), and the payload per file
    byte; returns the payload (None or 0: no such metrics)."""
    payload = counters.get("zcnfsd.%s_bytes" % d)
    if payload:
        copies = counters.get("zcnfsd.%s_copy_bytes" % d, 0) + more_copies
        m["copies_per_byte"] = copies / payload
        m["zc_share"] = counters.get("zcnfsd.%s_zc_bytes" % d, 0) / payload
        m["payload_per_file_byte"] = payload / file_bytes
    return payload


def parse_ktap(lines):
    results = []
    for line in lines or []:
        mm = re.match(r"^(not ok|ok) (\d+) (.*?)\s*$", line)
        if mm:
            desc, _, directive = mm.group(3).partition(" # ")
            results.append({"ok": mm.group(1) == "ok", "test": desc.strip(),
                            "directive": directive.strip()})
    return results


def load_arch(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]
    bench = section(lines, "BENCH")
    out = {"log": path, "complete": bench is not None, "env": {}, "mounts": {},
           "ktap": parse_ktap(section(lines, "KTAP")), "groups": {}, "reps": {}}
    raw = {}
    for line in bench or []:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        b = rec.get("bench")
        if b == "micro":
            # Before the sizes: one size, 1 MiB, its phases on the loan's line.
            b = rec["bench"] = "micro_1m"
            if "request_ns" in rec:
                raw.setdefault((b, "phases"), []).append(dict(rec, variant="phases"))
        if b in ("env", "net_env"):
            out["env"] = rec
        elif b in ("mount", "net_mount"):
            out["mounts"][rec["variant"]] = rec["opts"]
        else:
            raw.setdefault((b, rec["variant"]), []).append(rec)
    for (b, v), recs in raw.items():
        per_metric = {}
        reps = {}
        for rec in recs:
            met = per_rep_metrics(rec)
            reps[rec["rep"]] = met
            for k, val in met.items():
                per_metric.setdefault(k, []).append(val)
        out["groups"].setdefault(b, {})[v] = {k: summary(vals) for k, vals in per_metric.items()}
        out["reps"].setdefault(b, {})[v] = reps
    return out


def ratio(arch, name, num, den, metric):
    """median(num)/median(den) and the range of per-repetition ratios."""
    g = arch["groups"]
    try:
        a = g[num[0]][num[1]][metric]
        b = g[den[0]][den[1]][metric]
    except (KeyError, TypeError):
        return None
    if not a or not b or not b["median"]:
        return None
    ra, rb = arch["reps"][num[0]][num[1]], arch["reps"][den[0]][den[1]]
    paired = [ra[r][metric] / rb[r][metric] for r in ra
              if r in rb and metric in ra[r] and metric in rb[r] and rb[r][metric]]
    return {"name": name, "metric": metric, "num": "/".join(num), "den": "/".join(den),
            "value": a["median"] / b["median"],
            "paired_min": min(paired) if paired else None,
            "paired_max": max(paired) if paired else None, "n": len(paired)}


RATIOS = [
    # name, numerator, denominator, metric
    ("NFS READ MiB/s, zero-copy / copy path", ("nfs_read", "zcfs-zc"), ("nfs_read", "zcfs-copy"), "mib_s"),
    ("NFS READ CPU per MiB, zero-copy / copy path", ("nfs_read", "zcfs-zc"), ("nfs_read", "zcfs-copy"), "cpu_ms_per_mib"),
    ("NFS WRITE MiB/s, zero-copy / copy path", ("nfs_write", "zcfs-zc"), ("nfs_write", "zcfs-copy"), "mib_s"),
    ("NFS WRITE CPU per MiB, zero-copy / copy path", ("nfs_write", "zcfs-zc"), ("nfs_write", "zcfs-copy"), "cpu_ms_per_mib"),
    ("NFS READ MiB/s, zcfs zero-copy / tmpfs export", ("nfs_read", "zcfs-zc"), ("nfs_read", "tmpfs"), "mib_s"),
    ("zcnfsd READ (zero-copy) / sendfile, MiB/s", ("nfs_read", "zcfs-zc"), ("sock", "sendfile"), "mib_s"),
    ("zcnfsd READ (zero-copy) / sendfile, CPU per MiB", ("nfs_read", "zcfs-zc"), ("sock", "sendfile"), "cpu_ms_per_mib"),
    ("zcnfsd READ (copy path) / read+write, MiB/s", ("nfs_read", "zcfs-copy"), ("sock", "readwrite"), "mib_s"),
    ("sendfile / read+write, MiB/s", ("sock", "sendfile"), ("sock", "readwrite"), "mib_s"),
    ("sendfile / read+write, CPU per MiB", ("sock", "sendfile"), ("sock", "readwrite"), "cpu_ms_per_mib"),
] + [("in-kernel {}: loan+read+return / copy, time".format(label), (g, "loan"), (g, "copy"), "ns")
     for g, _, label in MICRO_SIZES]

# The targets of the micro benchmark: (ratio name, at most).
MICRO_TARGETS = [
    ("in-kernel 1 MiB: loan+read+return / copy, time", 0.1),
    ("in-kernel 64 KiB: loan+read+return / copy, time", 0.5),
]

VARIANT_NAMES = {
    "zcfs-zc": "zcfs, zero-copy",
    "zcfs-copy": "zcfs, zerocopy=0",
    "tmpfs": "tmpfs (falls back to copies)",
    "sendfile": "sendfile(2)",
    "readwrite": "read(2) + write(2)",
    "loan": "loan + read + return",
    "copy": "copy (plain read)",
    "phases": "loan, by phase",
}


def fmt(v, digits=3):
    if v is None:
        return "-"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 10 ** digits:
        return "{:.0f}".format(v)
    decimals = max(0, digits - 1 - int(f"{a:e}".split("e")[1]))
    return "{:.{}f}".format(v, decimals)


def cell(s, digits=3):
    """'median [min, max]' of a summary (just the value when n == 1)."""
    if not s:
        return "-"
    if s["n"] == 1 or s["min"] == s["max"]:
        return fmt(s["median"], digits)
    return "{} [{}, {}]".format(fmt(s["median"], digits), fmt(s["min"], digits),
                                fmt(s["max"], digits))


def scaled(s, factor):
    """A summary with every value multiplied by `factor`."""
    if not s:
        return s
    return dict(s, median=s["median"] * factor, min=s["min"] * factor, max=s["max"] * factor)


def get(arch, b, v, metric):
    try:
        return arch["groups"][b][v][metric]
    except (KeyError, TypeError):
        return None


def nfs_rows(arches, columns):
    """Table rows for each arch and NFS export variant that ran: the arch,
    the variant, then a cell for each (group, metric) of `columns`."""
    rows = []
    for name, a in arches.items():
        for v in ("zcfs-zc", "zcfs-copy", "tmpfs"):
            if v not in a["groups"].get("nfs_read", {}) and v not in a["groups"].get("nfs_write", {}):
                continue
            rows.append([name, VARIANT_NAMES[v]] +
                        [cell(get(a, group, v, metric)) for group, metric in columns])
    return rows


NET_VARIANTS = [
    ("zcfs-zc", "zcnfsd, zcfs, zero-copy"),
    ("zcfs-copy", "zcnfsd, zcfs, zerocopy=0"),
    ("tmpfs", "zcnfsd, tmpfs (fallback)"),
    ("knfsd", "knfsd, tmpfs"),
    ("sendfile", "sendfile(2), tmpfs"),
]

NET_RATIOS = [
    # name, numerator, denominator, metric
    ("READ server CPU/MiB, zcnfsd zero-copy / knfsd", ("net_read", "zcfs-zc"), ("net_read", "knfsd"), "srv_cpu_ms_per_mib"),
    ("WRITE server CPU/MiB, zcnfsd zero-copy / knfsd", ("net_write", "zcfs-zc"), ("net_write", "knfsd"), "srv_cpu_ms_per_mib"),
    ("READ MiB/s, zcnfsd zero-copy / knfsd", ("net_read", "zcfs-zc"), ("net_read", "knfsd"), "mib_s"),
    ("WRITE MiB/s, zcnfsd zero-copy / knfsd", ("net_write", "zcfs-zc"), ("net_write", "knfsd"), "mib_s"),
    ("READ server CPU/MiB, zcnfsd zero-copy / copy path", ("net_read", "zcfs-zc"), ("net_read", "zcfs-copy"), "srv_cpu_ms_per_mib"),
    ("WRITE server CPU/MiB, zcnfsd zero-copy / copy path", ("net_write", "zcfs-zc"), ("net_write", "zcfs-copy"), "srv_cpu_ms_per_mib"),
    ("READ MiB/s, zcnfsd zero-copy / copy path", ("net_read", "zcfs-zc"), ("net_read", "zcfs-copy"), "mib_s"),
    ("WRITE MiB/s, zcnfsd zero-copy / copy path", ("net_write", "zcfs-zc"), ("net_write", "zcfs-copy"), "mib_s"),
    ("server CPU/MiB, zcnfsd zero-copy READ / sendfile", ("net_read", "zcfs-zc"), ("net_sendfile", "sendfile"), "srv_cpu_ms_per_mib"),
    ("server CPU/MiB, knfsd READ / sendfile", ("net_read", "knfsd"), ("net_sendfile", "sendfile"), "srv_cpu_ms_per_mib"),
]

# The targets the NIC measurement exists for: (ratio name, at most).
NET_TARGETS = [
    ("READ server CPU/MiB, zcnfsd zero-copy / knfsd", 0.8),
    ("WRITE server CPU/MiB, zcnfsd zero-copy / knfsd", 0.7),
]


def net_tables(results):
    """The two-guest NIC tables (table 6 and 7)."""
    out = []
    rows = []
    for name, a in results["arches"].items():
        n = a.get("net")
        if not n:
            continue
        for v, label in NET_VARIANTS:
            rb = "net_sendfile" if v == "sendfile" else "net_read"
            if v not in n["groups"].get(rb, {}) and v not in n["groups"].get("net_write", {}):
                continue
            rows.append([name, label] +
                        [cell(get(n, b, v, metric)) for b, metric in (
                            (rb, "mib_s"), (rb, "srv_cpu_ms_per_mib"),
                            ("net_write", "mib_s"), ("net_write", "srv_cpu_ms_per_mib"),
                            (rb, "copies_per_byte"), (rb, "stack_copies_per_byte"),
                            ("net_write", "copies_per_byte"),
                            ("net_write", "stack_copies_per_byte"))])
    env = next((a["net"]["env"] for a in results["arches"].values()
                if a.get("net") and a["net"]["env"]), {})
    out.append(("6. Server guest and client guest over an emulated NIC",
                "Two guests per architecture joined by an emulated Intel NIC (the "
                "server's driver: {}; scatter-gather, checksum offload and TSO) over a "
                "QEMU stream netdev. The client guest's Linux NFS client reads and "
                "writes a {} MiB file (1 MiB calls, rsize = wsize = 1 MiB, a fresh mount "
                "and the client's caches dropped per run; write time includes fsync and "
                "close). Server CPU: busy time of all the server guest's CPUs (its own "
                "/proc/stat) per MiB moved. Copies/B: zcnfsd's copied bytes per payload "
                "byte; stack copies/B: the network stack's copies of the payload that "
                "zcnfsd counts (- when not counted; knfsd and sendfile have no such "
                "counters). sendfile(2): the server sends the tmpfs file to a plain TCP "
                "receiver on the client (READ columns).".format(
                    ", ".join("{} on {}".format(a["net"]["env"].get("srv_nic", "?"), arch)
                              for arch, a in results["arches"].items()
                              if a.get("net") and a["net"]["env"]) or "?",
                    env.get("mib", "?")),
                ["arch", "server, export", "READ MiB/s", "READ server CPU ms/MiB",
                 "WRITE MiB/s", "WRITE server CPU ms/MiB", "READ copies/B",
                 "READ stack copies/B", "WRITE copies/B", "WRITE stack copies/B"], rows))
    rows = []
    for name, a in results["arches"].items():
        for r in (a.get("net") or {}).get("ratios", []):
            rng = ("-" if r["paired_min"] is None else
                   "[{}, {}]".format(fmt(r["paired_min"]), fmt(r["paired_max"])))
            rows.append([name, r["name"], fmt(r["value"]), rng])
    out.append(("7. Ratios over the NIC",
                "As in table 5: ratio of the medians of table 6, range of the "
                "per-repetition ratios. Below 1 is better for CPU, above 1 for MiB/s.",
                ["arch", "ratio", "value", "range"], rows))
    return out


def target_lines(arch, ratios, targets):
    """(arch, "RATIO <= LIMIT", "met (value)" / "NOT met (value)" / "not
    measured") for each (ratio name, limit) of `targets`."""
    by_name = {r["name"]: r for r in ratios}
    lines = []
    for rname, limit in targets:
        r = by_name.get(rname)
        desc = "{} <= {}".format(rname, limit)
        if not r:
            lines.append((arch, desc, "not measured"))
        else:
            lines.append((arch, desc, "{} ({})".format(
                "met" if r["value"] <= limit else "NOT met", fmt(r["value"]))))
    return lines


def net_targets(results):
    """Where the NIC numbers stand against the targets."""
    lines = []
    for name, a in results["arches"].items():
        n = a.get("net")
        if not n:
            continue
        lines += target_lines(name, n.get("ratios", []), NET_TARGETS)
        # The send path: what the stack copies of a zero-copy READ's payload.
        s = get(n, "net_read", "zcfs-zc", "stack_copies_per_byte")
        desc = "zero-copy READ: the network stack copies 0 bytes per byte"
        if s is None:
            lines.append((name, desc, "not measured (no stack-copy counter)"))
        else:
            lines.append((name, desc, "met" if s["max"] == 0
                          else "NOT met (measured {})".format(cell(s))))
    return lines


def us(s):
    """A summary of nanoseconds as a cell in microseconds."""
    return cell(scaled(s, 1e-3))


def micro_fit(a, variant, metric):
    """Per call and per 4 KiB page of `metric`, from the 4 KiB and 1 MiB
    medians (a straight line through the two): (per call ns, per page ns,
    the line's value at 64 KiB, the measured 64 KiB median), or None."""
    small, mid, big = (get(a, g, variant, metric) for g, _, _ in MICRO_SIZES)
    if not small or not big:
        return None
    pages = MICRO_SIZES[2][1] // PAGE
    per_page = (big["median"] - small["median"]) / (pages - 1)
    per_call = small["median"] - per_page
    at_mid = per_call + per_page * (MICRO_SIZES[1][1] // PAGE)
    return per_call, per_page, at_mid, mid["median"] if mid else None


def micro_tables(results):
    """Table 4 (the micro benchmark) and 4b (its per-request and per-page
    costs)."""
    arches = results["arches"]
    meta = results["meta"]
    rows = []
    for name, a in arches.items():
        for g, size, label in MICRO_SIZES:
            grp = a["groups"].get(g, {})
            if not grp:
                continue
            for v in ("loan", "copy", "phases"):
                if v not in grp:
                    continue
                phases = [us(get(a, g, v, p + "_ns")) if v == "phases" else "-"
                          for p in ("request", "read", "return")]
                method = VARIANT_NAMES[v]
                seg = get(a, g, v, "segments")
                rows.append([name, label, method, us(get(a, g, v, "ns")),
                             us(get(a, g, v, "ns_per_mib"))] + phases +
                            [fmt(seg["median"]) if seg and v != "copy" else "-"])
    ranges = {}
    for a in arches.values():
        for g, _, label in MICRO_SIZES:
            r = get(a, g, "loan", "ranges")
            if r:
                ranges.setdefault(label, "{:.0f}".format(r["median"]))
    ranges = ", ".join("{} for {}".format(n, label) for label, n in ranges.items()) or "?"
    clocks = ", ".join("{} {}".format(n, a.get("env", {}).get("clocksource"))
                       for n, a in arches.items() if a.get("env", {}).get("clocksource"))
    out = [("4. In-kernel micro benchmark: loan vs copy from zcfs's page cache",
            "Per round and method the median of {} samples, each the mean time per call "
            "of one in-kernel batch of at least {} ms; cells: median [min, max] over the "
            "rounds. Every call reads the next of the consecutive ranges of its size "
            "from the start of the file ({}). Loan: ``ReadData::request`` (the request "
            "and the read in one call, ``fop_reqzcbuf_read``, as zcnfsd's READ makes them) "
            "+ drop (the return), one loan at a time, through zcvfs to zcfs. "
            "Copy: a plain read through zcvfs and the VFS into a kernel buffer. Loan, by "
            "phase, the two-call protocol (``ReadLoan::request``, ``ReadLoan::read``, drop): "
            "cycles of all the ranges' requests (as many loans out at once), then "
            "their reads, then their returns, each phase timed over the whole batch (so that a coarse clock "
            "only adds noise that averages out); request, read and return are the mean "
            "times per loan, the first column their sum. Segments: of a loan. "
            "Clocks: {}.".format(meta.get("micro_samples", "?"), meta.get("micro_batch_ms", "?"),
                                  ranges, clocks or "?"),
            ["arch", "size", "method", "us per call", "us per MiB", "request us",
             "read us", "return us", "segments"], rows)]
    rows = []
    for name, a in arches.items():
        for v, metric, label in (("loan", "ns", "loan + read + return"),
                                 ("phases", "request_ns", "request"),
                                 ("phases", "read_ns", "read"),
                                 ("phases", "return_ns", "return"),
                                 ("copy", "ns", "copy")):
            f = micro_fit(a, v, metric)
            if f:
                rows.append([name, label, fmt(f[0] / 1e3), fmt(f[1]), fmt(f[2] / 1e3),
                             fmt(f[3] / 1e3) if f[3] is not None else "-"])
    out.append(("4b. Per request and per page",
                "A straight line through the medians of table 4 at 4 KiB (1 page) and "
                "1 MiB (256 pages): its value at 0 pages is the cost of a call whatever "
                "its size, its slope the cost of each 4 KiB page; at 64 KiB the line's "
                "value against the measured median shows how well a line describes the "
                "cost. The loan's phases come from the by-phase rows.",
                ["arch", "what", "per call us", "per page ns", "64 KiB by the line us",
                 "64 KiB measured us"], rows))
    return out


def micro_targets(results):
    """Where the micro benchmark stands against its targets."""
    lines = []
    for name, a in results["arches"].items():
        if any(g.startswith("micro") for g in a["groups"]):
            lines += target_lines(name, a.get("ratios", []), MICRO_TARGETS)
    return lines


def tables(results):
    """[(title, note, headers, rows)] for the markdown and rst renderers."""
    arches = results["arches"]
    out = []

    rows = nfs_rows(arches, [("nfs_read", "copies_per_byte"),
                             ("nfs_read", "server_copies_per_byte"),
                             ("nfs_read", "stack_copies_per_byte"),
                             ("nfs_write", "copies_per_byte"),
                             ("nfs_read", "zc_share"),
                             ("nfs_write", "zc_share"),
                             ("nfs_read", "fallbacks"),
                             ("nfs_write", "provider_copies_per_byte")])
    out.append(("1. Copies per payload byte in the server",
                "From zcnfsd's counters over each run. READ copies: all kernel copies on "
                "the server, ``(read_copy_bytes + read_stack_copy_bytes) / read_bytes``, "
                "then apart: the server's own (``read_copy_bytes``) and the network "
                "stack's copies of pages sent by reference (``read_stack_copy_bytes``, "
                "from completions reporting a copy); WRITE: "
                "``write_copy_bytes / write_bytes``; zero-copy share: ``*_zc_bytes`` over "
                "payload); provider copies: zcfs's ``write_bytes_copied`` (partial pages "
                "of a write loan) over payload. By design a zero-copy READ copies 0 bytes "
                "per byte and a zero-copy WRITE 1; the copy path copies 2.",
                ["arch", "export, path", "READ copies/B", "READ server copies/B",
                 "READ stack copies/B", "WRITE copies/B",
                 "READ zero-copy share", "WRITE zero-copy share", "READ fallbacks",
                 "provider copies/B (WRITE)"], rows))

    rows = nfs_rows(arches, [("nfs_read", "mib_s"),
                             ("nfs_read", "cpu_ms_per_mib"),
                             ("nfs_write", "mib_s"),
                             ("nfs_write", "cpu_ms_per_mib")])
    out.append(("2. NFS sequential read and write through the guest's NFS client",
                "A {} MiB file, 1 MiB read(2)/write(2) calls, rsize = wsize = 1 MiB, "
                "loopback TCP; a fresh client mount and caches dropped for every run (an empty client "
                "cache). Write time includes fsync and close. CPU: busy time of all "
                "guest CPUs from /proc/stat per MiB moved.".format(results["meta"].get("mib", "?")),
                ["arch", "export, path", "read MiB/s", "read CPU ms/MiB",
                 "write MiB/s", "write CPU ms/MiB"], rows))

    rows = []
    for name, a in arches.items():
        for v in ("sendfile", "readwrite"):
            if v in a["groups"].get("sock", {}):
                rows.append([name, VARIANT_NAMES[v], cell(get(a, "sock", v, "mib_s")),
                             cell(get(a, "sock", v, "cpu_ms_per_mib"))])
    out.append(("3. Linux's anchor: tmpfs file into a loopback TCP socket",
                "The same file on tmpfs, sent by one thread and drained by a reader "
                "thread (1 MiB recv), same guest, same run.",
                ["arch", "method", "MiB/s", "CPU ms/MiB"], rows))

    out += micro_tables(results)

    rows = []
    for name, a in arches.items():
        for r in a["ratios"]:
            rng = ("-" if r["paired_min"] is None else
                   "[{}, {}]".format(fmt(r["paired_min"]), fmt(r["paired_max"])))
            rows.append([name, r["name"], fmt(r["value"]), rng])
    out.append(("5. Ratios",
                "Ratio of the medians above; the range is that of the per-repetition "
                "ratios (the variants of a repetition run back to back). Below 1 is "
                "better for CPU and time, above 1 for MiB/s.",
                ["arch", "ratio", "value", "range"], rows))
    if any(a.get("net") for a in arches.values()):
        out += net_tables(results)
    return out


def expectations(results):
    """The expected copies per byte, checked against the counters."""
    lines = []
    for name, a in results["arches"].items():
        # A micro-only guest (arm64-n1) measures no NFS by design.
        if a.get("env", {}).get("only") == "micro" and not any(
                g.startswith("nfs") for g in a["groups"]):
            continue
        checks = [("zero-copy READ copies 0 bytes per byte", "nfs_read", "zcfs-zc", 0.0),
                  ("zero-copy WRITE copies 1 byte per byte", "nfs_write", "zcfs-zc", 1.0),
                  ("copy-path READ copies 2 bytes per byte", "nfs_read", "zcfs-copy", 2.0),
                  ("copy-path WRITE copies 2 bytes per byte", "nfs_write", "zcfs-copy", 2.0)]
        for desc, b, v, want in checks:
            s = get(a, b, v, "copies_per_byte")
            if s is None:
                lines.append((name, desc, "not measured"))
            elif abs(s["max"] - want) < 1e-9 and abs(s["min"] - want) < 1e-9:
                lines.append((name, desc, "met"))
            else:
                lines.append((name, desc, "NOT met (measured {})".format(cell(s))))
        # A cold client cache: the server sent the whole file every time.
        cold = [get(a, "nfs_read", v, "payload_per_file_byte")
                for v in a["groups"].get("nfs_read", {})]
        cold = [s for s in cold if s]
        desc = "every NFS read fetched the whole file from the server"
        if not cold:
            lines.append((name, desc, "not measured"))
        elif min(s["min"] for s in cold) >= 1.0:
            lines.append((name, desc, "met"))
        else:
            lines.append((name, desc, "NOT met (server sent {} of the file)".format(
                fmt(min(s["min"] for s in cold)))))
    return lines


def md_table(headers, rows):
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def rst_table(headers, rows):
    cols = list(zip(*([headers] + rows)))
    widths = [max(len(c) for c in col) for col in cols]
    sep = "  ".join("=" * w for w in widths)
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    return [sep, line(headers), sep] + [line(r) for r in rows] + [sep]


def not_run(results):
    """KTAP results that failed or skipped, per arch."""
    out = []
    for name, a in results["arches"].items():
        if a["complete"] is False:     # None: not run (ZCVFS_BENCH_LOOPBACK=0)
            out.append("{}: the guest printed no measurements (see {})".format(name, a["log"]))
        for t in a["ktap"]:
            if not t["ok"]:
                out.append("{}: FAILED: {}".format(name, t["test"]))
            elif t["directive"].upper().startswith("SKIP"):
                out.append("{}: not run: {} ({})".format(name, t["test"], t["directive"][4:].strip()))
        n = a.get("net")
        if n is not None:
            if not n["complete"]:
                out.append("{}: the NIC client guest printed no measurements (see {})".format(
                    name, n["log"]))
            out += ["{}: FAILED: {}".format(name, t["test"]) for t in n["ktap"] if not t["ok"]]
    return out


def timing(m):
    """'Took ...' from the wall and per-guest times, if known."""
    guests = ", ".join("{} {} s".format(k[len("guest_seconds_"):], v)
                       for k, v in sorted(m.items()) if k.startswith("guest_seconds_"))
    net = ", ".join("{} {} s".format(k[len("net_seconds_"):], v)
                    for k, v in sorted(m.items()) if k.startswith("net_seconds_"))
    if "wall" not in m:
        return ""
    cpus = m.get("guest_cpus")
    return "The command took {}{}{}.{}".format(
        m["wall"], "; guests (side by side, boot included): " + guests if guests else "",
        "; NIC guest pairs (side by side): " + net if net else "",
        " Every guest had {} vCPU{}.".format(cpus, "" if cpus == "1" else "s") if cpus else "")


def render_md(results):
    m = results["meta"]
    out = ["# zcvfs benchmarks", "",
           "Produced by `{}` on {} (commit {}), kernel flavour **{}**; "
           "{} MiB file, {} repetitions (NFS: {}), micro benchmark: {} rounds. {}"
           .format(m["command"], m["date"], m.get("commit", "?"), m["flavor"], m.get("mib", "?"),
                   m.get("reps", "?"), m.get("nfs_reps", "?"), m.get("reps", "?"),
                   timing(m)), "",
           "**" + CAVEAT + "**", ""]
    if m.get("merged"):
        out += ["**" + m["merged"] + "**", ""]
    if m["flavor"] != "bench":
        out += ["**Warning: this run used the {} kernel (KASAN, lockdep, kmemleak, "
                "DEBUG_PAGEALLOC): every timing is distorted by the checkers.**"
                .format(m["flavor"]), ""]
    out.append("Cells: median [min, max] over the repetitions.")
    out.append("")
    for title, note, headers, rows in tables(results):
        out += ["## " + title, "", note.replace("``", "`"), ""]
        out += md_table(headers, rows) if rows else ["(not measured)"]
        out.append("")
    if expectations(results):
        out += ["## Expected copies per byte", ""]
        out += md_table(["arch", "expectation", "result"],
                        [list(e) for e in expectations(results)])
        out.append("")
    if micro_targets(results):
        out += ["## Targets of the micro benchmark", ""]
        out += md_table(["arch", "target", "result"], [list(e) for e in micro_targets(results)])
        out.append("")
    if net_targets(results):
        out += ["## Targets over the NIC", ""]
        out += md_table(["arch", "target", "result"], [list(e) for e in net_targets(results)])
        out.append("")
    nr = not_run(results)
    if nr:
        out += ["## Not run or failed", ""] + ["- " + s for s in nr] + [""]
    return "\n".join(out)


def render_rst(results):
    m = results["meta"]
    out = [".. SPDX-License-Identifier: GPL-2.0",
           "",
           ".. Generated by tools/bench/report.py (make bench); do not edit.",
           "",
           "Produced by ``{}`` on {} (commit {}), kernel flavour **{}**; "
           "{} MiB file, {} repetitions (NFS: {}), micro benchmark: {} rounds. {}"
           .format(m["command"], m["date"], m.get("commit", "?"), m["flavor"], m.get("mib", "?"),
                   m.get("reps", "?"), m.get("nfs_reps", "?"), m.get("reps", "?"),
                   timing(m)),
           "",
           ".. note::", "", "   " + CAVEAT, ""]
    if m.get("merged"):
        out += [".. note::", "", "   " + m["merged"], ""]
    if m["flavor"] != "bench":
        out += [".. warning::", "",
                "   This run used the {} kernel (KASAN, lockdep, kmemleak, "
                "DEBUG_PAGEALLOC): every timing is distorted.".format(m["flavor"]), ""]
    out += ["Cells: median [min, max] over the repetitions.", ""]
    for title, note, headers, rows in tables(results):
        out += [title, "-" * len(title), "", note, ""]
        out += rst_table(headers, rows) if rows else ["(not measured)"]
        out.append("")
    if expectations(results):
        title = "Expected copies per byte"
        out += [title, "-" * len(title), ""]
        out += rst_table(["arch", "expectation", "result"],
                         [list(e) for e in expectations(results)])
        out.append("")
    if micro_targets(results):
        title = "Targets of the micro benchmark"
        out += [title, "-" * len(title), ""]
        out += rst_table(["arch", "target", "result"], [list(e) for e in micro_targets(results)])
        out.append("")
    if net_targets(results):
        title = "Targets over the NIC"
        out += [title, "-" * len(title), ""]
        out += rst_table(["arch", "target", "result"], [list(e) for e in net_targets(results)])
        out.append("")
    nr = not_run(results)
    if nr:
        title = "Not run or failed"
        out += [title, "-" * len(title), ""] + ["* " + s for s in nr] + [""]
    return "\n".join(out)


# The table a measurement group (its name up to "_") appears in.
TABLE_OF = {"nfs": "1, 2", "sock": "3", "micro": "4", "net": "6, 7"}


def merge(results, path):
    """Take from the results.json at `path` every measurement group (and the
    NIC runs) that `results` lacks, per arch; recompute the ratios. Each
    arch's "kept" says which run each kept group comes from."""
    with open(path) as f:
        prev = json.load(f)
    pm = prev.get("meta", {})
    run = "{} (commit {}, {} kernel)".format(pm.get("date", "?"), pm.get("commit", "?"),
                                             pm.get("flavor", "?"))
    for name, pa in prev.get("arches", {}).items():
        a = results["arches"].setdefault(name, {"log": None, "complete": None, "env": {},
                                                "mounts": {}, "ktap": [], "groups": {},
                                                "reps": {}, "ratios": []})
        kept = a.setdefault("kept", {})
        for b, variants in pa.get("groups", {}).items():
            # "micro": the single size of older runs, now micro_1m.
            if b not in a["groups"] and b != "micro":
                a["groups"][b] = variants
                a["reps"][b] = pa.get("reps", {}).get(b, {})
                kept[b] = pa.get("kept", {}).get(b, run)
                # Their KTAP results (failures and skips are reported).
                word = {"sock": "anchor", "nfs_read": "nfs", "nfs_write": "nfs"}.get(b)
                a["ktap"] += [t for t in pa.get("ktap", []) if word and t["test"].startswith(word)
                              and t not in a["ktap"]]
        for k, v in pa.get("mounts", {}).items():
            a["mounts"].setdefault(k, v)
        if pa.get("net") and not a.get("net"):
            a["net"] = pa["net"]
            kept["net"] = pa.get("kept", {}).get("net", run)
        a["ratios"] = [r for r in (ratio(a, *x) for x in RATIOS) if r]
    by_run = {}
    for name, a in results["arches"].items():
        for b, r in a.get("kept", {}).items():
            by_run.setdefault(r, {}).setdefault(name, set()).add(
                TABLE_OF.get(b.split("_")[0], b))
    if by_run:
        m = results["meta"]
        # The file size and repetitions the kept tables were measured with.
        for k in ("mib", "nfs_reps"):
            if k in pm:
                m[k] = pm[k]
        m["merged"] = "Partial run; not measured by this run but kept from earlier ones: " + \
            "; ".join("from {}: {}".format(r, ", ".join(
                "{} table{} {}".format(n, "s" if len(t) > 1 else "", ", ".join(sorted(t)))
                for n, t in arches.items())) for r, arches in by_run.items()) + "."


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log", action="append", default=[], help="ARCH=LOG")
    ap.add_argument("--net", action="append", default=[],
                    help="ARCH=LOG of the NIC benchmarks' client guest")
    ap.add_argument("--rst")
    ap.add_argument("--merge", help="results.json of an earlier run: the groups this run "
                    "did not measure are taken from it")
    ap.add_argument("--meta", action="append", default=[], help="KEY=VALUE")
    args = ap.parse_args()

    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "make bench", "flavor": "?"}
    for kv in args.meta:
        k, _, v = kv.partition("=")
        meta[k] = v
    results = {"meta": meta, "caveat": CAVEAT, "arches": {}}
    for spec in args.log:
        arch, _, path = spec.partition("=")
        a = load_arch(path)
        a["ratios"] = [r for r in (ratio(a, *x) for x in RATIOS) if r]
        results["arches"][arch] = a
        for k in ("mib", "reps", "nfs_reps", "micro_samples", "micro_batch_ms"):
            if k in a["env"]:
                meta.setdefault(k, a["env"][k])
    for spec in args.net:
        arch, _, path = spec.partition("=")
        n = load_arch(path)
        n["ratios"] = [r for r in (ratio(n, *x) for x in NET_RATIOS) if r]
        for k in ("mib", "nfs_reps"):
            if k in n["env"]:
                meta.setdefault(k, n["env"][k])
        results["arches"].setdefault(arch, {"log": None, "complete": None, "env": {},
                                            "mounts": {}, "ktap": [], "groups": {},
                                            "reps": {}, "ratios": []})["net"] = n
    if args.merge and os.path.exists(args.merge):
        merge(results, args.merge)
    results["expectations"] = [{"arch": a, "expectation": e, "result": r}
                               for a, e, r in expectations(results)]
    results["net_targets"] = [{"arch": a, "target": e, "result": r}
                              for a, e, r in net_targets(results)]
    results["not_run"] = not_run(results)

    with open(args.out + "/results.json", "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    md = render_md(results)
    with open(args.out + "/results.md", "w") as f:
        f.write(md + "\n")
    if args.rst:
        with open(args.rst, "w") as f:
            f.write(render_rst(results) + "\n")
    print(md)
    # Non-zero when an arch produced nothing at all.
    sys.exit(0 if all(a["complete"] is not False and (a.get("net") is None or a["net"]["complete"])
                      for a in results["arches"].values()) else 1)


if __name__ == "__main__":
    main()
