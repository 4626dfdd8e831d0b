"""dot/ family."""
import math
from fractions import Fraction
import numpy as np

from mxcore import FORMATS, f32_encode, f32_decode, f32hex
from common import rng_for, write_file, log_check, check
from gen_decode_encode import ml_decode

NANBITS = 0x7fc00000


def dot(FA, FB, S, K, N, sa, ca, sb, cb, R):
    if any(S.table[c][0] == 'nan' for c in sa + sb):
        return NANBITS
    pa = [FA.table[c] for c in ca]
    pb = [FB.table[c] for c in cb]
    if any(v[0] == 'nan' for v in pa + pb):
        return NANBITS
    total = Fraction(0)
    infs = set()
    all_negzero = True
    for j in range(N):
        xa, xb = S.table[sa[j]][2], S.table[sb[j]][2]
        for i in range(j * K, (j + 1) * K):
            a, b = pa[i], pb[i]
            sgn = a[1] ^ b[1]
            if a[0] == 'inf' or b[0] == 'inf':
                zero = (a[0] == 'num' and a[2] == 0) or (b[0] == 'num' and b[2] == 0) or xa == 0 or xb == 0
                if zero:
                    return NANBITS                   # Inf x 0
                infs.add(sgn)
                all_negzero = False
                continue
            prod = a[2] * b[2]
            if not (prod == 0 and sgn == 1):
                all_negzero = False
            total += (-1 if sgn else 1) * xa * xb * prod
    if infs:
        if len(infs) == 2:
            return NANBITS                           # Inf - Inf
        return 0xff800000 if 1 in infs else 0x7f800000
    if total == 0:
        return 0x80000000 if all_negzero else 0
    return f32_encode(1 if total < 0 else 0, abs(total), R)


def ref_float64(FA, FB, S, K, N, sa, ca, sb, cb):
    """float64 reference: every term is exact in float64 for these formats;
    returns (sum as float64 via math.fsum or IEEE ops, exact-sum-representable?)"""
    dsa = np.array(ml_decode(S.name, sa), dtype=np.uint32).view(np.float32).astype(np.float64)
    dsb = np.array(ml_decode(S.name, sb), dtype=np.uint32).view(np.float32).astype(np.float64)
    da = np.array(ml_decode(FA.name, ca), dtype=np.uint32).view(np.float32).astype(np.float64)
    db = np.array(ml_decode(FB.name, cb), dtype=np.uint32).view(np.float32).astype(np.float64)
    terms = []
    with np.errstate(all='ignore'):
        for j in range(N):
            for i in range(j * K, (j + 1) * K):
                terms.append(float((dsa[j] * dsb[j]) * (da[i] * db[i])))
    if any(math.isnan(t) for t in terms):
        return float('nan')
    if any(math.isinf(t) for t in terms):
        s = 0.0
        for t in terms:
            s += t
        return s
    if all(t == 0 for t in terms):
        s = -0.0
        for t in terms:
            s += t
        return s
    return math.fsum(terms)


def directed_from_double(d, R):
    """float32 result of rounding the float64 d with R (d is the exact value)."""
    with np.errstate(all='ignore'):
        r = np.float32(d)                         # rne
        if R == 'rne':
            return r
        lo = r if float(r) <= d else np.nextafter(r, np.float32(-np.inf))
        hi = r if float(r) >= d else np.nextafter(r, np.float32(np.inf))
        if R == 'rtz':
            return lo if d > 0 else hi
        if R == 'rup':
            return hi
        return lo


