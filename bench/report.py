#!/usr/bin/python3
"""report.py DATA_DIR [--out FILE]: the tables bench/run.sh prints, from its raw measurements.

DATA_DIR holds hyperfine's JSON exports (NAME.ROUND.json), rss.tsv, exec.tsv, bin.tsv and
machine.tsv. Every figure is a median over the runs, with the min and max beside it; a ratio is
the ratio of two medians from the same interleaved run.
"""
import csv
import glob
import json
import os
import re
import statistics
import sys

RTS = ("csrun", "runc", "crun")


def tsv(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def load(data):
    """Wall times and CPU times (user+sys), seconds, per bench and runtime. Each JSON file is one
    round of one run per command, so its mean user and system times are that run's."""
    timed, cpu = {}, {}  # bench -> rt -> [seconds]
    for path in glob.glob(os.path.join(data, "*.json")):
        bench = os.path.basename(path).rsplit(".", 2)[0]
        for res in json.load(open(path))["results"]:
            timed.setdefault(bench, {}).setdefault(res["command"], []).extend(res["times"])
            cpu.setdefault(bench, {}).setdefault(res["command"], []).append(res["user"] + res["system"])
    return timed, cpu


def bench_order(name):
    real = name.startswith("real-")
    name = name[5:] if real else name
    fixed = ["run", "create", "nosec-create", "start", "delete"]
    return (real, fixed.index(name), name) if name in fixed else (real, len(fixed), name)


def cell(values, fmt):
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med)
    return f"{fmt(med)} ({fmt(min(values))}–{fmt(max(values))})"


def ratio(a, b):
    if not a or not b:
        return None
    return statistics.median(a) / statistics.median(b)


def rfmt(x):
    return "-" if x is None else f"{x:.2f}×"


