#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side unit tests of tools/guest/check-log.py on synthetic logs."""
import os
import subprocess
import sys
import tempfile
import unittest

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "..", "..", "guest", "check-log.py")


def guest_log(ktap, dmesg=(), kmemleak=(), done=True):
    lines = ["[    0.000000] Linux version 7.3.4", "==== ZCVFS GUEST START ===="]
    # As the guest prints it: live (with kernel messages between), then again.
    lines += ["==== ZCVFS KTAP LIVE BEGIN ===="] + list(ktap)[:1]
    lines += ["[    1.000000] kselftest: Running tests in zcvfs"] + list(ktap)[1:]
    lines += ["==== ZCVFS KTAP LIVE END ===="]
    lines += ["==== ZCVFS KTAP BEGIN ===="] + list(ktap) + ["==== ZCVFS KTAP END ===="]
    lines += ["==== ZCVFS KMEMLEAK BEGIN ===="] + list(kmemleak) + ["==== ZCVFS KMEMLEAK END ===="]
    lines += ["==== ZCVFS DMESG BEGIN ===="] + list(dmesg) + ["==== ZCVFS DMESG END ===="]
    if done:
        lines.append("==== ZCVFS GUEST DONE ====")
    return "\n".join(lines) + "\n"


GOOD = ["TAP version 13", "1..2",
        "# selftests: zcvfs: a.sh", "# TAP version 13", "# 1..2",
        "# ok 1 first", "# ok 2 second # SKIP needs zcfs", "ok 1 selftests: zcvfs: a.sh",
        "# selftests: zcvfs: b", "ok 2 selftests: zcvfs: b"]


