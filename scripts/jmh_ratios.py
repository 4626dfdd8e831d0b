#!/usr/bin/env python3
"""Turns JMH JSON results (-rf json) into Markdown tables of scores and ratios.

Usage: scripts/jmh_ratios.py results.json [more.json ...]
       scripts/jmh_ratios.py --targets results.json   (the issue-5 target checks, single thread)

Every benchmark class measures its baselines in the same run, so each table row is one parameter
combination (size, format, threads, ...) and each column one benchmark method; ratios divide the
baseline's time by the method's time (so > 1 means faster than the baseline).
"""
import json
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


def targets(path):
    """Prints each issue-5 target with its figures: MET only when the measured ratio reaches it."""
    score = {}
    for _, _, vm, cls, method, params, s, _, _ in load([path]):
        score[(cls, method, tuple(sorted(params.items())))] = s

    def get(cls, method, **params):
        return score.get((cls, method, tuple(sorted((k, str(v)) for k, v in params.items()))))

    def line(name, ratio, goal, detail):
        verdict = "MET" if ratio is not None and ratio >= goal else "MISSED"
        print(f"| {name} | {detail} | {ratio:.2f}x | >= {goal}x | **{verdict}** |")

    print("| target | figures | ratio | goal | verdict |")
    print("|---|---|---|---|---|")
    big = 67108864
    for fmt in ("mxfp8_e4m3", "mxfp4"):
        stream = get("QuantizeBench", "memoryStreamSum", format=fmt, size=big)
        for op in ("quantize", "dequantize"):
            t = get("QuantizeBench", op, format=fmt, size=big)
            line(f"{op} {fmt}, 64M vs memory stream", stream / t, 0.5,
                 f"{t / 1e6:.1f} ms vs {stream / 1e6:.1f} ms")
    base = get("MatvecBench", "float32VectorMatvec", n=4096, threads=1)
    for m in ("mxfp4Matvec", "mxfp8Matvec"):
        t = get("MatvecBench", m, n=4096, threads=1)
        line(f"{m} 4096x4096 vs float32 matvec", base / t, 1.8, f"{t / 1e3:.2f} ms vs {base / 1e3:.2f} ms")
    for size in (1024, 1048576, big):
        lucene = get("DotBench", "luceneInt8Dot", size=size)
        t = get("DotBench", "mxint8Dot", size=size)
        line(f"MXINT8 dot vs Lucene int8 dot, n={size}", lucene / t, 1.0, f"{t:,.0f} ns vs {lucene:,.0f} ns")
    for size in (1024, 1048576, big):
        for name, exact, fast in (("int8", "mxint8Dot", "mxint8FloatFast"), ("e4m3", "mxfp8Dot", "mxfp8FloatFast"),
                                  ("e2m1", "mxfp4Dot", "mxfp4FloatFast")):
            te = get("DotBench", exact, size=size)
            tf = get("DotBench", fast, size=size)
            line(f"exact MX x MX {name} vs FAST MX x float32, n={size}", tf / te, 0.5,
                 f"{te:,.0f} ns vs {tf:,.0f} ns")
            ex2 = exact.replace("Dot", "FloatExact")
            te2 = get("DotBench", ex2, size=size)
            line(f"EXACT vs FAST MX x float32 {name}, n={size}", tf / te2, 0.5, f"{te2:,.0f} ns vs {tf:,.0f} ns")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--targets":
        targets(sys.argv[2])
    else:
        main(sys.argv[1:])
