"""The pump timestamps report lines for the parent's test timings, and bounds how many."""

from __future__ import annotations

import os
import threading
import time

from sandbox.pump import pump


def run_writer(lines: int, gap_s: float, max_marks: int):  # type: ignore[no-untyped-def]
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    rep_r, rep_w = os.pipe()
    exit_r, exit_w = os.pipe()
    killed = threading.Event()

    def child() -> None:
        for i in range(lines):
            if killed.is_set():
                break
            os.write(rep_w, b'{"i":%d}\n' % i)
            time.sleep(gap_s)
        for fd in (out_w, err_w, rep_w):
            os.close(fd)
        os.write(exit_w, b"x")

    writer = threading.Thread(target=child)
    writer.start()
    drained = pump(exit_r, stdin_fd=None, stdin_data=b"", stdout_fd=out_r, stderr_fd=err_r,
                   report_fd=rep_r, output_cap=1024, report_cap=1 << 20,
                   deadline=time.monotonic() + 10, kill=killed.set, max_marks=max_marks)
    writer.join()
    for fd in (out_r, err_r, rep_r, exit_r, exit_w):
        os.close(fd)
    return drained


def test_each_report_line_gets_the_parent_clock() -> None:
    drained = run_writer(lines=4, gap_s=0.05, max_marks=100)
    assert not drained.killed
    ends = [n for n, _ in drained.report_marks]
    times = [t for _, t in drained.report_marks]
    assert ends[-1] == len(drained.report) and ends == sorted(ends)
    assert 2 <= len(ends) <= 4 and times[-1] - times[0] >= 0.1  # reads may coalesce


def test_a_flood_of_report_lines_is_stopped_at_the_bound() -> None:
    drained = run_writer(lines=50, gap_s=0.01, max_marks=5)
    assert drained.report_exceeded and len(drained.report_marks) == 5
