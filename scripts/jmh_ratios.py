#!/usr/bin/env python3
"""Turns JMH JSON results (-rf json) into Markdown tables of scores and ratios.

Usage: scripts/jmh_ratios.py results.json [more.json ...]

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


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
