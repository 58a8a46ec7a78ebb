#!/usr/bin/python3
"""breakdown-callgrind.py BARE.cg REAL.cg: csrun create's parent, in instructions, per part, for
the bare `runc spec` bundle and the realistic (podman) one, from two callgrind output files
(bench/breakdown.sh --callgrind). Inclusive counts from callgrind_annotate; the parts do not
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
    load = g("csrun_CsRun_Spec_ConfigLoader__Load_0") + g("csrun_CsRun_Spec_ConfigValidator__Validate_0")
    seccomp = g("csrun_CsRun_Seccomp_SeccompCompiler__Compile")
    add = g("csrun_CsRun_Seccomp_SeccompRules__Add")
    export = g("csrun_CsRun_Seccomp_SeccompFilter__ExportBpf")
    compile_ = g("csrun_CsRun_Launch_Compiler__Compile")
    return [
        ("the whole process", total),
        ("ld.so, .NET runtime start-up before Main, exit", total - managed),
        ("config.json read and validated", load),
        ("setup program compiled, without seccomp", compile_ - seccomp),
        ("seccomp: rules added (libseccomp `seccomp_rule_add_array`, 3 architectures)", add),
        ("seccomp: BPF generated (libseccomp `seccomp_export_bpf`)", export),
        ("seccomp: the rest (`seccomp_init`, architectures, attributes, release)", seccomp - add - export),
        ("the rest of create: cgroups, state dir, clone (and, under valgrind, the failed child's clean-up)",
         managed - load - compile_),
    ]


def main(bare, real):
    b, r = parts(inclusive(bare)), parts(inclusive(real))
    tb, tr = b[0][1], r[0][1]
    print("csrun create, parent process, instructions (valgrind callgrind), millions (share of the whole)\n")
    print("| part | bare `runc spec` bundle | realistic bundle (podman) |")
    print("|---|---|---|")
    for (name, x), (_, y) in zip(b, r):
        print(f"| {name} | {x / 1e6:.2f} ({100 * x / tb:.0f}%) | {y / 1e6:.2f} ({100 * y / tr:.0f}%) |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
