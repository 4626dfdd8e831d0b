"""Exact core: a generic model of the MX element/scale formats and float32,
with exact rounding from Fractions.  No bit tricks: every code is decoded to
an exact Fraction from its fields, and rounding searches the sorted list of
representable magnitudes.  A second, independent rounding (integer
significand arithmetic) is provided for cross-checking.
"""
from fractions import Fraction
from bisect import bisect_left
import struct

MODES = ("rne", "rna", "rtz", "rup", "rdn")

# Decoded value: ('num', sign, Fraction magnitude) | ('inf', sign) | ('nan',)
NAN = ('nan',)


def ilog2_floor(q):
    """floor(log2 q) for a positive Fraction, exact."""
    q = Fraction(q)
    assert q > 0
    n, d = q.numerator, q.denominator
    e = n.bit_length() - d.bit_length()
    # now 2^(e-1) < n/d < 2^(e+1)
    if e >= 0:
        if n < (d << e):
            e -= 1
    else:
        if (n << -e) < d:
            e -= 1
    assert Fraction(2) ** e <= q < Fraction(2) ** (e + 1)
    return e


class Fmt:
    """kind: 'float' (sign/exponent/mantissa), 'int' (two's complement x 2^-6),
    'e8m0' (2^(code-127)).
    special: 'ieee' (exp all ones: m=0 Inf, else NaN), 'fn' (only s.1..1.1..1 is NaN),
    'none' (no Inf/NaN), 'allones' (the all-ones code is NaN, no Inf)."""

    def __init__(self, name, kind, bits, signed=True, ebits=0, mbits=0, bias=0,
                 special='none', emax=None):
        self.name, self.kind, self.bits, self.signed = name, kind, bits, signed
        self.ebits, self.mbits, self.bias, self.special = ebits, mbits, bias, special
        self.emax = emax            # exponent of largest normal (for floor rule)
        self.ncodes = 1 << bits
        self.hexw = (bits + 3) // 4
        self.table = [self._decode(c) for c in range(self.ncodes)]
        self.has_nan = any(v[0] == 'nan' for v in self.table)
        self.has_inf = any(v[0] == 'inf' for v in self.table)
        self.has_negzero = any(v[0] == 'num' and v[1] == 1 and v[2] == 0 for v in self.table)
        # positive (sign 0) finite magnitudes, with their code; int8: codes 00..7f
        pos = {}
        for c, v in enumerate(self.table):
            if v[0] == 'num' and v[1] == 0:
                assert v[2] not in pos
                pos[v[2]] = c
        self.mags = sorted(pos)
        self.magcode = pos
        self.max = self.mags[-1]
        self.maxcode = pos[self.max]
        # the next point of the grid above max if the exponent were unbounded
        if kind == 'float':
            self.beyond = self.max + Fraction(2) ** (ilog2_floor(self.max) - mbits)
        elif kind == 'int':
            self.beyond = self.max + Fraction(1, 64)
        else:
            self.beyond = self.max * 2
        self.beyond_lsb = (self.maxcode + 1) & 1
        self.nancode = next((c for c, v in enumerate(self.table) if v[0] == 'nan'), None)
        self.infcode = {s: next(c for c, v in enumerate(self.table) if v == ('inf', s))
                        for s in (0, 1)} if self.has_inf else None
        self.minsub = self.mags[1]

    def _decode(self, code):
        if self.kind == 'int':
            v = code - 256 if code >= 128 else code
            return ('num', 1 if v < 0 else 0, Fraction(abs(v), 64))
        if self.kind == 'e8m0':
            if code == 0xff:
                return NAN
            return ('num', 0, Fraction(2) ** (code - 127))
        s = (code >> (self.ebits + self.mbits)) & 1 if self.signed else 0
        e = (code >> self.mbits) & ((1 << self.ebits) - 1)
        m = code & ((1 << self.mbits) - 1)
        eall = (1 << self.ebits) - 1
        mall = (1 << self.mbits) - 1
        if self.special == 'ieee' and e == eall:
            return ('inf', s) if m == 0 else NAN
        if self.special == 'fn' and e == eall and m == mall:
            return NAN
        if self.special == 'allones' and code == self.ncodes - 1:
            return NAN
        if e == 0:
            mag = Fraction(m) * Fraction(2) ** (1 - self.bias - self.mbits)
        else:
            mag = Fraction((1 << self.mbits) + m) * Fraction(2) ** (e - self.bias - self.mbits)
        return ('num', s, mag)

    def code_of(self, sign, mag):
        """code of an exactly representable signed magnitude (sign ignored for zero in int8)"""
        c = self.magcode[mag]
        if sign:
            if self.kind == 'int':
                return (-c) & 0xff
            if not self.signed:
                assert mag == 0 or False, "negative value in unsigned format"
                return c
            return c | (1 << (self.ebits + self.mbits))
        return c

    def signed_code(self, sign, mag):
        if sign and not self.signed and self.kind != 'int':
            raise ValueError("negative in unsigned format " + self.name)
        if self.kind == 'int' and mag == 0:
            return 0
        return self.code_of(sign, mag)

    def max_code(self, sign):
        return self.signed_code(sign, self.max)

    def overflow_code(self, sign, mode, overflow):
        if overflow == 'sat':
            return self.max_code(sign)
        # nosat (IEEE 754 overflow)
        to_max = (mode == 'rtz') or (sign == 0 and mode == 'rdn') or (sign == 1 and mode == 'rup')
        if to_max:
            return self.max_code(sign)
        if self.has_inf:
            return self.infcode[sign]
        assert self.has_nan
        return self.nancode

    def hex(self, code):
        return format(code, '0%dx' % self.hexw)

    # ---------------------------------------------------------- rounding (primary)
    def round_mag(self, sign, mag, mode):
        """Round a signed magnitude with unbounded exponent.  Returns a magnitude
        from self.mags, or None meaning 'the rounded value exceeds max'."""
        assert mode in MODES
        if mag >= self.beyond:
            return None
        i = bisect_left(self.mags, mag)
        if i < len(self.mags) and self.mags[i] == mag:
            return mag
        lo = self.mags[i - 1]
        hi = self.mags[i] if i < len(self.mags) else self.beyond
        lo_lsb = self.magcode[lo] & 1
        hi_lsb = self.magcode[hi] & 1 if hi != self.beyond else self.beyond_lsb
        if mode == 'rtz':
            r = lo
        elif mode == 'rup':
            r = lo if sign else hi
        elif mode == 'rdn':
            r = hi if sign else lo
        else:
            d_lo, d_hi = mag - lo, hi - mag
            if d_lo < d_hi:
                r = lo
            elif d_hi < d_lo:
                r = hi
            elif mode == 'rna':
                r = hi
            else:
                assert lo_lsb != hi_lsb
                r = lo if lo_lsb == 0 else hi
        return None if r == self.beyond else r

    def encode(self, val, mode, overflow):
        """val: decoded-value tuple of the input.  Returns a code."""
        if overflow == 'nosat':
            assert self.has_nan, "nosat only for formats with Inf/NaN"
        if val[0] == 'nan':
            if not self.has_nan:
                raise ValueError("NaN input for format without NaN")
            return self.nancode
        if val[0] == 'inf':
            s = val[1]
            if overflow == 'sat':
                return self.max_code(s)
            return self.infcode[s] if self.has_inf else self.nancode
        _, s, mag = val
        r = self.round_mag(s, mag, mode)
        if r is None:
            return self.overflow_code(s, mode, overflow)
        return self.signed_code(s, r)

    # ------------------------------------------------- rounding (independent check)
    def encode_arith(self, val, mode, overflow):
        """Independent implementation by integer significand arithmetic."""
        if val[0] != 'num':
            return self.encode(val, mode, overflow)
        _, s, mag = val
        if mag == 0:
            r = Fraction(0)
        else:
            if self.kind == 'int':
                q = Fraction(1, 64)
            else:
                e = max(ilog2_floor(mag), 1 - self.bias)
                q = Fraction(2) ** (e - self.mbits)
            n = mag / q
            n0 = n.numerator // n.denominator
            frac = n - n0
            if frac == 0:
                n1 = n0
            elif mode == 'rtz' or (mode == 'rup' and s) or (mode == 'rdn' and not s):
                n1 = n0
            elif mode in ('rup', 'rdn'):
                n1 = n0 + 1
            elif frac > Fraction(1, 2):
                n1 = n0 + 1
            elif frac < Fraction(1, 2):
                n1 = n0
            elif mode == 'rna':
                n1 = n0 + 1
            else:
                n1 = n0 + (n0 & 1)
            r = n1 * q
            if r > self.max:
                return self.overflow_code(s, mode, overflow)
        return self.signed_code(s, r)


