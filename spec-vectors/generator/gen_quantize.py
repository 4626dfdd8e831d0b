"""quantize/ family."""
from fractions import Fraction
import numpy as np

from mxcore import FORMATS, ilog2_floor, f32_decode, f32_encode, f32_exact_bits, f32hex, \
    f32_next_up, f32_next_down
from common import rng_for, write_file, log_check, check
from gen_decode_encode import ML, int8_ref

TWO = Fraction(2)


def scale_of(F, S, rule, amax):
    """returns (scale code, X Fraction)"""
    if rule in ('floor', 'rceil'):
        if amax == 0:
            k = -127
        elif rule == 'floor':
            k = ilog2_floor(amax) - F.emax
        else:
            t = amax / F.max
            k = ilog2_floor(t)
            if TWO ** k < t:
                k += 1
        k = max(-127, min(127, k))
        return k + 127, TWO ** k
    assert rule == 'rne'
    c = S.encode(('num', 0, amax / F.max), 'rne', 'sat')
    return c, S.table[c][2]


def quantize(F, S, rule, mode, bits):
    vals = [f32_decode(b) for b in bits]
    if any(v[0] != 'num' for v in vals):
        return S.nancode, None
    amax = max(v[2] for v in vals)
    sc, X = scale_of(F, S, rule, amax)
    if X == 0:
        codes = [F.signed_code(v[1], Fraction(0)) for v in vals]
    else:
        codes = [F.encode(('num', v[1], v[2] / X), mode, 'sat') for v in vals]
    return sc, codes


def crosscheck(F, S, rule, mode, bits, sc, codes, stats):
    vals = [f32_decode(b) for b in bits]
    if codes is None:
        return
    amax = max(v[2] for v in vals)
    # scale
    if rule == 'floor':
        if amax == 0:
            ref = 0
        else:
            m, e = np.frexp(np.float64(np.uint32(max(bits, key=lambda b: b & 0x7fffffff) & 0x7fffffff).view(np.float32)))
            ref = max(0, min(254, int(e) - 1 - F.emax + 127))
        check(ref == sc, "floor scale %x vs frexp %x" % (sc, ref))
        stats['scale-frexp'] += 1
    elif rule == 'rceil':
        X = TWO ** (sc - 127)
        if amax > 0:
            check(amax / X <= F.max or sc == 254, "rceil property 1")
            check(amax / (X / 2) > F.max or sc == 0, "rceil property 2")
        stats['scale-property'] += 1
    else:
        t = amax / F.max
        c2 = S.encode_arith(('num', 0, t), 'rne', 'sat')
        check(c2 == sc, "rne scale arith")
        stats['scale-arith'] += 1
        if S.name == 'ue4m3' and t < 448:
            fb = f32_encode(0, t, 'rtz')
            if f32_decode(fb)[2] == t:
                r = int(np.array([fb], dtype=np.uint32).view(np.float32).astype(ML['e4m3']).view(np.uint8)[0])
                check(r == sc, "ue4m3 scale vs ml_dtypes")
                stats['scale-ml_dtypes'] += 1
    X = S.table[sc][2] if S.name != 'e8m0' else TWO ** (sc - 127)
    if X == 0:
        for v, c in zip(vals, codes):
            check(F.table[c] == ('num', v[1] if F.has_negzero else 0, 0), "zero-scale element")
        stats['zero-scale'] += 1
        return
    ys = []
    for v, c in zip(vals, codes):
        y = v[2] / X
        check(F.encode_arith(('num', v[1], y), mode, 'sat') == c, "element arith")
        ys.append((v[1], y))
    stats['elements-arith'] += len(codes)
    # ml_dtypes / numpy on exactly representable float32 quotients
    if mode == 'rne' or F.name == 'int8':
        for (s, y), c in zip(ys, codes):
            if y > TWO ** 120:
                continue
            fb = f32_encode(s, y, 'rtz')
            if f32_decode(fb)[2] != y:
                continue
            if F.name == 'int8':
                r = int8_ref([fb], mode)[0]
            else:
                r = int(np.array([fb], dtype=np.uint32).view(np.float32).astype(ML[F.name]).view(np.uint8)[0])
                if F.table[r][0] != 'num':       # ml_dtypes non-saturating overflow
                    r = F.max_code(s)
            check(r == c, "element vs ml_dtypes/numpy %s %x %x" % (F.name, r, c))
            stats['elements-ml_dtypes/numpy'] += 1


