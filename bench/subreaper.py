#!/usr/bin/python3
"""subreaper.py CMD [ARG...]: run CMD as a child subreaper's only child.

A container init whose runtime exits (create, start, delete) is an orphan. This machine's PID 1
never reaps orphans, so without a subreaper every such init would stay a zombie for good.
prctl(PR_SET_CHILD_SUBREAPER) makes this process their new parent: it reaps them as they die.
When CMD exits, anything of its tree still alive is reported, killed and reaped, and the exit
status is CMD's, or 1 if something was left behind.
"""
import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def children():
    """Pids of our live (or not yet reaped) children."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:  # kernel without CONFIG_PROC_CHILDREN: scan /proc
        pids = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                            pids.append(int(d))
                except (OSError, IndexError, ValueError):
                    pass
        return pids


def describe(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: subreaper.py CMD [ARG...]")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"subreaper: prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")
    main_pid = os.fork()
    if main_pid == 0:
        try:
            os.execvp(argv[1], argv[1:])
        except OSError as e:
            print(f"subreaper: {argv[1]}: {e.strerror}", file=sys.stderr)
        os._exit(127)
    # The terminal's ^C reaches the whole process group; CMD cleans up and exits, we keep reaping.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda n, _f: os.kill(main_pid, n))
    status = None
    while status is None:
        pid, st = os.waitpid(-1, 0)
        if pid == main_pid:
            status = os.waitstatus_to_exitcode(st)
            if status < 0:
                status = 128 - status
    # Orphans that died at the same moment: reap them before looking for live ones.
    deadline = time.monotonic() + 0.5
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if pid == 0:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
    left = children()
    for pid in left:
        print(f"subreaper: left behind: pid {pid}: {describe(pid)}; killing it", file=sys.stderr)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    return 1 if left and status == 0 else status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