FORMATS = {
    'e4m3': Fmt('e4m3', 'float', 8, ebits=4, mbits=3, bias=7, special='fn', emax=8),
    'e5m2': Fmt('e5m2', 'float', 8, ebits=5, mbits=2, bias=15, special='ieee', emax=15),
    'e3m2': Fmt('e3m2', 'float', 6, ebits=3, mbits=2, bias=3, special='none', emax=4),
    'e2m3': Fmt('e2m3', 'float', 6, ebits=2, mbits=3, bias=1, special='none', emax=2),
    'e2m1': Fmt('e2m1', 'float', 4, ebits=2, mbits=1, bias=1, special='none', emax=2),
    'int8': Fmt('int8', 'int', 8, emax=0),
    'e3m4': Fmt('e3m4', 'float', 8, ebits=3, mbits=4, bias=3, special='ieee', emax=3),
    'e8m0': Fmt('e8m0', 'e8m0', 8, signed=False),
    'ue4m3': Fmt('ue4m3', 'float', 7, signed=False, ebits=4, mbits=3, bias=7, special='allones'),
    'ue5m3': Fmt('ue5m3', 'float', 8, signed=False, ebits=5, mbits=3, bias=15, special='allones'),
}
ELEMS = ['e4m3', 'e5m2', 'e3m2', 'e2m3', 'e2m1', 'int8', 'e3m4']
SCALES = ['e8m0', 'ue4m3', 'ue5m3']


