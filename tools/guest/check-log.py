#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a zcvfs guest console log into a verdict.

    check-log.py LOG ARCH [--expect-mode test|demo]

Reads the sections that tools/guest/init prints between markers and exits
non-zero when:
  - the guest did not reach its end marker (hang, crash, timeout); the KTAP
    lines it printed live before it died still count, and the program that
    was running is named;
  - the kselftest KTAP output has a `not ok`, a missing result, a bail-out,
    or no result at all;
  - kmemleak reported an unreferenced object;
  - the kernel log holds an oops, panic, WARN, BUG, KASAN, lockdep, hung
    task, soft lockup or Rust panic report.
Prints the KTAP totals for ARCH (leaf tests: the subtests a test program
reports, or the program itself when it reports none), each skip with its
reason (the directive's text, else the test's description), and each
problem found.
"""
import re
import sys

MARK = "==== ZCVFS {} ===="

# Reports the kernel prints for the problems we must never ignore.
KERNEL_REPORTS = [
    (re.compile(r"\bBUG: KASAN: "), "KASAN report"),
    (re.compile(r"\bBUG: KFENCE: "), "KFENCE report"),
    (re.compile(r"WARNING: possible (circular|recursive) locking"), "lockdep report"),
    (re.compile(r"WARNING: (inconsistent lock state|suspicious RCU usage|"
                r"bad unlock balance|lock held when returning)"), "lockdep report"),
    (re.compile(r"INFO: possible irq lock inversion"), "lockdep report"),
    (re.compile(r"\bBUG: "), "BUG"),
    (re.compile(r"\bkernel BUG at "), "BUG"),
    (re.compile(r"\bWARNING: .* at "), "WARN"),
    (re.compile(r"\bWARNING: CPU: "), "WARN"),
    (re.compile(r"\bOops\b"), "oops"),
    (re.compile(r"\bInternal error: "), "oops"),
    (re.compile(r"Unable to handle kernel "), "oops"),
    (re.compile(r"general protection fault"), "oops"),
    (re.compile(r"Kernel panic"), "panic"),
    (re.compile(r"\bpanicked at "), "Rust panic"),
    (re.compile(r"INFO: task .* blocked for more than"), "hung task"),
    (re.compile(r"soft lockup"), "soft lockup"),
    (re.compile(r"rcu_(sched|preempt) detected stalls|rcu: INFO: "), "RCU stall"),
    (re.compile(r"\bUBSAN: "), "UBSAN report"),
    (re.compile(r"list_(add|del) corruption"), "list corruption"),
    (re.compile(r"kmemleak: \d+ new suspected memory leaks"), "kmemleak report"),
]

RESULT = re.compile(r"^(not ok|ok) (\d+)\s*(.*?)\s*$")
NESTED = re.compile(r"^#\s+(not ok|ok) (\d+)\s*(.*?)\s*$")
PLAN = re.compile(r"^1\.\.(\d+)")
# A program that skips as a whole: "1..0 # SKIP reason", prefixed "# ".
NESTED_SKIP_ALL = re.compile(r"^#\s+1\.\.0\s*#\s*SKIP\s*(.*?)\s*$", re.I)
# The kselftest runner's line before it starts a program.
PROGRAM = re.compile(r"^# (selftests: \S+: \S+)\s*$")


def section(lines, name):
    """The lines between BEGIN and END markers of a section, or None."""
    try:
        start = lines.index(MARK.format(name + " BEGIN"))
        end = lines.index(MARK.format(name + " END"), start)
    except ValueError:
        return None
    return lines[start + 1:end]


def directive(desc):
    """Split 'desc # SKIP reason' (or '# SKIP reason') into (desc, 'SKIP', 'reason')."""
    m = re.search(r"(?:^|\s)#\s*(SKIP|TODO|XFAIL)\b\s*(.*)$", desc, re.I)
    if not m:
        return desc, "", ""
    return desc[:m.start()].strip(), m.group(1).upper(), m.group(2).strip()


def skip_text(where, desc, reason):
    """'where / desc: reason'; a skip with no directive text has its reason
    in its description (ktap_test_skip "needs X" prints 'ok N needs X # SKIP')."""
    name = " / ".join(x for x in (where, desc) if x)
    if reason:
        return "{}: {}".format(name, reason)
    if desc:
        return name
    return "{}: no reason given".format(name)


def parse_ktap(lines, finished=True):
    """Count leaf results.  Returns (passed, failed, skipped, skips, problems,
    running): running is the program that had started and not reported
    (when finished is False: the output of a guest that died), else None."""
    passed = failed = skipped = 0
    skips, problems = [], []
    plan = None
    tops = 0
    nested = []  # nested results since the last top-level result
    skip_all = ""  # the reason a program gave for skipping as a whole
    running = None
    for raw in lines:
        line = raw.rstrip("\r")
        m = PROGRAM.match(line)
        if m:
            running = m.group(1)
            continue
        m = NESTED_SKIP_ALL.match(line)
        if m:
            skip_all = m.group(1) or "skipped as a whole"
            continue
        if line.startswith("Bail out!"):
            problems.append("KTAP bail out: " + line)
        m = PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = NESTED.match(line)
        if m:
            nested.append(m.groups())
            continue
        m = RESULT.match(line)
        if not m:
            continue
        tops += 1
        status, _, desc = m.groups()
        desc, direc, reason = directive(desc)
        p, f, s = count_nested(desc, nested, skips, problems)
        passed, failed, skipped = passed + p, failed + f, skipped + s
        if nested:
            if status == "not ok" and not f:
                failed += 1
                problems.append("not ok: {} (the program failed after its subtests)".format(desc))
        elif status == "not ok":
            failed += 1
            problems.append("not ok: " + desc)
        elif direc == "SKIP":
            skipped += 1
            skips.append(skip_text("", desc, reason or skip_all))
        else:
            passed += 1
        nested = []
        skip_all = ""
        running = None
    if not finished:
        # What the program that was running had reported when it died.
        if nested and running is None:
            running = "the program after result {}".format(tops)
        p, f, s = count_nested(running, nested, skips, problems)
        passed, failed, skipped = passed + p, failed + f, skipped + s
        return passed, failed, skipped, skips, problems, running
    if plan is None:
        problems.append("no KTAP plan line")
    elif plan != tops:
        problems.append("KTAP plan says {} tests, {} reported".format(plan, tops))
    if tops == 0:
        problems.append("no test ran")
    return passed, failed, skipped, skips, problems, None


def count_nested(desc, nested, skips, problems):
    """Count the subtests of program desc.  Returns (passed, failed, skipped)."""
    passed = failed = skipped = 0
    for nstatus, _, ndesc in nested:
        ndesc, ndirec, nreason = directive(ndesc)
        if nstatus == "not ok" and ndirec != "TODO":
            failed += 1
            problems.append("not ok: {} / {}".format(desc, ndesc))
        elif ndirec == "SKIP":
            skipped += 1
            skips.append(skip_text(desc, ndesc, nreason))
        else:
            passed += 1
    return passed, failed, skipped


# A kernel message that the console printed into the middle of a line.
KMSG_INSIDE = re.compile(r"(?<=.)\[\s*\d+\.\d+\] .*$")


def live_ktap(lines):
    """The KTAP lines the guest printed live (the LIVE section, to its end
    marker or the end of the log), or None.  Kernel messages interleave
    with them there: whole lines match none of the KTAP patterns, and one
    printed into the middle of a KTAP line is cut off it (the line's rest
    follows on the next line; a result still counts)."""
    try:
        start = lines.index(MARK.format("KTAP LIVE BEGIN"))
    except ValueError:
        return None
    live = []
    for line in lines[start + 1:]:
        if line.startswith("==== ZCVFS "):
            break
        live.append(KMSG_INSIDE.sub("", line))
    return live


def kernel_reports(lines):
    found = []
    for line in lines:
        for pattern, what in KERNEL_REPORTS:
            if pattern.search(line):
                found.append("{}: {}".format(what, line.strip()))
                break
    return found


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    log, arch = args[0], args[1]
    with open(log, encoding="utf-8", errors="replace") as f:
        lines = [l.rstrip("\r\n") for l in f]

    problems = []
    done = MARK.format("GUEST DONE") in lines

    ktap = section(lines, "KTAP")
    passed = failed = skipped = 0
    skips = []
    running = None
    if ktap is not None:
        passed, failed, skipped, skips, kproblems, _ = parse_ktap(ktap)
        problems += kproblems
    else:
        live = live_ktap(lines)
        if live is not None:
            # The guest died: count what it printed as it went.
            passed, failed, skipped, skips, kproblems, running = parse_ktap(live, finished=False)
            problems += kproblems
        else:
            problems.append("no KTAP section in the log")

    leaks = section(lines, "KMEMLEAK")
    if leaks is None and done:
        problems.append("no kmemleak section in the log")
    elif leaks:
        n = sum(1 for l in leaks if l.startswith("unreferenced object"))
        if n:
            problems.append("kmemleak: {} unreferenced object(s)".format(n))
            failed += 1

    # The full kernel log when the guest finished, else the raw console.
    dmesg = section(lines, "DMESG")
    reports = kernel_reports(dmesg if dmesg is not None else lines)

    if not done:
        if any(l.startswith("==== ZCVFS HOST: guest timed out") for l in lines):
            why = "timed out"
        elif reports:
            why = "the kernel died"
        else:
            why = "hang, crash or timeout"
        where = " while running " + running if running else ""
        problems.insert(0, "the guest did not finish ({}){}".format(why, where))
    if reports:
        failed += 1
        problems += reports[:20]
        if len(reports) > 20:
            problems.append("... and {} more kernel reports".format(len(reports) - 20))

    if not done or ktap is None:
        failed += 1
    print("{}: KTAP totals: {} passed, {} failed, {} skipped".format(
        arch, passed, failed, skipped))
    for s in skips:
        print("{}: skipped: {}".format(arch, s))
    for p in problems:
        print("{}: FAIL: {}".format(arch, p))
    # Machine-readable last line for the caller to add up.
    print("TOTALS {} {} {}".format(passed, failed, skipped))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
