#!/usr/bin/python3
"""breakdown-callgrind.py BARE.cg REAL-FIRST.cg REAL.cg: csrun create's parent, in instructions,
per part, for the bare `runc spec` bundle and the realistic (podman) one, its first create
(profile compiled and cached) and a later one (read from the seccomp cache), from callgrind
output files (bench/breakdown.sh --callgrind). Inclusive counts from callgrind_annotate; the parts do not
overlap (each is a function's inclusive count minus the parts nested in it).
"""
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+) \([\d. ]+%\)\s+(.*?)(?: \[.*\])?$")


def inclusive(path):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    ir = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            name = m.group(2).split(":", 1)[-1] if m.group(2) != "PROGRAM TOTALS" else m.group(2)
            ir.setdefault(name, int(m.group(1).replace(",", "")))
    return ir


def parts(ir):
    g = lambda name: ir.get(name, 0)
    total = g("PROGRAM TOTALS")
    managed = g("__managed__Main")
    # Compile(profile, root) goes through the cache; Compile_0(profile) is libseccomp's compile.
    seccomp = g("csrun_CsRun_Seccomp_SeccompCompiler__Compile")
    fresh = g("csrun_CsRun_Seccomp_SeccompCompiler__Compile_0")
    add = g("csrun_CsRun_Seccomp_SeccompRules__Add")
    export = g("csrun_CsRun_Seccomp_SeccompFilter__ExportBpf")
    key = g("csrun_CsRun_Seccomp_SeccompCacheKey__For")
    load = g("csrun_CsRun_Seccomp_SeccompCache__Open") + g("csrun_CsRun_Seccomp_SeccompCache__Load")
    compile_ = g("csrun_CsRun_Container_Compiler__Compile") or g("csrun_CsRun_Launch_Compiler__Compile")
    return [
        ("the whole process", total),
        ("ld.so, .NET runtime start-up before Main, exit", total - managed),
        ("config.json read and validated", load_config(g)),
        ("setup program compiled, without seccomp", compile_ - seccomp),
        ("seccomp cache: the key (SHA-256 of the profile and environment)", key),
        ("seccomp cache: directory opened, entry read and checked", load),
        ("seccomp compiled: rules added (libseccomp `seccomp_rule_add_array`, 3 architectures)", add),
        ("seccomp compiled: BPF generated (libseccomp `seccomp_export_bpf`)", export),
        ("seccomp compiled: the rest (`seccomp_init`, architectures, attributes, release)", fresh - add - export),
        ("seccomp cache: entry stored", seccomp - key - load - fresh),
        ("the rest of create: cgroups, state dir, clone (and, under valgrind, the failed child's clean-up)",
         managed - load_config(g) - compile_),
    ]


def load_config(g):
    return g("csrun_CsRun_Spec_ConfigLoader__Load_0") + g("csrun_CsRun_Spec_ConfigValidator__Validate_0")


def main(bare, first, real):
    cols = [parts(inclusive(f)) for f in (bare, first, real)]
    totals = [c[0][1] for c in cols]
    print("csrun create, parent process, instructions (valgrind callgrind), millions (share of the whole)\n")
    print("| part | bare `runc spec` bundle | realistic bundle (podman), first create | realistic bundle, later creates (seccomp cache hit) |")
    print("|---|---|---|---|")
    for i, (name, _) in enumerate(cols[0]):
        cells = " | ".join(f"{c[i][1] / 1e6:.2f} ({100 * c[i][1] / t:.0f}%)" for c, t in zip(cols, totals))
        print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