def f32r(rng, sigma, kind='normal'):
    if kind == 'normal':
        x = rng.gauss(0.0, sigma)
    else:
        x = rng.expovariate(1.0) * sigma * (1 if rng.random() < 0.5 else -1)
    return f32_encode(1 if x < 0 else 0, Fraction(abs(x)), 'rne')


def make_cases(F, S, rule, K, rng):
    cases = []
    sh = rng.shuffle
    sigmas = [1e-30, 1e-6, 1e-3, 0.05, 1.0, 3.0, 100.0, 1e4, 1e12, 1e30]
    for sg in sigmas:
        for _ in range(3):
            cases.append(('normal sigma=%g' % sg, [f32r(rng, sg) for _ in range(K)]))
        cases.append(('laplace sigma=%g' % sg, [f32r(rng, sg, 'laplace') for _ in range(K)]))
    cases.append(('normal sigma=1e-40 (float32 subnormals)', [f32r(rng, 1e-40) for _ in range(K)]))
    # ties after scaling: elements on F midpoints (and values) times X, one element at X*max(F)
    mids = [(F.mags[i] + F.mags[i + 1]) / 2 for i in range(len(F.mags) - 1)]
    if S.name == 'e8m0':
        Xs = [TWO ** k for k in (0, 1, -1, 5, -7, 20, -20, 60, -90, 100)]
    else:
        good = [S.table[c][2] for c in range(1, S.ncodes) if S.table[c][0] == 'num']
        Xs = [rng.choice(good) for _ in range(10)] + [S.max, S.minsub, S.mags[2]]
    for X in Xs:
        for rep in range(2):
            vals = [F.max] + [rng.choice(mids) for _ in range(K - 2)] + [rng.choice(F.mags)]
            blk = []
            try:
                for m in vals:
                    blk.append(f32_exact_bits(rng.getrandbits(1), X * m))
            except AssertionError:
                continue
            sh(blk)
            cases.append(('ties after scaling, X=%s' % X, blk))
        # near-ties: float32 neighbours of X*midpoint (exact division needed)
        vals = [F.max] + [rng.choice(mids) for _ in range(K - 1)]
        try:
            blk = [f32_exact_bits(rng.getrandbits(1), X * m) for m in vals]
        except AssertionError:
            continue
        blk = [blk[0]] + [f32_next_up(b) if rng.random() < 0.5 else f32_next_down(b) for b in blk[1:]]
        cases.append(('near-ties (float32 neighbours of midpoints), X=%s' % X, blk))
    # zero / signed-zero blocks
    cases.append(('all +0', [0] * K))
    cases.append(('all -0', [0x80000000] * K))
    cases.append(('mixed signed zeros', [rng.choice((0, 0x80000000)) for _ in range(K)]))
    cases.append(('zeros and one tiny', [rng.choice((0, 0x80000000)) for _ in range(K - 1)] + [0x80000001]))
    # amax exactly at powers of two and at max(F)*2^k and neighbours
    for k in (-100, -10, -3, 0, 1, 7, 30, 100):
        for base, lab in ((Fraction(1), '2^k'), (F.max, 'max(F)*2^k')):
            a = f32_exact_bits(0, base * TWO ** k)
            for b, lab2 in ((a, ''), (f32_next_up(a), ' next up'), (f32_next_down(a), ' next down')):
                blk = [f32_encode(1 if x < 0 else 0, Fraction(abs(x)), 'rne')
                       for x in (rng.uniform(-1, 1) * float(base * TWO ** k) for _ in range(K - 1))]
                blk.append(b | (rng.getrandbits(1) << 31))
                sh(blk)
                cases.append(('amax = %s%s, k=%d' % (lab, lab2, k), blk))
    # floor saturating: amax/X in (max(F), 2^(emax+1))
    for k in (-5, 0, 9):
        top = TWO ** (F.emax + 1)
        for frac in (Fraction(1, 3), Fraction(2, 3), Fraction(99, 100)):
            a = F.max + (top - F.max) * frac
            ab = f32_encode(0, a * TWO ** k, 'rne')
            blk = [f32r(rng, float(a) * 2.0 ** k / 2) for _ in range(K - 1)] + [ab | 0x80000000]
            sh(blk)
            cases.append(('amax/X above max(F) (floor saturates), k=%d' % k, blk))
    # near float32 max and near the smallest subnormal
    for b in (0x7f7fffff, 0x7f000000, 0x7effffff, 0x7f400000):
        blk = [rng.getrandbits(31) & 0x7f7fffff | (rng.getrandbits(1) << 31) for _ in range(K - 1)] + [b]
        sh(blk)
        cases.append(('amax near float32 max', blk))
    for b in (0x00000001, 0x00000003, 0x00000100, 0x00400000, 0x007fffff, 0x00800000):
        blk = [rng.randrange(0, b + 1) | (rng.getrandbits(1) << 31) for _ in range(K - 1)] + [b]
        sh(blk)
        cases.append(('amax near smallest float32 subnormal', blk))
    # scale-format specific: rne scale underflow / tie at half the min subnormal, saturation
    if S.name != 'e8m0':
        for t, lab in ((S.minsub / 2, 'X tie at minsub/2 -> 0'), (S.minsub * Fraction(3, 2), 'X tie minsub*1.5'),
                       (S.minsub / 4, 'X underflows'), (S.max, 'X = S max'), (S.max * 2, 'X saturates'),
                       ((S.mags[-1] + S.mags[-2]) / 2, 'X tie near S max')):
            a = f32_encode(0, t * F.max, 'rne')
            for nb in (a, f32_next_up(a), f32_next_down(a)):
                blk = [f32r(rng, float(t * F.max) / 3) for _ in range(K - 1)] + [nb | (rng.getrandbits(1) << 31)]
                sh(blk)
                cases.append((lab, blk))
    # NaN / Inf blocks
    for sp, lab in ((0x7fc00000, 'NaN'), (0x7f800000, '+Inf'), (0xff800000, '-Inf'), (0xffc00001, 'NaN')):
        blk = [f32r(rng, 1.0) for _ in range(K - 1)] + [sp]
        sh(blk)
        cases.append(('block with ' + lab, blk))
    return cases