def run(text):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write(text)
    try:
        p = subprocess.run([sys.executable, CHECK, f.name, "x86_64"],
                           capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    totals = [l for l in p.stdout.splitlines() if l.startswith("TOTALS ")][-1]
    return p.returncode, p.stdout, tuple(int(x) for x in totals.split()[1:])


class CheckLog(unittest.TestCase):
    def assert_passes(self, ktap, totals, line):
        """The guest's KTAP passes with these totals and prints line."""
        rc, out, got = run(guest_log(ktap))
        self.assertEqual(rc, 0, out)
        self.assertEqual(got, totals)
        self.assertIn(line, out)
        return out

    def test_clean_run_passes_and_counts_leaves(self):
        self.assert_passes(GOOD, (2, 0, 1), "skipped: selftests: zcvfs: a.sh / second: needs zcfs")

    def test_whole_program_skip_is_counted_with_its_reason(self):
        ktap = ["TAP version 13", "1..1", "# selftests: zcvfs: c.sh",
                "# 1..0 # SKIP needs CONFIG_FANOTIFY",
                "ok 1 selftests: zcvfs: c.sh # SKIP"]
        self.assert_passes(ktap, (0, 0, 1),
                           "skipped: selftests: zcvfs: c.sh: needs CONFIG_FANOTIFY")

    def test_nested_not_ok_fails(self):
        ktap = [l.replace("# ok 1 first", "# not ok 1 first") for l in GOOD]
        ktap = [l.replace("ok 1 selftests", "not ok 1 selftests") if l.startswith("ok 1") else l
                for l in ktap]
        rc, out, totals = run(guest_log(ktap))
        self.assertEqual(rc, 1)
        self.assertEqual(totals[1], 1)
        self.assertIn("not ok: selftests: zcvfs: a.sh / first", out)

    def test_program_failing_after_passing_subtests_fails(self):
        ktap = [l.replace("ok 1 selftests", "not ok 1 selftests") if l.startswith("ok 1") else l
                for l in GOOD]
        rc, out, _ = run(guest_log(ktap))
        self.assertEqual(rc, 1)
        self.assertIn("failed after its subtests", out)

    def test_missing_result_fails(self):
        rc, out, _ = run(guest_log(GOOD[:-1]))
        self.assertEqual(rc, 1)
        self.assertIn("plan says 2 tests, 1 reported", out)

    def test_no_test_fails(self):
        rc, out, _ = run(guest_log(["TAP version 13", "1..0"]))
        self.assertEqual(rc, 1)
        self.assertIn("no test ran", out)

    def test_unfinished_guest_fails(self):
        rc, out, _ = run(guest_log(GOOD, done=False))
        self.assertEqual(rc, 1)
        self.assertIn("did not finish", out)

    def test_kernel_reports_fail(self):
        for line, what in [
                ("[ 1.0] WARNING: CPU: 0 PID: 1 at fs/x.c:10 f+0x1/0x2", "WARN"),
                ("[ 1.0] BUG: KASAN: slab-use-after-free in foo", "KASAN"),
                ("[ 1.0] WARNING: possible circular locking dependency detected", "lockdep"),
                ("[ 1.0] Kernel panic - not syncing: Fatal exception", "panic"),
                ("[ 1.0] rust_kernel: panicked at rust/zcvfs.rs:1:1:", "Rust panic"),
                ("[ 1.0] Internal error: Oops: 0000000096000004 [#1] SMP", "oops"),
                ("[ 1.0] INFO: task sh:12 blocked for more than 120 seconds.", "hung task")]:
            with self.subTest(what=what):
                rc, out, _ = run(guest_log(GOOD, dmesg=[line]))
                self.assertEqual(rc, 1, out)
                self.assertIn(what, out)

    def test_kmemleak_fails(self):
        leak = ["unreferenced object 0xffff888003 (size 64):", "  comm \"insmod\""]
        rc, out, _ = run(guest_log(GOOD, kmemleak=leak))
        self.assertEqual(rc, 1)
        self.assertIn("kmemleak: 1 unreferenced", out)

    def test_skip_reason_in_the_description_is_given(self):
        # ktap_test_skip "REASON" prints "ok N REASON # SKIP".
        ktap = ["TAP version 13", "1..1", "# selftests: zcvfs: d.sh", "# TAP version 13",
                "# 1..2", "# ok 1 needs CONFIG_FOO # SKIP", "# ok 2 works",
                "ok 1 selftests: zcvfs: d.sh"]
        out = self.assert_passes(ktap, (1, 0, 1),
                                 "skipped: selftests: zcvfs: d.sh / needs CONFIG_FOO\n")
        self.assertNotIn("no reason given", out)

    def test_c_style_skip_is_a_skip_with_its_reason(self):
        # kselftest.h's ksft_test_result_skip() prints "ok N # SKIP reason".
        ktap = ["TAP version 13", "1..1", "# selftests: zcvfs: e", "# TAP version 13",
                "# 1..2", "# ok 1 # SKIP no torn read seen", "# ok 2 reads",
                "ok 1 selftests: zcvfs: e"]
        self.assert_passes(ktap, (1, 0, 1), "skipped: selftests: zcvfs: e: no torn read seen")

    def test_crash_keeps_the_results_before_it_and_names_the_program(self):
        # No end marker, no KTAP section: only the live lines on the console,
        # with kernel messages between them.
        text = "\n".join([
            "[    0.000000] Linux version 7.3.4", "==== ZCVFS GUEST START ====",
            "==== ZCVFS KTAP LIVE BEGIN ====",
            "TAP version 13[    5.000000] kselftest: Running tests in crash", "", "1..3",
            "# selftests: crash: passes.sh", "# TAP version 13", "# 1..1",
            "[    5.100000] some kernel message",
            "# ok 1 fixture: passes", "ok 1 selftests: crash: pas[    5.2] kernel message",
            "ses.sh",
            "# selftests: crash: panics.sh", "# TAP version 13", "# 1..2",
            "# ok 1 fixture: before the panic",
            "[    6.000000] Kernel panic - not syncing: zcvfs runner fixture",
            "[    6.000001] ---[ end Kernel panic - not syncing ]---"]) + "\n"
        rc, out, totals = run(text)
        self.assertEqual(rc, 1, out)
        self.assertEqual(totals[0], 2, out)
        self.assertIn("the guest did not finish (the kernel died) while running "
                      "selftests: crash: panics.sh", out)
        self.assertIn("FAIL: panic: [    6.000000] Kernel panic", out)
        self.assertNotIn("plan says", out)

    def test_hang_names_the_program(self):
        text = "\n".join([
            "==== ZCVFS GUEST START ====", "==== ZCVFS KTAP LIVE BEGIN ====",
            "TAP version 13", "1..1", "# selftests: hang: hangs.sh",
            "==== ZCVFS HOST: guest timed out after 240s ===="]) + "\n"
        rc, out, totals = run(text)
        self.assertEqual(rc, 1, out)
        self.assertEqual(totals, (0, 1, 0))
        self.assertIn("the guest did not finish (timed out) while running "
                      "selftests: hang: hangs.sh", out)

    def test_ordinary_kernel_lines_pass(self):
        dmesg = ["[ 0.1] zcvfs: zero-copy extension layer loaded (kernel 7.3.4, page size 4096)",
                 "[ 0.2] kmemleak: Kernel memory leak detector initialized (mem pool available: 1)"]
        rc, out, _ = run(guest_log(GOOD, dmesg=dmesg))
        self.assertEqual(rc, 0, out)


if __name__ == "__main__":
    unittest.main()
