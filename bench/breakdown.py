#!/usr/bin/python3
"""breakdown.py STRACE_FILE: where a `csrun run` spends its time, from `strace -f -tt -T -o FILE`.

The first pid in the file is csrun; the pid its namespace clone() returns is the container init.
The run is cut into phases at landmark system calls (the config file's open, the state dir's
mkdir, the first cgroup mkdir, the socketpair, the clone, ...); each phase gets its span on the
wall clock, its number of system calls and the time spent inside them (-T). strace stops the
tracee at every system call, so the absolute times are inflated (roughly 20-40 us a call here):
compare phases with each other and read the counts, and see bench/README.md for the
unperturbed CPU profile (perf).
"""
import re
import sys

LINE = re.compile(r"^(\d+)\s+(\d+):(\d+):(\d+\.\d+)\s+(.*)$")
CALL = re.compile(r"^(?:<\.\.\. )?([a-z0-9_]+)[( ]")
DUR = re.compile(r"<(\d+\.\d+)>\s*$")


def parse(path):
    events = []
    for raw in open(path, errors="replace"):
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, h, mi, s, rest = int(m.group(1)), int(m.group(2)), int(m.group(3)), float(m.group(4)), m.group(5)
        if rest.startswith("+++") or rest.startswith("---"):
            continue
        c = CALL.match(rest)
        if not c:
            continue
        d = DUR.search(rest)
        events.append({"pid": pid, "t": h * 3600 + mi * 60 + s, "call": c.group(1), "text": rest,
                       "dur": float(d.group(1)) if d else 0.0, "resumed": rest.startswith("<...")})
    return events


def first(events, pred, after=0.0):
    for e in events:
        if e["t"] >= after and pred(e):
            return e["t"]
    return None


def end_of(events):
    return events[-1]["t"] if events else 0.0


def main(path):
    ev = parse(path)
    if not ev:
        sys.exit("breakdown.py: no system calls in " + path)
    parent = ev[0]["pid"]
    child = None
    for e in ev:
        if e["pid"] == parent and e["call"] == "clone" and "CLONE_NEW" in e["text"]:
            m = re.search(r"=\s*(\d+)", e["text"].split(")", 1)[-1])
            child = int(m.group(1)) if m else None
            break
    if child is None:
        # A joined namespace (the realistic bundle's network) takes csrun off its fast path: it
        # forks an intermediate that joins and unshares, and the init is that one's child. The
        # init is then the process that calls pivot_root.
        child = next((e["pid"] for e in ev if e["call"] == "pivot_root"), None)
    p = [e for e in ev if e["pid"] == parent]
    c = [e for e in ev if e["pid"] == child]
    t0 = ev[0]["t"]

    # Parent landmarks, in order.
    marks = [("process start, runtime init", t0)]

    def mark(name, pred, events=p):
        prev = marks[-1][1]
        t = first(events, pred, prev)
        if t is not None:
            marks.append((name, t))

    mark("config load + validate", lambda e: "config.json" in e["text"] and e["call"] in ("openat", "open"))
    mark("state dir + exec fifo", lambda e: e["call"] == "mkdir" and "/sys/fs/cgroup" not in e["text"])
    # libseccomp's first seccomp_init probes the kernel (seccomp(2), prctl); its compile makes no
    # system call, so this phase is the seccomp compile and the rest of the setup program's.
    mark("seccomp: libseccomp probes and compile", lambda e: e["call"] == "seccomp")
    # Off the v1 fast path (a joined namespace, a user namespace, ...) the cgroups are made
    # before the clone; the first clone that is not a thread's ends that phase.
    fork = first(p, lambda e: e["call"] in ("clone", "clone3") and not e["resumed"]
                 and "CLONE_THREAD" not in e["text"]) or end_of(p)
    mark("cgroup create + resources (before the clone)",
         lambda e: e["call"] == "mkdir" and "/sys/fs/cgroup" in e["text"] and e["t"] < fork)
    mark("compile setup program", lambda e: e["call"] == "socketpair")
    mark("clone", lambda e: e["call"] in ("clone", "clone3") and not e["resumed"] and "CLONE_THREAD" not in e["text"])
    # On the v1 fast path the cgroup is made after the clone, beside the child; otherwise before
    # the clone, and its time is in the state dir's row.
    mark("cgroup create + resources (beside the child)", lambda e: e["call"] == "mkdir" and "/sys/fs/cgroup" in e["text"])
    mark("go; state.json written while the child sets up", lambda e: e["call"] == "sendto")
    mark("wait for the child's ready", lambda e: e["call"] == "rename" and "state.json" in e["text"])
    mark("start: release the exec fifo", lambda e: "exec.fifo" in e["text"] and "O_RDONLY|O_NONBLOCK" in e["text"])
    mark("container runs; wait for its exit", lambda e: e["call"] == "unlink" and "exec.fifo" in e["text"])
    mark("delete: cgroups, state dir", lambda e: e["call"] == "wait4" and not e["resumed"])
    mark("exit", lambda e: e["call"] == "exit_group")
    end = ev[-1]["t"]

    def summarize(rows, events, title):
        print(f"\n{title}\n")
        print("| phase | starts at, ms | span, ms | system calls | in system calls, ms |")
        print("|---|---|---|---|---|")
        for i, (name, start) in enumerate(rows):
            stop = rows[i + 1][1] if i + 1 < len(rows) else end
            inside = [e for e in events if start <= e["t"] < stop and not e["resumed"]]
            print(f"| {name} | {(start - t0) * 1000:.2f} | {(stop - start) * 1000:.2f} | {len(inside)} | "
                  f"{sum(e['dur'] for e in inside) * 1000:.2f} |")

    summarize(marks, p, f"csrun (pid {parent}), {len(p)} system calls")
    if c:
        cm = [("from clone to its first system call", c[0]["t"])]
        steps = [
            ("network namespace (v1 fast path: beside the parent's cgroup work)", lambda e: e["call"] == "unshare"),
            ("wait for the parent's go", lambda e: e["call"] == "read" and not e["resumed"]),
            ("join the v1 cgroups (write 0 to tasks)", lambda e: "/tasks" in e["text"]),
            ("mounts", lambda e: e["call"] in ("mount", "openat2")),
            ("device nodes and /dev symlinks", lambda e: e["call"] in ("mknodat", "symlinkat")),
            ("pivot_root, detach the old root", lambda e: e["call"] == "pivot_root"),
            ("masked and read-only paths, remount / read-only", lambda e: e["call"] in ("openat2", "mount")),
            ("rlimits, credentials, capabilities", lambda e: e["call"] in ("prlimit64", "setgroups", "capset")),
            ("close fds, reset signals", lambda e: e["call"] in ("close_range", "rt_sigaction")),
            ("load the seccomp filter", lambda e: e["call"] == "seccomp"),
            ("ready; wait for start (exec fifo)", lambda e: e["call"] == "sendto"),
            ("execve and the container process", lambda e: e["call"] == "execve"),
        ]
        for name, pred in steps:
            t = first(c, pred, cm[-1][1])
            if t is not None:
                cm.append((name, t))
        summarize(cm, c, f"container init (pid {child}), {len(c)} system calls")
    calls = {}
    for e in ev:
        if not e["resumed"]:
            calls[e["call"]] = calls.get(e["call"], 0) + 1
    top = sorted(calls.items(), key=lambda kv: -kv[1])[:12]
    print("\nMost frequent system calls (both processes): " + ", ".join(f"{k} {v}" for k, v in top))


if __name__ == "__main__":
    main(sys.argv[1])