PLAN = []
for e in ['e4m3', 'e5m2', 'e3m2', 'e2m3', 'e2m1', 'int8', 'e3m4']:
    for rule in ('floor', 'rceil'):
        PLAN.append((e, 'e8m0', rule, 'rne'))
        if e in ('e2m1', 'e4m3'):
            PLAN += [(e, 'e8m0', rule, 'rtz'), (e, 'e8m0', rule, 'rna')]
for s in ('ue4m3', 'ue5m3'):
    for mode in ('rne', 'rtz', 'rna'):
        PLAN.append(('e2m1', s, 'rne', mode))


def gen_quantize():
    out = []
    for (e, s, rule, mode) in PLAN:
        F, S = FORMATS[e], FORMATS[s]
        fname = 'quantize/%s-%s-%s-%s.mxv' % (e, s, rule, mode)
        body = ['@op quantize', '@elem %s' % e, '@scale %s' % s, '@scale-rule %s' % rule, '@rounding %s' % mode]
        n = 0
        stats = {k: 0 for k in ('scale-frexp', 'scale-property', 'scale-arith', 'scale-ml_dtypes',
                                'zero-scale', 'elements-arith', 'elements-ml_dtypes/numpy')}
        for K in (8, 16, 32):
            rng = rng_for('%s-%d' % (fname, K))
            body.append('@block %d' % K)
            for label, blk in make_cases(F, S, rule, K, rng):
                assert len(blk) == K
                sc, codes = quantize(F, S, rule, mode, blk)
                crosscheck(F, S, rule, mode, blk, sc, codes, stats)
                body.append('# ' + label)
                body.append('%s %s %s' % (','.join(f32hex(b) for b in blk), S.hex(sc),
                                          '*' if codes is None else ','.join(F.hex(c) for c in codes)))
                n += 1
        log_check('quantize', fname, '; '.join('%s: %d' % kv for kv in stats.items() if kv[1]))
        hdr = ['%s: quantize float32 blocks to %s elements with %s scales, scale rule %s, element rounding %s.'
               % (fname, e, s, rule, mode),
               'Block sizes 8, 16, 32. Cases: normal/Laplace blocks of many sigmas, ties and near-ties after',
               'scaling, zero and signed-zero blocks, amax at 2^k and max(F)*2^k (and float32 neighbours),',
               'floor saturation, amax near float32 max / min subnormal, NaN/Inf blocks. Fixed seeds.']
        write_file(fname, hdr, body)
        out.append((fname, n))
    return out
