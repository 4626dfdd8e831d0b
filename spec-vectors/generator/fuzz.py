#!/usr/bin/env python3
"""Wider, throw-away conformance runs: the same exact oracle as gen.py, over combinations and
seeds that the committed vectors do not hold (every element format with every scale format and
rule, all five roundings, odd block sizes, every element pair in dot).

Usage: python3 fuzz.py OUTDIR [SEED [quantize|dot ...]]     then:  ./mx check OUTDIR
The files are not committed; CI reads only the committed vectors.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mxcore import FORMATS, ELEMS, MODES, f32hex  # noqa: E402
import gen_quantize as gq  # noqa: E402
import gen_dot as gd  # noqa: E402


def write(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')


def fuzz_quantize(out, seed):
    n = 0
    for e in ELEMS:
        F = FORMATS[e]
        for s, rules in (('e8m0', ('floor', 'rceil')), ('ue4m3', ('rne',)), ('ue5m3', ('rne',))):
            S = FORMATS[s]
            for rule in rules:
                for mode in MODES:
                    body = ['@op quantize', '@elem ' + e, '@scale ' + s, '@scale-rule ' + rule,
                            '@rounding ' + mode]
                    for K in (2, 3, 5, 17, 64):
                        body.append('@block %d' % K)
                        rng = random.Random('%d-%s-%s-%s-%s-%d' % (seed, e, s, rule, mode, K))
                        for label, bits in gq.make_cases(F, S, rule, K, rng):
                            if len(bits) != K:
                                continue
                            sc, codes = gq.quantize(F, S, rule, mode, bits)
                            cs = '*' if codes is None else ','.join(F.hex(c) for c in codes)
                            body.append('%s %s %s' % (','.join(f32hex(b) for b in bits), S.hex(sc), cs))
                            n += 1
                    write(os.path.join(out, 'quantize', '%s-%s-%s-%s.mxv' % (e, s, rule, mode)), body)
    return n


def dot_cases(FA, FB, S, K, N, name):
    """gen_dot's cases; a few of its constructions fail for some random draws (int8's -2.0 has no
    negation), so such a draw is replaced by the next seed."""
    for attempt in range(20):
        try:
            return gd.make_cases(FA, FB, S, K, N, random.Random('%s-%d' % (name, attempt)))
        except (KeyError, IndexError):
            continue
    raise RuntimeError('no well-formed dot cases for ' + name)


def fuzz_dot(out, seed):
    n = 0
    for a in ELEMS:
        for b in ELEMS:
            FA, FB = FORMATS[a], FORMATS[b]
            for s in ('e8m0', 'ue4m3', 'ue5m3'):
                S = FORMATS[s]
                for K, Ns in ((4, (1, 7)), (6, (2,)), (32, (1, 3))):   # gd.make_cases needs K >= 4
                    cases = {}
                    for N in Ns:
                        # keep well-formed cases (some of gen_dot's special cases assume 8-bit scales)
                        name = '%d-%s-%s-%s-%d-%d' % (seed, a, b, s, K, N)
                        cases[N] = [c for c in dot_cases(FA, FB, S, K, N, name)
                                    if len(c[1]) == len(c[3]) == N and len(c[2]) == len(c[4]) == N * K
                                    and max(c[1] + c[3]) < S.ncodes
                                    and max(c[2]) < FA.ncodes and max(c[4]) < FB.ncodes]
                    for R in MODES:
                        body = ['@op dot', '@elem-a ' + a, '@elem-b ' + b, '@scale ' + s,
                                '@block %d' % K, '@rounding ' + R]
                        for N in Ns:
                            body.append('@blocks %d' % N)
                            for _, sa, ca, sb, cb in cases[N]:
                                res = gd.dot(FA, FB, S, K, N, sa, ca, sb, cb, R)
                                body.append('%s %s %s %s %s' % (
                                    ','.join(S.hex(c) for c in sa), ','.join(FA.hex(c) for c in ca),
                                    ','.join(S.hex(c) for c in sb), ','.join(FB.hex(c) for c in cb),
                                    f32hex(res)))
                                n += 1
                        write(os.path.join(out, 'dot', '%s-%s-%s-k%d-%s.mxv' % (a, b, s, K, R)), body)
    return n


if __name__ == '__main__':
    outdir = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    families = sys.argv[3:] or ['quantize', 'dot']
    if 'quantize' in families:
        print('quantize records:', fuzz_quantize(outdir, seed))
    if 'dot' in families:
        print('dot records:', fuzz_dot(outdir, seed))