def make_cases(FA, FB, S, K, N, rng):
    def codes_of(F, allow_special=False):
        return [c for c in range(F.ncodes) if F.table[c][0] == 'num' or allow_special] 
    fin_a, fin_b = codes_of(FA), codes_of(FB)
    scale_fin = [c for c in range(S.ncodes) if S.table[c][0] == 'num' and S.table[c][2] != 0]
    mid = 127 if S.name == 'e8m0' else S.magcode[1]
    cases = []

    def rnd(F, fin, n):
        return [rng.choice(fin) for _ in range(n)]

    def sc_near(n, spread=8):
        return [min(max(mid + rng.randint(-spread, spread), scale_fin[0]), scale_fin[-1]) for _ in range(n)]

    for _ in range(25):
        cases.append(('random', sc_near(N), rnd(FA, fin_a, N * K), sc_near(N), rnd(FB, fin_b, N * K)))
    for _ in range(8):
        cases.append(('random scales over the whole scale range', [rng.choice(scale_fin) for _ in range(N)],
                      rnd(FA, fin_a, N * K), [rng.choice(scale_fin) for _ in range(N)], rnd(FB, fin_b, N * K)))
    # heavy cancellation: large terms that cancel exactly, leaving a small remainder
    negatable_a = [c for c in fin_a if FA.table[c][2] <= FA.max]   # int8 80 (-2.0) has no negation
    big_a = [c for c in negatable_a if FA.table[c][2] >= FA.max / 4]
    big_b = [c for c in fin_b if FB.table[c][2] >= FB.max / 4]
    small_a = [c for c in fin_a if 0 < FA.table[c][2] <= FA.minsub * 4]
    for t in range(10):
        ca, cb = [], []
        pos = list(range(N * K))
        rng.shuffle(pos)
        ca = [FA.signed_code(0, Fraction(0))] * (N * K)
        cb = [FB.signed_code(0, Fraction(0))] * (N * K)
        sa = sc_near(N, 2)
        sb = sc_near(N, 2)
        # put pairs (a,b) and (-a,b) in the same block (same scale) so they cancel exactly
        for j in range(N):
            idx = list(range(j * K, (j + 1) * K))
            rng.shuffle(idx)
            for p in range(0, K - 2, 2):
                a, b = rng.choice(big_a), rng.choice(big_b)
                va = FA.table[a]
                ca[idx[p]], cb[idx[p]] = a, b
                ca[idx[p + 1]] = FA.signed_code(1 - va[1], va[2])
                cb[idx[p + 1]] = b
            ca[idx[K - 1]] = rng.choice(small_a)
            cb[idx[K - 1]] = rng.choice([c for c in fin_b if 0 < FB.table[c][2] <= FB.minsub * 4])
        if N > 1 and S.name == 'e8m0' and t % 2:
            # one block with huge scales, one with tiny scales
            sa[0], sb[0] = 127 + 60, 127 + 60
            sa[-1], sb[-1] = 127 - 60, 127 - 60
        cases.append(('heavy cancellation', sa, ca, sb, cb))
    if S.name == 'e8m0':
        # scale extremes: products overflowing / underflowing float32
        for (a, b, lab) in ((254, 254, 'scales 2^127*2^127 (overflow)'), (0, 0, 'scales 2^-127*2^-127 (underflow)'),
                            (254, 0, 'scales 2^127*2^-127'), (200, 190, 'overflow'), (20, 10, 'underflow region'),
                            (0, 254, 'scales 2^-127*2^127')):
            for _ in range(2):
                cases.append((lab, [a] * N, rnd(FA, fin_a, N * K), [b] * N, rnd(FB, fin_b, N * K)))
        # subnormal results: single nonzero product, scales placed near 2^-140
        for _ in range(8):
            ca = [FA.signed_code(0, Fraction(0))] * (N * K)
            cb = [FB.signed_code(0, Fraction(0))] * (N * K)
            i = rng.randrange(N * K)
            ca[i] = rng.choice([c for c in fin_a if FA.table[c][2] != 0])
            cb[i] = rng.choice([c for c in fin_b if FB.table[c][2] != 0])
            i2 = rng.randrange(N * K)
            if i2 != i:
                ca[i2] = rng.choice([c for c in fin_a if FA.table[c][2] != 0])
                cb[i2] = rng.choice([c for c in fin_b if FB.table[c][2] != 0])
            e = rng.randint(-150, -126)     # target exponent of the scale product
            sa = [max(0, min(254, 127 + e // 2))] * N
            sb = [max(0, min(254, 127 + e - e // 2))] * N
            cases.append(('result in float32 subnormal range', sa, ca, sb, cb))
    # NaN scales
    for _ in range(3):
        sa, sb = sc_near(N), sc_near(N)
        (sa if rng.random() < 0.5 else sb)[rng.randrange(N)] = S.nancode
        cases.append(('NaN scale', sa, rnd(FA, fin_a, N * K), sb, rnd(FB, fin_b, N * K)))
    # NaN / Inf elements
    for F, side in ((FA, 'a'), (FB, 'b')):
        nans = [c for c in range(F.ncodes) if F.table[c][0] == 'nan']
        infs = [c for c in range(F.ncodes) if F.table[c][0] == 'inf']
        for _ in range(3 if nans else 0):
            ca, cb = rnd(FA, fin_a, N * K), rnd(FB, fin_b, N * K)
            (ca if side == 'a' else cb)[rng.randrange(N * K)] = rng.choice(nans)
            cases.append(('NaN element', sc_near(N), ca, sc_near(N), cb))
        if infs:
            nz_a = [c for c in fin_a if FA.table[c][2] != 0]
            nz_b = [c for c in fin_b if FB.table[c][2] != 0]
            for lab in ('Inf', 'Inf', 'Inf*0', '+Inf-Inf', 'Inf with huge scales'):
                ca, cb = rnd(FA, nz_a, N * K), rnd(FB, nz_b, N * K)
                i = rng.randrange(N * K)
                X = ca if side == 'a' else cb
                Y = cb if side == 'a' else ca
                X[i] = rng.choice(infs)
                if lab == 'Inf*0':
                    Y[i] = (FB if side == 'a' else FA).signed_code(rng.getrandbits(1), Fraction(0))
                if lab == '+Inf-Inf':
                    i2 = (i + 1) % (N * K)
                    Yf = FB if side == 'a' else FA
                    Xf = FA if side == 'a' else FB
                    X[i2] = Xf.infcode[1 - Xf.table[X[i]][1]]
                    Y[i2] = Yf.signed_code(Yf.table[Y[i]][1], Yf.table[Y[i]][2])
                sa, sb = sc_near(N), sc_near(N)
                if lab == 'Inf with huge scales':
                    sa, sb = [254] * N, [254] * N
                cases.append((lab, sa, ca, sb, cb))
    # zero sums
    za0, zb0 = FA.signed_code(0, Fraction(0)), FB.signed_code(0, Fraction(0))
    cases.append(('all +0 elements', sc_near(N), [za0] * (N * K), sc_near(N), [zb0] * (N * K)))
    if FA.has_negzero:
        za1 = FA.signed_code(1, Fraction(0))
        cases.append(('all products -0 (-0 x +0)', sc_near(N), [za1] * (N * K), sc_near(N), [zb0] * (N * K)))
        if FB.has_negzero:
            zb1 = FB.signed_code(1, Fraction(0))
            cb = [rng.choice((zb0, zb1)) for _ in range(N * K)]
            ca = [za1 if c == zb0 else za0 for c in cb]
            cases.append(('all products -0 (mixed signs)', sc_near(N), ca, sc_near(N), cb))
            cases.append(('-0 x -0 products are +0', sc_near(N), [za1] * (N * K), sc_near(N), [zb1] * (N * K)))
            ca = [za1] * (N * K)
            ca[rng.randrange(N * K)] = za0
            cases.append(('one +0 product among -0 products', sc_near(N), ca, sc_near(N), [zb0] * (N * K)))
    for _ in range(3):
        # exact cancellation to zero (nonzero products)
        ca = [rng.choice([c for c in negatable_a if FA.table[c][2] != 0]) for _ in range(N * K)]
        cb = [rng.choice([c for c in fin_b if FB.table[c][2] != 0]) for _ in range(N * K)]
        for j in range(N):
            for p in range(j * K, (j + 1) * K, 2):
                va = FA.table[ca[p]]
                ca[p + 1] = FA.signed_code(1 - va[1], va[2])
                cb[p + 1] = cb[p]
        cases.append(('exact zero sum of nonzero products', sc_near(N), ca, sc_near(N), cb))
    return cases


PLAN = [('e4m3', 'e4m3', 'rne'), ('e4m3', 'e4m3', 'rtz'), ('e4m3', 'e4m3', 'rup'), ('e4m3', 'e4m3', 'rdn'),
        ('e5m2', 'e5m2', 'rne'), ('e2m1', 'e2m1', 'rne'), ('e3m2', 'e2m3', 'rne'), ('int8', 'int8', 'rne'),
        ('e4m3', 'e2m1', 'rne')]


def gen_file(fname, FA, FB, S, K, Ns, R, out):
    body = ['@op dot', '@elem-a %s' % FA.name, '@elem-b %s' % FB.name, '@scale %s' % S.name,
            '@block %d' % K, '@rounding %s' % R]
    n = nchk = nskip = nchk2 = 0
    for N in Ns:
        body.append('@blocks %d' % N)
        rng = rng_for('%s-%s-%s-%d' % (FA.name, FB.name, S.name, N))   # same cases for every R
        for label, sa, ca, sb, cb in make_cases(FA, FB, S, K, N, rng):
            assert len(sa) == len(sb) == N and len(ca) == len(cb) == N * K
            res = dot(FA, FB, S, K, N, sa, ca, sb, cb, R)
            d = ref_float64(FA, FB, S, K, N, sa, ca, sb, cb)
            if math.isnan(d):
                check(f32_decode(res)[0] == 'nan', "dot NaN mismatch " + label)
                nchk += 1
            elif math.isinf(d):
                check(res == (0xff800000 if d < 0 else 0x7f800000), "dot Inf mismatch " + label)
                nchk += 1
            elif d == 0 and f32_decode(res)[0] == 'num' and f32_decode(res)[2] == 0 and \
                    dot_exact_zero(FA, FB, S, K, N, sa, ca, sb, cb):
                check(res == (0x80000000 if math.copysign(1, d) < 0 else 0), "dot zero sign " + label)
                nchk += 1
            else:
                exact = exact_sum(FA, FB, S, K, N, sa, ca, sb, cb)
                if Fraction(d) == exact:
                    r = directed_from_double(d, R)
                    rb = int(np.array([r], dtype=np.float32).view(np.uint32)[0])
                    check(rb == res, "dot %s: ours %08x float64-ref %08x (%s)" % (fname, res, rb, label))
                    nchk += 1
                else:
                    # exact lies strictly between the float64 neighbours of fsum: if all three
                    # round to the same float32, that is the correctly rounded result
                    outs = set()
                    for dd in (np.nextafter(d, -np.inf), d, np.nextafter(d, np.inf)):
                        outs.add(int(np.array([directed_from_double(float(dd), R)], dtype=np.float32).view(np.uint32)[0]))
                    if len(outs) == 1:
                        check(outs.pop() == res, "dot bracket %s (%s)" % (fname, label))
                        nchk2 += 1
                    else:
                        nskip += 1
            body.append('# ' + label)
            body.append('%s %s %s %s %s' % (','.join(S.hex(c) for c in sa), ','.join(FA.hex(c) for c in ca),
                                            ','.join(S.hex(c) for c in sb), ','.join(FB.hex(c) for c in cb),
                                            f32hex(res)))
            n += 1
    log_check('dot', fname, '%d/%d records == float64 reference (ml_dtypes-decoded terms, exact in float64, '
              'math.fsum, then float32 rounding by numpy (rne) or nextafter bracketing (directed)); '
              '%d records whose exact sum is not a float64 value: float32 rounding of fsum and of its two float64 '
              'neighbours all equal ours; %d checked only by the Fraction oracle'
              % (nchk, n, nchk2, nskip))
    hdr = ['%s: MX dot product, %s x %s, scale %s, block %d, blocks %s, result rounding %s.'
           % (fname, FA.name, FB.name, S.name, K, '/'.join(map(str, Ns)), R),
           'Cases: random, heavy cancellation, scales across the range (float32 overflow/underflow),',
           'subnormal results, NaN scales/elements, Inf, Inf*0, Inf-Inf, zero sums and signed zeros.']
    write_file(fname, hdr, body)
    out.append((fname, n))


def exact_sum(FA, FB, S, K, N, sa, ca, sb, cb):
    t = Fraction(0)
    for j in range(N):
        x = S.table[sa[j]][2] * S.table[sb[j]][2]
        for i in range(j * K, (j + 1) * K):
            a, b = FA.table[ca[i]], FB.table[cb[i]]
            t += (-1 if a[1] ^ b[1] else 1) * x * a[2] * b[2]
    return t


def dot_exact_zero(FA, FB, S, K, N, sa, ca, sb, cb):
    return exact_sum(FA, FB, S, K, N, sa, ca, sb, cb) == 0


def gen_dot():
    out = []
    S = FORMATS['e8m0']
    for a, b, R in PLAN:
        fname = 'dot/%s-%s-e8m0-%s.mxv' % (a, b, R)
        gen_file(fname, FORMATS[a], FORMATS[b], S, 32, (1, 4, 16), R, out)
    gen_file('dot/e2m1-e2m1-ue4m3-rne.mxv', FORMATS['e2m1'], FORMATS['e2m1'], FORMATS['ue4m3'], 16, (1, 4), 'rne', out)
    return out