def _sanity():
    F = FORMATS
    assert F['e4m3'].max == 448 and F['e4m3'].beyond == 480 and F['e4m3'].beyond_lsb == 1
    assert F['e5m2'].max == 57344 and F['e5m2'].beyond == 65536
    assert F['e3m2'].max == 28 and F['e2m3'].max == Fraction(15, 2) and F['e2m1'].max == 6
    assert F['int8'].max == Fraction(127, 64) and F['e3m4'].max == Fraction(31, 2)
    assert F['ue4m3'].max == 448 and F['ue4m3'].ncodes == 128 and F['ue4m3'].nancode == 0x7f
    assert F['ue5m3'].max == 114688 and F['ue5m3'].minsub == Fraction(1, 2 ** 17)
    assert F['e8m0'].table[0] == ('num', 0, Fraction(1, 2 ** 127)) and F['e8m0'].nancode == 0xff
    for n in ELEMS:
        f = F[n]
        assert f.max == Fraction(2) ** f.emax * (f.max / Fraction(2) ** f.emax)
        assert ilog2_floor(f.max) == f.emax, n
    assert F['e4m3'].has_negzero and not F['int8'].has_negzero


_sanity()

# ------------------------------------------------------------------ float32
F32_MAX = Fraction(2 ** 24 - 1) * Fraction(2) ** (127 - 23)
F32_MINSUB = Fraction(1, 2 ** 149)


def f32_decode(bits):
    s = bits >> 31
    e = (bits >> 23) & 0xff
    m = bits & 0x7fffff
    if e == 0xff:
        return ('inf', s) if m == 0 else NAN
    if e == 0:
        return ('num', s, Fraction(m, 2 ** 149))
    return ('num', s, Fraction((1 << 23) + m) * Fraction(2) ** (e - 150))


def f32_encode(sign, mag, mode):
    """Exact rounding of a signed Fraction magnitude to float32 bits (IEEE 754:
    subnormals, overflow by rounding direction)."""
    mag = Fraction(mag)
    if mag == 0:
        return sign << 31
    e = max(ilog2_floor(mag), -126)
    q = Fraction(2) ** (e - 23)
    n = mag / q
    n0 = n.numerator // n.denominator
    frac = n - n0
    if frac == 0 or mode == 'rtz' or (mode == 'rup' and sign) or (mode == 'rdn' and not sign):
        n1 = n0
    elif mode in ('rup', 'rdn'):
        n1 = n0 + 1
    elif frac != Fraction(1, 2):
        n1 = n0 + (1 if frac > Fraction(1, 2) else 0)
    elif mode == 'rna':
        n1 = n0 + 1
    else:
        n1 = n0 + (n0 & 1)
    r = n1 * q
    if r > F32_MAX:
        to_max = mode == 'rtz' or (sign == 0 and mode == 'rdn') or (sign == 1 and mode == 'rup')
        return (sign << 31) | (0x7f7fffff if to_max else 0x7f800000)
    # build bits from the exact value r
    if r < Fraction(2) ** -126:
        m = r * 2 ** 149
        assert m.denominator == 1
        bits = int(m)
    else:
        ee = ilog2_floor(r)
        m = r / Fraction(2) ** ee * 2 ** 23
        assert m.denominator == 1 and 2 ** 23 <= m < 2 ** 24
        bits = ((ee + 127) << 23) | (int(m) - 2 ** 23)
    out = (sign << 31) | bits
    assert f32_decode(out) == ('num', sign, r)
    return out


def f32_bits_of_float(x):
    """float32 bits of a Python float (must be exactly representable, or it is
    rounded by the C cast: use only for values known exact or for random data)."""
    return struct.unpack('<I', struct.pack('<f', x))[0]


def f32_exact_bits(sign, mag):
    """bits of an exactly representable float32 value; asserts exactness."""
    b = f32_encode(sign, mag, 'rtz')
    assert f32_decode(b) == ('num', sign, Fraction(mag))
    return b


def f32_next_up(bits):
    """next float32 toward +Inf (finite inputs)."""
    if bits == 0x80000000:
        return 0x00000001
    if bits >> 31:
        return bits - 1
    return bits + 1


def f32_next_down(bits):
    if bits == 0x00000000:
        return 0x80000001
    if bits >> 31:
        return bits + 1
    return bits - 1


def f32hex(bits):
    return format(bits, '08x')
