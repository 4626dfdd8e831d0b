#!/usr/bin/env python3
"""Independent conformance-vector generator for mx-java (see ../README.md).
Usage: python3 gen.py all | decode | encode | quantize | dot | gguf"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main(argv):
    what = argv[1:] or ['all']
    if what == ['all']:
        what = ['decode', 'encode', 'quantize', 'dot', 'gguf']
    files = []
    for w in what:
        if w in ('decode', 'encode'):
            import gen_decode_encode as m
            files += m.gen_decode() if w == 'decode' else m.gen_encode()
        elif w == 'quantize':
            import gen_quantize as m
            files += m.gen_quantize()
        elif w == 'dot':
            import gen_dot as m
            files += m.gen_dot()
        elif w == 'gguf':
            import gen_gguf as m
            files += m.gen_gguf()
        else:
            raise SystemExit('unknown family ' + w)
    logpath = os.path.join(common.ROOT, 'generator', 'crosscheck-%s.log' % '-'.join(what) if what != ['decode', 'encode', 'quantize', 'dot', 'gguf'] else 'crosscheck.log')
    with open(logpath, 'w') as f:
        f.write('# family\tfile\thow it was cross-checked (generator aborts on any mismatch)\n')
        for line in common.CHECKLOG:
            f.write(line + '\n')
    for fn, n in files:
        print('%-50s %6d records' % (fn, n))
    print('all cross-checks passed; log in', os.path.relpath(logpath, common.ROOT))


if __name__ == '__main__':
    main(sys.argv)
