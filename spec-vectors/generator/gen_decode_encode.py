"""decode/ and encode/ families."""
import math
from fractions import Fraction
import numpy as np
import ml_dtypes

from mxcore import (FORMATS, ELEMS, MODES, f32_decode, f32_encode, f32_exact_bits,
                    f32_next_up, f32_next_down, f32hex, F32_MAX)
from common import rng_for, write_file, log_check, check

ML = {
    'e4m3': ml_dtypes.float8_e4m3fn, 'e5m2': ml_dtypes.float8_e5m2,
    'e3m2': ml_dtypes.float6_e3m2fn, 'e2m3': ml_dtypes.float6_e2m3fn,
    'e2m1': ml_dtypes.float4_e2m1fn, 'e3m4': ml_dtypes.float8_e3m4,
    'e8m0': ml_dtypes.float8_e8m0fnu, 'ue4m3': ml_dtypes.float8_e4m3fn,
}


def val_to_f32(v):
    if v[0] == 'nan':
        return 0x7fc00000
    if v[0] == 'inf':
        return 0xff800000 if v[1] else 0x7f800000
    return f32_exact_bits(v[1], v[2])


def f32_is_nan(b):
    return (b >> 23) & 0xff == 0xff and b & 0x7fffff


def ml_decode(name, codes):
    """decoded float32 bits via ml_dtypes (or numpy for int8 / formula for ue5m3)."""
    codes = np.array(codes, dtype=np.uint8)
    if name == 'int8':
        return (codes.view(np.int8).astype(np.float32) / np.float32(64)).view(np.uint32)
    if name == 'ue5m3':
        out = []
        for c in codes.tolist():
            if c == 0xff:
                out.append(float('nan'))
            else:
                e, m = c >> 3, c & 7
                out.append(math.ldexp(m, -17) if e == 0 else math.ldexp(8 + m, e - 18))
        return np.array(out, dtype=np.float32).view(np.uint32)
    return codes.view(ML[name]).astype(np.float32).view(np.uint32)


def gen_decode():
    out = []
    for name in list(FORMATS):
        f = FORMATS[name]
        codes = list(range(f.ncodes))
        ours = [val_to_f32(f.table[c]) for c in codes]
        theirs = ml_decode(name, codes).tolist()
        for c, a, b in zip(codes, ours, theirs):
            if f32_is_nan(a):
                check(f32_is_nan(b), "decode %s %x: ours NaN, ref %08x" % (name, c, b))
            else:
                check(a == b, "decode %s %x: ours %08x ref %08x" % (name, c, a, b))
        ref = {'int8': 'numpy int8/64', 'ue5m3': 'independent math.ldexp formula',
               'ue4m3': 'ml_dtypes float8_e4m3fn codes 00..7f'}.get(name, 'ml_dtypes ' + ML.get(name, object).__name__)
        log_check('decode', 'decode/%s.mxv' % name, 'all %d codes bit-exact vs %s' % (f.ncodes, ref))
        body = ['@op decode', '@format %s' % name]
        body += ['%s %s' % (f.hex(c), f32hex(b)) for c, b in zip(codes, ours)]
        hdr = ['decode/%s.mxv: every code of %s (%d codes) and its value as float32 bits.' % (name, name, f.ncodes),
               'NaN values are written as 7fc00000 (any NaN passes).']
        write_file('decode/%s.mxv' % name, hdr, body)
        out.append(('decode/%s.mxv' % name, len(codes)))
    return out


def encode_inputs(f, rng):
    """float32 bit patterns for encode tests of format f."""
    pts = []
    mags = f.mags
    ulp_top = f.beyond - f.max
    specials = set()
    vals = list(mags)
    mids = [(mags[i] + mags[i + 1]) / 2 for i in range(len(mags) - 1)]
    beyond_pts = [f.max + ulp_top / 2, f.beyond, f.beyond + ulp_top / 2, f.beyond + ulp_top,
                  f.beyond + ulp_top * Fraction(3, 2), f.max * 2, f.max * 4, f.max * 1024]
    tiny = [f.minsub / 2, f.minsub / 4, f.minsub * Fraction(3, 4), f.minsub * Fraction(5, 4)]
    exact = vals + mids + beyond_pts + tiny
    for m in exact:
        for s in (0, 1):
            b = f32_exact_bits(s, m)
            pts += [b]
            if b & 0x7fffffff:
                pts += [f32_next_down(b), f32_next_up(b)]
            else:
                pts += [f32_next_up(b) if s == 0 else f32_next_down(b)]
    # float32 subnormal edge, normal edge, huge
    for b in [0x00000001, 0x00000002, 0x00000003, 0x007fffff, 0x00800000, 0x00800001,
              0x7f7fffff, 0x7f7ffffe, 0x7f000000, 0x71a00000, 0x60000000, 0x501502f9,
              0x7f800000]:
        pts += [b, b | 0x80000000]
    if f.has_nan:
        pts += [0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0x7fa00000]
    # random: log-uniform over the range, points near the grid, uniform bits
    lo_e = math.floor(math.log2(f.minsub)) - 3
    hi_e = math.floor(math.log2(f.beyond)) + 2
    n_rand = 3000
    for i in range(n_rand):
        k = i % 3
        s = rng.getrandbits(1)
        if k == 0:      # log-uniform over the format's range
            e = rng.randint(lo_e, hi_e)
            b = (s << 31) | ((e + 127) << 23) | rng.getrandbits(23)
        elif k == 1:    # dense: uniform between two random neighbouring grid points
            j = rng.randrange(len(mags))
            a = mags[j]
            c = mags[j + 1] if j + 1 < len(mags) else f.beyond
            x = float(a) + rng.random() * float(c - a)
            b = f32_encode(s, Fraction(x), 'rne')
        else:           # uniform bit patterns (mostly huge/tiny magnitudes)
            b = rng.getrandbits(32)
            if (b >> 23) & 0xff == 0xff and b & 0x7fffff and not f.has_nan:
                b &= 0xff7fffff
        pts.append(b)
    seen = set()
    res = []
    for b in pts:
        if b not in seen:
            seen.add(b)
            res.append(b)
    return res


