#!/usr/bin/env python3
"""Tiny independent checker of the .mxv line grammar (shared/conformance-vectors.md).
It does not import the generator.  Usage: check_grammar.py PATH...  (exit 1 on any error)"""
import os
import re
import sys

ELEM_W = {'e4m3': 2, 'e5m2': 2, 'e3m2': 2, 'e2m3': 2, 'e2m1': 1, 'int8': 2, 'e3m4': 2}
ELEM_MAX = {'e4m3': 0xff, 'e5m2': 0xff, 'e3m2': 0x3f, 'e2m3': 0x3f, 'e2m1': 0xf, 'int8': 0xff, 'e3m4': 0xff}
SCALE_MAX = {'e8m0': 0xff, 'ue4m3': 0x7f, 'ue5m3': 0xff}
ALL_MAX = dict(ELEM_MAX, **SCALE_MAX)
REQ = {'decode': ['format'], 'encode': ['format', 'rounding', 'overflow'],
       'quantize': ['elem', 'scale', 'scale-rule', 'rounding', 'block'],
       'dot': ['elem-a', 'elem-b', 'scale', 'block', 'blocks', 'rounding']}
KNOWN = {'op', 'format', 'rounding', 'overflow', 'elem', 'scale', 'scale-rule', 'block', 'elem-a', 'elem-b', 'blocks'}
HEX = re.compile(r'^[0-9a-fA-F]+$')


def code(tok, maxv):
    if not HEX.match(tok) or int(tok, 16) > maxv:
        raise ValueError('bad code %r' % tok)
    return int(tok, 16)


def f32(tok):
    if not HEX.match(tok) or len(tok) != 8:
        raise ValueError('bad float32 %r' % tok)


def check_file(path):
    d = {}
    n = 0
    for ln, raw in enumerate(open(path, encoding='utf-8'), 1):
        line = raw.split('#', 1)[0].rstrip('\n').rstrip()
        if not line.strip():
            continue
        try:
            if line.startswith('@'):
                name, _, val = line[1:].partition(' ')
                if name not in KNOWN or not val or ' ' in val:
                    raise ValueError('bad directive')
                d[name] = val
                continue
            op = d.get('op')
            if op not in REQ:
                raise ValueError('no/unknown @op')
            for r in REQ[op]:
                if r not in d:
                    raise ValueError('missing @' + r)
            f = line.split(' ')
            if op == 'decode':
                assert len(f) == 2
                code(f[0], ALL_MAX[d['format']]); f32(f[1])
            elif op == 'encode':
                assert len(f) == 2 and d['format'] in ELEM_MAX
                assert d['rounding'] in ('rne', 'rna', 'rtz', 'rup', 'rdn') and d['overflow'] in ('sat', 'nosat')
                f32(f[0]); code(f[1], ELEM_MAX[d['format']])
            elif op == 'quantize':
                k = int(d['block'])
                assert len(f) == 3
                ins = f[0].split(','); assert len(ins) == k
                for t in ins:
                    f32(t)
                code(f[1], SCALE_MAX[d['scale']])
                if f[2] != '*':
                    cs = f[2].split(','); assert len(cs) == k
                    for t in cs:
                        code(t, ELEM_MAX[d['elem']])
            else:
                k, nb = int(d['block']), int(d['blocks'])
                assert len(f) == 5
                for i, fe in ((0, None), (1, d['elem-a']), (2, None), (3, d['elem-b'])):
                    parts = f[i].split(',')
                    assert len(parts) == (nb if fe is None else nb * k)
                    for t in parts:
                        code(t, SCALE_MAX[d['scale']] if fe is None else ELEM_MAX[fe])
                f32(f[4])
            n += 1
        except (ValueError, AssertionError, KeyError) as e:
            raise SystemExit('%s:%d: malformed: %s' % (path, ln, e or 'field count'))
    if n == 0:
        raise SystemExit('%s: no records' % path)
    return n


def main(paths):
    total = files = 0
    for p in paths:
        for root, _, fs in os.walk(p) if os.path.isdir(p) else [(os.path.dirname(p), None, [os.path.basename(p)])]:
            for fn in sorted(fs):
                if fn.endswith('.mxv'):
                    total += check_file(os.path.join(root, fn))
                    files += 1
    print('%d files, %d records, grammar OK' % (files, total))


if __name__ == '__main__':
    main(sys.argv[1:] or ['.'])
