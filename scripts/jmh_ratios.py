#!/usr/bin/env python3
"""Turns JMH JSON results (-rf json) into Markdown tables of scores and ratios.

Usage: scripts/jmh_ratios.py results.json [more.json ...]
       scripts/jmh_ratios.py --targets results.json [more.json ...]
           (the issue-5 target checks, single thread; a target whose figures are in none of the
           files is left out, and each ratio comes from figures of one file, so of one run)

Every benchmark class measures its baselines in the same run, so each table row is one parameter
combination (size, format, threads, ...) and each column one benchmark method; ratios divide the
baseline's time by the method's time (so > 1 means faster than the baseline).
"""
import json
import os
import sys
from collections import OrderedDict

BASELINES = {
    "QuantizeBench": "memoryStreamSum",
    "DotBench": "memoryStreamSum",
    "MatvecBench": "float32VectorMatvec",
}
SECOND = {"DotBench": ("luceneInt8Dot", "float32VectorFmaDot")}


def load(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            for r in json.load(f):
                cls, method = r["benchmark"].rsplit(".", 2)[-2:]
                rows.append((p, r.get("jvm", ""), r.get("vmVersion", ""), cls, method, r.get("params", {}),
                             r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"],
                             r["primaryMetric"]["scoreUnit"]))
    return rows


def fmt(x):
    return f"{x:,.1f}" if x >= 100 else f"{x:.3g}"


def main(paths):
    rows = load(paths)
    groups = OrderedDict()
    for p, jvm, vm, cls, method, params, score, err, unit in rows:
        key = (p, vm, cls)
        groups.setdefault(key, OrderedDict())
        pk = tuple(sorted(params.items()))
        groups[key].setdefault(pk, {})[method] = (score, err, unit)
    for (p, vm, cls), table in groups.items():
        methods = []
        for v in table.values():
            for m in v:
                if m not in methods:
                    methods.append(m)
        base = BASELINES.get(cls)
        unit = next(iter(next(iter(table.values())).values()))[2]
        print(f"\n#### {cls} — JDK {vm} ({p})\n")
        print(f"Times in {unit} (mean ± 99.9% error); ratio = {base} time / method time (> 1: faster than the baseline).\n")
        pnames = [k for k, _ in next(iter(table.keys()))]
        print("| " + " | ".join(pnames + ["method", "time", "± err", f"vs {base}"]
                                  + [f"vs {s}" for s in SECOND.get(cls, ())]) + " |")
        print("|" + "---|" * (len(pnames) + 4 + len(SECOND.get(cls, ()))))
        for pk, res in table.items():
            b = res.get(base)
            for m in methods:
                if m not in res:
                    continue
                s, e, _ = res[m]
                ratio = f"{b[0] / s:.2f}" if b else "n/a"
                extra = []
                for sec in SECOND.get(cls, ()):
                    extra.append(f"{res[sec][0] / s:.2f}" if sec in res else "n/a")
                print("| " + " | ".join([str(v) for _, v in pk] + [m, fmt(s), fmt(e), ratio] + extra) + " |")


def targets(paths):
    """Prints each issue-5 target with its figures: MET only when the measured ratio reaches it."""
    score = {}
    for p, _, vm, cls, method, params, s, _, _ in load(paths):
        score[(cls, method, tuple(sorted(params.items())))] = (s, p)

    def get(cls, method, **params):
        return score.get((cls, method, tuple(sorted((k, str(v)) for k, v in params.items()))))

    def line(name, goal, a, b, detail):
        """ratio = b / a (a the method's time, b the baseline's); both from the same file (run)."""
        if a is None or b is None or a[1] != b[1]:
            return
        ratio = b[0] / a[0]
        verdict = "MET" if ratio >= goal else "MISSED"
        print(f"| {name} | {detail(a[0], b[0])} | {ratio:.2f}x | >= {goal}x | **{verdict}** | {os.path.basename(a[1])} |")

    print("| target | figures | ratio | goal | verdict | run |")
    print("|---|---|---|---|---|---|")
    big = 67108864
    for fmt in ("mxfp8_e4m3", "mxfp4"):
        stream = get("QuantizeBench", "memoryStreamSum", format=fmt, size=big)
        for op in ("quantize", "dequantize"):
            t = get("QuantizeBench", op, format=fmt, size=big)
            line(f"{op} {fmt}, 64M vs memory stream", 0.5, t, stream,
                 lambda a, b: f"{a / 1e6:.1f} ms vs {b / 1e6:.1f} ms")
    base = get("MatvecBench", "float32VectorMatvec", n=4096, threads=1)
    for m in ("mxfp4Matvec", "mxfp8Matvec"):
        t = get("MatvecBench", m, n=4096, threads=1)
        line(f"{m} 4096x4096 vs float32 matvec", 1.8, t, base, lambda a, b: f"{a / 1e3:.2f} ms vs {b / 1e3:.2f} ms")
    for size in (1024, 1048576, big):
        lucene = get("DotBench", "luceneInt8Dot", size=size)
        t = get("DotBench", "mxint8Dot", size=size)
        line(f"MXINT8 dot vs Lucene int8 dot, n={size}", 1.0, t, lucene, lambda a, b: f"{a:,.0f} ns vs {b:,.0f} ns")
    for size in (1024, 1048576, big):
        for name, exact, fast in (("int8", "mxint8Dot", "mxint8FloatFast"), ("e4m3", "mxfp8Dot", "mxfp8FloatFast"),
                                  ("e2m1", "mxfp4Dot", "mxfp4FloatFast")):
            tf = get("DotBench", fast, size=size)
            line(f"exact MX x MX {name} vs FAST MX x float32, n={size}", 0.5, get("DotBench", exact, size=size), tf,
                 lambda a, b: f"{a:,.0f} ns vs {b:,.0f} ns")
            line(f"EXACT vs FAST MX x float32 {name}, n={size}", 0.5,
                 get("DotBench", exact.replace("Dot", "FloatExact"), size=size), tf,
                 lambda a, b: f"{a:,.0f} ns vs {b:,.0f} ns")

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--targets":
        targets(sys.argv[2:])
    else:
        main(sys.argv[1:])