def ml_rne_codes(name, bits):
    arr = np.array(bits, dtype=np.uint32).view(np.float32)
    return arr.astype(ML[name]).view(np.uint8).tolist()


def int8_ref(bits, mode):
    """numpy float64 reference for int8 (MXINT8): round(x*64) then clip +-127."""
    x = np.array(bits, dtype=np.uint32).view(np.float32).astype(np.float64) * 64.0
    with np.errstate(invalid='ignore'):
        if mode == 'rne':
            y = np.rint(x)
        elif mode == 'rna':
            y = np.sign(x) * np.floor(np.abs(x) + 0.5)
        elif mode == 'rtz':
            y = np.trunc(x)
        elif mode == 'rup':
            y = np.ceil(x)
        else:
            y = np.floor(x)
        y = np.clip(y, -127, 127)
    return (y.astype(np.int64) & 0xff).tolist()


def gen_encode():
    out = []
    for name in ELEMS:
        f = FORMATS[name]
        pols = ['sat', 'nosat'] if f.has_nan else ['sat']
        for mode in MODES:
            for pol in pols:
                fname = 'encode/%s-%s-%s.mxv' % (name, mode, pol)
                rng = rng_for(fname)
                inputs = encode_inputs(f, rng)
                codes = []
                for b in inputs:
                    v = f32_decode(b)
                    c = f.encode(v, mode, pol)
                    c2 = f.encode_arith(v, mode, pol)
                    check(c == c2, "%s: %08x primary %x arith %x" % (fname, b, c, c2))
                    codes.append(c)
                how = ['every record: search-based rounding == integer-significand rounding']
                # ml_dtypes / numpy cross-check
                if name == 'int8':
                    ref = int8_ref(inputs, mode)
                    nchk = 0
                    for b, c, r in zip(inputs, codes, ref):
                        check(c == r, "%s: %08x ours %02x numpy %02x" % (fname, b, c, r))
                        nchk += 1
                    how.append('%d/%d records == numpy float64 round(x*64) clipped to +-127' % (nchk, len(inputs)))
                elif mode == 'rne':
                    ref = ml_rne_codes(name, inputs)
                    nchk = nsat = 0
                    for b, c, r in zip(inputs, codes, ref):
                        rv = f.table[r]
                        v = f32_decode(b)
                        direct = (pol == 'nosat') or (not f.has_nan)
                        if direct or v[0] == 'nan' or (rv[0] == 'num' and v[0] == 'num'):
                            if rv[0] == 'nan':
                                check(f.table[c][0] == 'nan', "%s: %08x ours %x ml NaN" % (fname, b, c))
                            else:
                                check(c == r, "%s: %08x ours %x ml %x" % (fname, b, c, r))
                            nchk += 1
                        else:
                            # ml_dtypes overflows to Inf/NaN (non-saturating); sat must give +-max
                            check(c == f.max_code(v[1]), "%s: %08x sat expected max" % (fname, b))
                            nsat += 1
                    how.append('%d/%d records bit-exact == ml_dtypes astype(%s)' % (nchk, len(inputs), ML[name].__name__))
                    if nsat:
                        how.append('%d records where ml_dtypes overflows to Inf/NaN (its non-saturating cast): checked ours == +-max' % nsat)
                log_check('encode', fname, '; '.join(how))
                body = ['@op encode', '@format %s' % name, '@rounding %s' % mode, '@overflow %s' % pol]
                body += ['%s %s' % (f32hex(b), f.hex(c)) for b, c in zip(inputs, codes)]
                hdr = ['%s: float32 INPUT -> %s CODE, rounding %s, overflow %s.' % (fname, name, mode, pol),
                       'Inputs: every value (both signs), every midpoint, their float32 neighbours,',
                       'overflow thresholds, tiny/huge values, +-Inf%s, and ~3000 random inputs (fixed seed).'
                       % (', NaN' if f.has_nan else '')]
                write_file(fname, hdr, body)
                out.append((fname, len(inputs)))
    return out