def main(argv):
    data = argv[1]
    out = argv[argv.index("--out") + 1] if "--out" in argv else None
    machine = {r[0]: r[1] for r in csv.reader(open(os.path.join(data, "machine.tsv")), delimiter="\t")}
    timed, cpu = load(data)
    rss = tsv(os.path.join(data, "rss.tsv"))
    real_path = os.path.join(data, "rss-real.tsv")
    rss_real = tsv(real_path) if os.path.exists(real_path) else []
    execs = tsv(os.path.join(data, "exec.tsv"))
    bins = {r["rt"]: r for r in tsv(os.path.join(data, "bin.tsv"))}

    rows = []  # (label, {rt: values}, fmt, key)
    ms = lambda v: f"{v:.1f}" if v >= 10 else f"{v:.2f}"
    labels = {"run": "run /bin/true (create+start+wait+delete)", "create": "create", "start": "start",
              "delete": "delete (a stopped container)"}
    real_rows = []  # the realistic bundle's rows, in a table of their own
    for bench in sorted(timed, key=bench_order):
        if bench.startswith("real-"):
            vals = {rt: [t * 1000 for t in timed[bench].get(rt, [])] for rt in RTS}
            name = bench[5:]
            label = labels.get(name, name).replace("/bin/true", "true")
            if name == "nosec-create":
                label = "create without linux.seccomp (the same config, the profile dropped)"
            real_rows.append((f"{label}, ms", vals, ms, bench))
            continue
        m = re.fullmatch(r"seq(\d+)", bench) or re.fullmatch(r"par(\d+)x(\d+)", bench)
        if bench.startswith("seq"):
            label = f"{m.group(1)} sequential runs (total)"
        elif bench.startswith("par"):
            label = f"{m.group(1)} runs, {m.group(2)} in parallel (total)"
        else:
            label = labels.get(bench, bench)
        vals = {rt: [t * 1000 for t in timed[bench].get(rt, [])] for rt in RTS}
        unit = "s" if min((statistics.median(v) for v in vals.values() if v), default=0) >= 1000 else "ms"
        if unit == "s":
            vals = {rt: [t / 1000 for t in v] for rt, v in vals.items()}
            rows.append((f"{label}, s", vals, lambda v: f"{v:.2f}", bench))
        else:
            rows.append((f"{label}, ms", vals, ms, bench))

    mb = lambda v: f"{v:.1f}"
    for key, label in (("create_maxrss_kb", "peak RSS of `create`, MB"),
                       ("init_vmrss_kb", "created-state init VmRSS, MB"),
                       ("init_vmhwm_kb", "created-state init VmHWM, MB"),
                       ("init_pss_kb", "created-state init Pss, MB")):
        vals = {rt: [int(r[key]) / 1024 for r in rss if r["rt"] == rt and r[key]] for rt in RTS}
        rows.append((label, vals, mb, key))
        if rss_real:
            vals = {rt: [int(r[key]) / 1024 for r in rss_real if r["rt"] == rt and r[key]] for rt in RTS}
            real_rows.append((label, vals, mb, "real-" + key))
    for kind, label in (("run", "`run`: runtime exec → container exec, ms"),
                        ("start", "`start`: runtime exec → container exec, ms")):
        vals = {rt: [int(r["us"]) / 1000 for r in execs if r["rt"] == rt and r["kind"] == kind] for rt in RTS}
        rows.append((label, vals, ms, "exec-" + kind))
    base = [int(r["us"]) / 1000 for r in execs if r["rt"] == "host"]
    vals = {rt: [int(bins[rt]["bytes"]) / 1e6] for rt in RTS if rt in bins}
    rows.append(("binary size, MB", vals, lambda v: f"{v:.2f}", "size"))

    n_of = lambda vals: max((len(v) for v in vals.values()), default=0)
    lines = [f"Mode: {machine.get('mode')}; {machine.get('date')}; Linux {machine.get('kernel')}; "
             f"{machine.get('cpu')} ({machine.get('cores')} cores)",
             f"Versions: {machine.get('versions')}", "",
             "Median (min–max) over n runs per runtime, interleaved; ratios are of medians.", "",
             "| measure | csrun | runc | crun | csrun/crun | csrun/runc | n |",
             "|---|---|---|---|---|---|---|"]
    by_key = {}

    def table(rows):
        for label, vals, fmt, key in rows:
            by_key[key] = vals
            lines.append(f"| {label} | " + " | ".join(cell(vals.get(rt, []), fmt) for rt in RTS)
                         + f" | {rfmt(ratio(vals.get('csrun'), vals.get('crun')))}"
                         + f" | {rfmt(ratio(vals.get('csrun'), vals.get('runc')))} | {n_of(vals)} |")
    table(rows)
    lines.append(f"| shared libraries (NEEDED) | " + " | ".join(
        bins[rt]["needed"] if rt in bins else "-" for rt in RTS) + " | | | |")
    if real_rows:
        lines += ["", "Realistic bundle: podman 4.3's config for `podman run busybox true` (seccomp profile "
                  "of 437 syscall names in 22 rules, 11 mounts, 11 capabilities, rlimits, sysctl, joined "
                  "network namespace); median (min–max):", "",
                  "| measure | csrun | runc | crun | csrun/crun | csrun/runc | n |", "|---|---|---|---|---|---|---|"]
        table(real_rows)
        if "real-create" in timed and "real-nosec-create" in timed:
            def cost(d):
                return ", ".join(f"{rt} {ms((statistics.median(d['real-create'][rt]) - statistics.median(d['real-nosec-create'][rt])) * 1000)}"
                                 for rt in RTS if d["real-create"].get(rt) and d["real-nosec-create"].get(rt))
            lines += ["", f"What the seccomp profile adds to `create` (median with it − median without), ms: "
                          f"wall {cost(timed)}; CPU {cost(cpu)}."]
    lines += ["", "CPU time (user+sys that wait4 reports for the command: the runtime and the helpers it "
              "waited for; a container init that outlives `create` is not in it), ms, median (min–max):", "",
              "| command | csrun | runc | crun | csrun/crun | csrun/runc | n |", "|---|---|---|---|---|---|---|"]
    for bench in sorted(cpu, key=bench_order):
        vals = {rt: [t * 1000 for t in cpu[bench].get(rt, [])] for rt in RTS}
        lines.append(f"| {bench} | " + " | ".join(cell(vals[rt], ms) for rt in RTS)
                     + f" | {rfmt(ratio(vals['csrun'], vals['crun']))} | {rfmt(ratio(vals['csrun'], vals['runc']))}"
                     + f" | {n_of(vals)} |")
    if base:
        lines += ["", f"Host baseline, no runtime (bash → execve of static busybox adjtimex, included in "
                      f"the two exec rows): {cell(base, ms)} ms, n={len(base)}."]

    # The targets, each judged on the figures above.
    def target(name, key, limit, against):
        r = ratio(by_key.get(key, {}).get("csrun"), by_key.get(key, {}).get(against))
        ok = r is not None and r <= limit
        return f"| {name} | ≤ {limit:g}× {against} | {rfmt(r)} | {'met' if ok else 'NOT met'} |"

    seq = next((k for k in by_key if k.startswith("seq")), None)
    lines += ["", "| target | limit | csrun | status |", "|---|---|---|---|",
              target("run", "run", 0.8, "crun"), target("run", "run", 0.3, "runc")]
    if seq:
        lines.append(target(f"{seq[3:]} sequential runs", seq, 0.8, "crun"))
    lines += [target("create", "create", 1.0, "crun"), target("start", "start", 1.0, "crun"),
              target("delete", "delete", 1.0, "crun"),
              target("peak RSS of create", "create_maxrss_kb", 1.5, "crun"),
              target("created-state init RSS (VmRSS)", "init_vmrss_kb", 1.0, "crun")]
    if real_rows:  # issue 14's targets
        lines += [target("realistic run", "real-run", 0.8, "crun"), target("realistic run", "real-run", 0.3, "runc"),
                  target("realistic peak RSS of create", "real-create_maxrss_kb", 1.2, "crun"),
                  target("realistic created-state init RSS (VmRSS)", "real-init_vmrss_kb", 1.0, "crun")]
    if "csrun" in bins:
        size = int(bins["csrun"]["bytes"])
        needed = bins["csrun"]["needed"].split()
        ok = size <= 5 * 1024 * 1024
        lines.append(f"| binary size | ≤ 5 MB | {size / 1e6:.2f} MB ({size} bytes) | {'met' if ok else 'NOT met'} |")
        # ld-linux is glibc's loader, every dynamic program's ELF interpreter; NEEDED names it
        # when the binary calls one of its functions (csrun: __tls_get_addr).
        only_libc = set(needed) <= {"libc.so.6", "ld-linux-x86-64.so.2"}
        glibc = all(n in ("libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2") for n in needed)
        status = ("met (libc, and its loader for __tls_get_addr)" if "ld-linux-x86-64.so.2" in needed else "met") if only_libc \
            else ("glibc only (libc, libm, ld.so): not libc alone" if glibc else "NOT met")
        lines.append(f"| shared libraries | libc only | {' '.join(needed)} | {status} |")

    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if out:
        with open(out, "w") as f:
            f.write(text)
    missing = [label for label, vals, _, _ in rows + real_rows if any(not vals.get(rt) for rt in RTS)]
    if missing:
        print("report.py: missing measurements: " + "; ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
