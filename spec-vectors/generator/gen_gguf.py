"""gguf/ family: vectors from the gguf package's own MXFP4 quantizer/dequantizer."""
from fractions import Fraction
import numpy as np
import gguf
from gguf.quants import quantize, dequantize
from gguf import GGMLQuantizationType as T

from mxcore import FORMATS, f32_decode, f32_encode, f32_exact_bits, ilog2_floor, f32hex
from common import rng_for, write_file, log_check, check, ROOT

E2M1 = FORMATS['e2m1']
TWO = Fraction(2)


def model_block(bits):
    """Our exact model of gguf's MXFP4 quantize_blocks (documented in README):
    e = floor(log2 amax) - 2 + 127 (0 for amax = 0); element = nearest of X*{e2m1 values},
    ties to the smaller magnitude (argmin picks the first index of the kvalues table),
    saturating at +-6X; zero results (incl. -0 and small negatives) give code 0 (+0)."""
    vals = [f32_decode(b) for b in bits]
    amax = max(v[2] for v in vals)
    e = 0 if amax == 0 else ilog2_floor(amax) - 2 + 127
    X = TWO ** (e - 127)
    codes = []
    for s, _, m in [(v[1], v[0], v[2]) for v in vals]:
        y = m / X
        best = None
        for mag in E2M1.mags:           # ascending: the first minimum = the smaller magnitude
            d = abs(mag - y)
            if best is None or d < best[0]:
                best = (d, mag)
        mag = best[1]
        codes.append(0 if mag == 0 else E2M1.signed_code(s, mag))
    packed = bytes([e] + [codes[i] | (codes[i + 16] << 4) for i in range(16)])
    return packed


def cases(rng):
    out = []
    def f32(x):
        return f32_encode(1 if x < 0 else 0, Fraction(abs(x)), 'rne')
    for sg in (1e-30, 1e-6, 1e-2, 1.0, 7.0, 1e3, 1e9, 1e30):
        for _ in range(25):
            out.append(('normal %g' % sg, [f32(rng.gauss(0, sg)) for _ in range(32)]))
    out.append(('zeros', [0] * 32))
    out.append(('negative zeros', [0x80000000] * 32))
    mids = [(E2M1.mags[i] + E2M1.mags[i + 1]) / 2 for i in range(len(E2M1.mags) - 1)]
    for k in (-20, -3, 0, 1, 10, 40):
        for _ in range(8):
            X = TWO ** k
            vals = [E2M1.max] + [rng.choice(mids + E2M1.mags) for _ in range(31)]
            blk = [f32_exact_bits(rng.getrandbits(1), X * m) for m in vals]
            rng.shuffle(blk)
            out.append(('ties 2^%d' % k, blk))
    for k in (-10, 0, 12):
        for _ in range(6):   # amax/X in (6, 8): saturation
            a = 6 + 2 * rng.random()
            blk = [f32(rng.uniform(-a, a) * 2.0 ** k) for _ in range(31)] + [f32(-a * 2.0 ** k)]
            rng.shuffle(blk)
            out.append(('saturating', blk))
    for k in (-100, -20, -1, 0, 1, 2, 5, 20, 100):
        for _ in range(2):   # amax = largest float32 below 2^k: gguf's float32 log2 rounds up to k
            top = f32_exact_bits(0, TWO ** k) - 1
            blk = [f32(rng.uniform(-1, 1) * 2.0 ** k) for _ in range(31)] + [top]
            rng.shuffle(blk)
            out.append(('amax just below 2^k (float32 log2)', blk))
    for b in (0x7f7fffff, 0x7f000000):
        out.append(('near float32 max', [b] + [rng.getrandbits(31) & 0x7f7fffff for _ in range(31)]))
    return out


def gen_gguf():
    rng = rng_for('gguf-mxfp4')
    cs = cases(rng)
    arr = np.array([b for _, blk in cs for b in blk], dtype=np.uint32).view(np.float32).reshape(len(cs), 32)
    q = quantize(arr, T.MXFP4)
    check(q.shape == (len(cs), 17), "gguf block size")
    deq = dequantize(q, T.MXFP4).reshape(len(cs), 32)
    qlines, dlines = [], []
    nmatch = ndiff = 0
    nknown = {}
    diffs = []
    for (label, blk), qb, dq in zip(cs, q, deq):
        qb = bytes(qb.tolist())
        mb = model_block(blk)
        if mb == qb:
            nmatch += 1
        elif label in ('near float32 max', 'amax just below 2^k (float32 log2)'):
            nknown.setdefault(label, 0)
            nknown[label] += 1
        else:
            ndiff += 1
            diffs.append('%s: gguf %s model %s' % (label, qb.hex(), mb.hex()))
        # dequantize cross-check: X/2 * doubled e2m1 == decoded e2m1 * 2^(e-127)
        e = qb[0]
        for i in range(32):
            c = (qb[1 + i % 16] >> (4 * (i // 16))) & 0xf
            v = E2M1.table[c]
            exp = f32_encode(v[1], v[2] * TWO ** (e - 127), 'rne')
            got = int(dq[i:i + 1].view(np.uint32)[0])
            # gguf multiplies by +0.0 from kvalues for code 8 too (kvalues[8] = 0, not -0)
            if v[2] == 0:
                exp = 0
            check(got == exp, "gguf dequant %s elem %d: %08x vs %08x" % (label, i, got, exp))
        qlines.append('%s %s' % (','.join(f32hex(b) for b in blk), qb.hex()))
        dlines.append('%s %s' % (qb.hex(), ','.join(f32hex(int(x)) for x in dq.view(np.uint32))))
    check(ndiff == 0, "gguf quantize vs exact model:\n" + '\n'.join(diffs[:10]))
    log_check('gguf', 'gguf/mxfp4-quantize.txt', '%d/%d blocks byte-identical to the exact Fraction model of '
              'gguf MXFP4 (floor scale, nearest with ties to smaller magnitude, zero -> code 0); known, explained '
              'differences (float32 log2 rounding up / float32 overflow of d*k, see README): %s' % (nmatch, len(cs), nknown))
    log_check('gguf', 'gguf/mxfp4-dequantize.txt', 'every output == exact e2m1 value x 2^(e-127) (zero as +0)')
    hq = ['gguf/mxfp4-quantize.txt: output of gguf %s gguf.quants.quantize(x, GGMLQuantizationType.MXFP4).'
          % getattr(gguf, '__version__', '0.19.0'),
          'Line: 32 float32 inputs (hex bits, comma-separated), a space, the 17-byte block_mxfp4 as 34 hex digits:',
          'byte 0 = e8m0 scale e, bytes 1..16: byte j holds element j (low nibble) and element j+16 (high nibble).',
          'NOT .mxv: gguf rounding differs from the contract (see README).']
    hd = ['gguf/mxfp4-dequantize.txt: output of gguf.quants.dequantize(block, GGMLQuantizationType.MXFP4).',
          'Line: 17-byte block as 34 hex digits, a space, 32 float32 outputs (hex bits, comma-separated).']
    write_file('gguf/mxfp4-quantize.txt', hq, qlines)
    write_file('gguf/mxfp4-dequantize.txt', hd, dlines)
    return [('gguf/mxfp4-quantize.txt', len(qlines)), ('gguf/mxfp4-dequantize.txt', len(dlines))]
