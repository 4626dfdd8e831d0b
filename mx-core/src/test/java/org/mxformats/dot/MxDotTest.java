package org.mxformats.dot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxQuantizer;
import org.mxformats.block.Packing;
import org.mxformats.block.ScaleRule;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

class MxDotTest {
    static final Rounding[] MODES = {Rounding.RNE, Rounding.RNA, Rounding.RTZ, Rounding.RUP, Rounding.RDN, Rounding.ODD};
    static final ElementFormat[] ELEMENTS = {ElementFormat.E4M3, ElementFormat.E5M2, ElementFormat.E3M2,
            ElementFormat.E2M3, ElementFormat.E2M1, ElementFormat.INT8, ElementFormat.E3M4};

    /** The MX operand as the oracle sees it: decoded values, never the library's dot code. */
    record Operand(MxArray array, byte[] codes, byte[] scales) {
    }

    /** Random codes of a format, one per byte: NaN and infinity codes kept with the given probability. */
    static byte[] randomCodes(SplittableRandom r, ElementFormat e, int length, double specialRate) {
        byte[] codes = new byte[length];
        for (int i = 0; i < length; i++) {
            int c;
            do {
                c = r.nextInt(e.codeCount());
            } while (!Double.isFinite(e.decode(c)) && r.nextDouble() >= specialRate);
            codes[i] = (byte) c;
        }
        return codes;
    }

    /** Random codes (specials included with the given probability) packed into an MxArray. */
    static Operand randomOperand(SplittableRandom r, MxFormat f, int length, double specialRate, float tensorScale) {
        ElementFormat e = f.element();
        byte[] codes = randomCodes(r, e, length, specialRate);
        ElementFormat s = f.scale();
        byte[] scales = new byte[f.blockCount(length)];
        for (int j = 0; j < scales.length; j++) {
            int c;
            do {
                c = r.nextInt(s.codeCount());
                if (s == ElementFormat.E8M0 && r.nextInt(3) > 0) {
                    c = 127 + r.nextInt(21) - 10;   // mostly moderate scales, sometimes the whole range
                }
            } while ((Double.isNaN(s.decode(c)) || s.decode(c) == 0) && r.nextDouble() >= specialRate);
            scales[j] = (byte) c;
        }
        byte[] packed = new byte[f.packedBytes(length)];
        Packing.pack(e.bits(), codes, 0, packed, 0, length);
        return new Operand(MxArray.of(f, length, packed, scales, tensorScale), codes, scales);
    }

    /** The oracle's result as a double holding either a rounded result or a special value. */
    static double oracle(Operand a, Operand b, Rounding mode, boolean toFloat) {
        MxFormat fa = a.array().format();
        MxFormat fb = b.array().format();
        int k = fa.blockSize();
        BigDecimal total = BigDecimal.ZERO;
        boolean posInf = false;
        boolean negInf = false;
        boolean allNegZero = true;
        for (int j = 0; j < a.scales().length; j++) {
            double xa = fa.scale().decode(a.scales()[j] & 0xFF);
            double xb = fb.scale().decode(b.scales()[j] & 0xFF);
            if (Double.isNaN(xa) || Double.isNaN(xb)) {
                return Double.NaN;
            }
            BigDecimal scale = new BigDecimal(xa).multiply(new BigDecimal(xb));
            for (int i = j * k; i < Math.min(a.codes().length, (j + 1) * k); i++) {
                double p = fa.element().decode(a.codes()[i] & 0xFF);
                double q = fb.element().decode(b.codes()[i] & 0xFF);
                if (Double.isNaN(p) || Double.isNaN(q)) {
                    return Double.NaN;
                }
                boolean neg = (Math.copySign(1, p) < 0) != (Math.copySign(1, q) < 0);
                if (Double.isInfinite(p) || Double.isInfinite(q)) {
                    if (p == 0 || q == 0 || xa == 0 || xb == 0) {
                        return Double.NaN;
                    }
                    posInf |= !neg;
                    negInf |= neg;
                    allNegZero = false;
                    continue;
                }
                if (!((p == 0 || q == 0) && neg)) {
                    allNegZero = false;
                }
                total = total.add(scale.multiply(new BigDecimal(p)).multiply(new BigDecimal(q)));
            }
        }
        if (posInf && negInf) {
            return Double.NaN;
        }
        if (posInf || negInf) {
            return posInf ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        total = total.multiply(new BigDecimal(a.array().tensorScale())).multiply(new BigDecimal(b.array().tensorScale()));
        if (total.signum() == 0) {
            return allNegZero ? -0.0 : 0.0;
        }
        return toFloat ? BinaryRoundingOracle.toFloat(total, mode) : BinaryRoundingOracle.toDouble(total, mode);
    }

    static void assertSame(double want, double got, String what) {
        if (Double.isNaN(want)) {
            assertThat(got).as(what).isNaN();
        } else {
            assertThat(Double.doubleToRawLongBits(got)).as("%s: want %s got %s", what, want, got)
                    .isEqualTo(Double.doubleToRawLongBits(want));
        }
    }

    @Test
    void everyElementPairingAndScaleFormatMatchesTheOracle() {
        SplittableRandom r = new SplittableRandom(11);
        ElementFormat[] scales = {ElementFormat.E8M0, ElementFormat.UE4M3, ElementFormat.UE5M3};
        for (ElementFormat ea : ELEMENTS) {
            for (ElementFormat eb : ELEMENTS) {
                for (int t = 0; t < 6; t++) {
                    ElementFormat sa = scales[r.nextInt(3)];
                    ElementFormat sb = scales[r.nextInt(3)];
                    int k = t % 2 == 0 ? 32 : 16;
                    int length = 1 + r.nextInt(5 * k);
                    MxFormat fa = MxFormat.of(ea, sa, k, sa == ElementFormat.E8M0 ? ScaleRule.FLOOR : ScaleRule.RNE, Rounding.RNE);
                    MxFormat fb = MxFormat.of(eb, sb, k, sb == ElementFormat.E8M0 ? ScaleRule.FLOOR : ScaleRule.RNE, Rounding.RNE);
                    double special = t == 5 ? 0.05 : 0.0;
                    Operand a = randomOperand(r, fa, length, special, 1f);
                    Operand b = randomOperand(r, fb, length, special, 1f);
                    for (Rounding m : MODES) {
                        String what = ea + "x" + eb + " " + sa + "/" + sb + " k" + k + " n" + length + " " + m;
                        assertSame(oracle(a, b, m, true), MxDot.dot(a.array(), b.array(), m), what);
                        assertSame(oracle(a, b, m, false), MxDot.dotDouble(a.array(), b.array(), m), what + " double");
                    }
                }
            }
        }
    }

    @Test
    void nvfp4WithTensorScales() {
        SplittableRandom r = new SplittableRandom(12);
        for (int t = 0; t < 200; t++) {
            float ta = Math.scalb(1 + r.nextFloat(), r.nextInt(60) - 30);
            float tb = t % 3 == 0 ? Float.MIN_VALUE * (1 + r.nextInt(1000)) : Math.scalb(1 + r.nextFloat(), r.nextInt(60) - 30);
            int length = 1 + r.nextInt(100);
            Operand a = randomOperand(r, MxFormat.NVFP4, length, 0.01, ta);
            Operand b = randomOperand(r, MxFormat.NVFP4, length, 0.01, tb);
            for (Rounding m : MODES) {
                assertSame(oracle(a, b, m, true), MxDot.dot(a.array(), b.array(), m), "nvfp4 " + t + " " + m);
                assertSame(oracle(a, b, m, false), MxDot.dotDouble(a.array(), b.array(), m), "nvfp4 double " + t + " " + m);
            }
        }
    }

    @Test
    void wideRangeUserFormatUsesThePerElementPathExactly() {
        // 8-bit E7M0, bias 63: values 2^-63 .. 2^63, too wide for a fixed-point long.
        ElementFormat wide = ElementFormat.builder("e7m0").exponentBits(7).mantissaBits(0).bias(63).build();
        MxFormat f = MxFormat.of(wide, ElementFormat.E8M0, 32, ScaleRule.FLOOR, Rounding.RNE);
        SplittableRandom r = new SplittableRandom(13);
        for (int t = 0; t < 50; t++) {
            Operand a = randomOperand(r, f, 64, 0, 1f);
            Operand b = randomOperand(r, MxFormat.MXFP8_E5M2, 64, 0, 1f);
            for (Rounding m : MODES) {
                assertSame(oracle(a, b, m, false), MxDot.dotDouble(a.array(), b.array(), m), "wide " + m);
            }
        }
        assertThat(new BlockDotKernel(wide, ElementFormat.E8M0, ElementFormat.E5M2, ElementFormat.E8M0, 32, true).tier())
                .isEqualTo(BlockDotKernel.Tier.PER_ELEMENT);
        assertThat(new BlockDotKernel(ElementFormat.E5M2, ElementFormat.E8M0, ElementFormat.E5M2, ElementFormat.E8M0, 32, true).tier())
                .isEqualTo(BlockDotKernel.Tier.INT128);
        assertThat(new BlockDotKernel(ElementFormat.E4M3, ElementFormat.E8M0, ElementFormat.E4M3, ElementFormat.E8M0, 32, true).tier())
                .isEqualTo(BlockDotKernel.Tier.LONG);
    }

    @Test
    void permutingTermsNeverChangesABit() {
        SplittableRandom r = new SplittableRandom(14);
        for (int t = 0; t < 50; t++) {
            MxFormat f = t % 2 == 0 ? MxFormat.MXFP8_E4M3 : MxFormat.MXFP4;
            int blocks = 1 + r.nextInt(8);
            int n = blocks * 32;
            Operand a = randomOperand(r, f, n, 0, 1f);
            Operand b = randomOperand(r, MxFormat.MXFP8_E4M3, n, 0, 1f);
            // Permute blocks (with their scales) and elements within each block, the same way for both.
            int[] blockOrder = permutation(r, blocks);
            int[][] within = new int[blocks][];
            for (int j = 0; j < blocks; j++) {
                within[j] = permutation(r, 32);
            }
            Operand pa = permuted(a, blockOrder, within);
            Operand pb = permuted(b, blockOrder, within);
            for (Rounding m : MODES) {
                assertThat(Double.doubleToRawLongBits(MxDot.dotDouble(pa.array(), pb.array(), m)))
                        .isEqualTo(Double.doubleToRawLongBits(MxDot.dotDouble(a.array(), b.array(), m)));
                assertThat(Float.floatToRawIntBits(MxDot.dot(pa.array(), pb.array(), m)))
                        .isEqualTo(Float.floatToRawIntBits(MxDot.dot(a.array(), b.array(), m)));
            }
        }
    }

    static int[] permutation(SplittableRandom r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int s = p[i];
            p[i] = p[j];
            p[j] = s;
        }
        return p;
    }

    static Operand permuted(Operand o, int[] blockOrder, int[][] within) {
        MxFormat f = o.array().format();
        int k = f.blockSize();
        byte[] codes = new byte[o.codes().length];
        byte[] scales = new byte[o.scales().length];
        for (int j = 0; j < blockOrder.length; j++) {
            scales[j] = o.scales()[blockOrder[j]];
            for (int i = 0; i < k; i++) {
                codes[j * k + i] = o.codes()[blockOrder[j] * k + within[j][i]];
            }
        }
        byte[] packed = new byte[f.packedBytes(codes.length)];
        Packing.pack(f.element().bits(), codes, 0, packed, 0, codes.length);
        return new Operand(MxArray.of(f, codes.length, packed, scales, o.array().tensorScale()), codes, scales);
    }

    @Test
    void float32AccumulationIsWrongWhereTheExactResultIsRight() {
        // The worked example of docs/dot.md: one e4m3 block, both scales 2^4 (code 83),
        // A = (256, 1/16, 1/16, -256, 0...), B = (256, 1/16, 1/16, 256, 0...). The terms are 2^24, 1,
        // 1, -2^24: exactly 2. A float32 accumulator in index order loses each 1 next to 2^24 (a tie
        // that rounds to even) and returns 0; in reverse order it happens to return 2.
        MxFormat f = MxFormat.MXFP8_E4M3;
        byte[] ca = new byte[32];
        byte[] cb = new byte[32];
        ca[0] = 0x78;            // 256
        ca[1] = 0x18;            // 1/16
        ca[2] = 0x18;
        ca[3] = (byte) 0xf8;     // -256
        cb[0] = 0x78;
        cb[1] = 0x18;
        cb[2] = 0x18;
        cb[3] = 0x78;
        byte[] scale = {(byte) (127 + 4)};
        MxArray a = MxArray.of(f, 32, ca, scale, 1f);
        MxArray b = MxArray.of(f, 32, cb, scale, 1f);
        float[] va = new float[32];
        float[] vb = new float[32];
        MxQuantizer.dequantize(a, va, 0);
        MxQuantizer.dequantize(b, vb, 0);
        float forward = 0f;
        float backward = 0f;
        for (int i = 0; i < 32; i++) {
            forward += va[i] * vb[i];
            backward += va[31 - i] * vb[31 - i];
        }
        assertThat(forward).isEqualTo(0f);
        assertThat(backward).isEqualTo(2f);
        Operand oa = new Operand(a, ca, scale);
        Operand ob = new Operand(b, cb, scale);
        assertThat(oracle(oa, ob, Rounding.RNE, true)).isEqualTo(2.0);
        assertThat(MxDot.dot(a, b, Rounding.RNE)).isEqualTo(2f);
    }

    @Test
    void mxTimesFloatExactMatchesTheOracleAndFastStaysWithinItsBound() {
        SplittableRandom r = new SplittableRandom(15);
        MxFormat[] formats = {MxFormat.MXFP8_E4M3, MxFormat.MXFP4, MxFormat.NVFP4, MxFormat.MXINT8, MxFormat.MXFP6_E3M2,
                MxFormat.MXFP8_E5M2};
        for (int t = 0; t < 240; t++) {
            MxFormat f = formats[t % formats.length];
            // A third of the cases whole blocks: the lane order of the kernels (docs/dot.md).
            int n = t % 3 == 0 ? f.blockSize() * (1 + r.nextInt(6)) : 1 + r.nextInt(200);
            float tensor = f.tensorScale() ? Math.scalb(1 + r.nextFloat(), r.nextInt(20) - 10) : 1f;
            Operand a = randomOperand(r, f, n, t % 10 == 0 ? 0.02 : 0, tensor);
            float[] x = new float[n + 3];
            for (int i = 0; i < x.length; i++) {
                // Wide exponent spreads take the term-by-term path, narrow ones the one-long block sum.
                int spread = t % 4 == 0 ? 138 : t % 4 == 1 ? 3 : 20;
                x[i] = (float) ExactAccumulatorTest.randomDouble(r, Math.max(-149, -spread), Math.min(127, spread));
            }
            if (t % 10 == 0) {
                x[3 + r.nextInt(n)] = r.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
            }
            BigDecimal exact = BigDecimal.ZERO;
            BigDecimal absSum = BigDecimal.ZERO;
            BigDecimal scaleSum = BigDecimal.ZERO;   // sum over blocks of |X_j t|
            boolean special = false;
            for (int i = 0; i < n; i++) {
                double p = f.element().decode(a.codes()[i] & 0xFF);
                double xs = f.scale().decode(a.scales()[i / f.blockSize()] & 0xFF);
                double v = x[3 + i];
                if (!Double.isFinite(p) || !Double.isFinite(v) || Double.isNaN(xs)) {
                    special = true;
                    break;
                }
                if (i % f.blockSize() == 0) {
                    scaleSum = scaleSum.add(new BigDecimal(xs).multiply(new BigDecimal(tensor)).abs());
                }
                BigDecimal term = new BigDecimal(p).multiply(new BigDecimal(v)).multiply(new BigDecimal(xs))
                        .multiply(new BigDecimal(tensor));
                exact = exact.add(term);
                absSum = absSum.add(term.abs());
            }
            boolean laneOrder = n % f.blockSize() == 0 && f.blockSize() % 16 == 0;
            boolean floatMayOverflow = false;   // in the lane order's float block sums
            for (int i = 0; i < n; i++) {
                double product = Math.abs(f.element().decode(a.codes()[i] & 0xFF) * x[3 + i]);
                double scaled = product * Math.abs(f.scale().decode(a.scales()[i / f.blockSize()] & 0xFF));
                floatMayOverflow |= product >= 0x1p90 || scaled >= 0x1p90;
            }
            if (special) {
                // Specials: exact and fast agree with IEEE double arithmetic on NaN/Inf (a float
                // block sum that overflows may turn an infinite result into NaN in FAST mode).
                float e = MxDot.dot(a.array(), x, 3, Accumulation.EXACT, Rounding.RNE);
                float fast = MxDot.dot(a.array(), x, 3, Accumulation.FAST, Rounding.RNE);
                assertThat(Float.isNaN(e) || Float.isInfinite(e)).isTrue();
                if (laneOrder && floatMayOverflow) {
                    assertThat(Float.isNaN(fast) || fast == e).isTrue();
                } else if (Float.isNaN(e)) {
                    assertThat(fast).isNaN();
                } else {
                    assertThat(fast).isEqualTo(e);
                }
                continue;
            }
            for (Rounding m : MODES) {
                if (exact.signum() != 0) {
                    assertSame(BinaryRoundingOracle.toFloat(exact, m), MxDot.dot(a.array(), x, 3, Accumulation.EXACT, m),
                            f + " exact " + m);
                    assertSame(BinaryRoundingOracle.toDouble(exact, m),
                            MxDot.dotDouble(a.array(), x, 3, Accumulation.EXACT, m), f + " exact double " + m);
                }
            }
            double fast = MxDot.dotDouble(a.array(), x, 3, Accumulation.FAST, Rounding.RNE);
            int blocks = f.blockCount(n);
            double u = 0x1p-53;
            BigDecimal bound;
            int k = f.blockSize();
            if (laneOrder) {
                // The kernels' lane order: float lane sums of k/16 terms per block and one rounding
                // per block across blocks (u = 2^-24, plus at most 2^-150 absolute per rounding in
                // float's subnormal range, in-block ones times X_j t and the lane unit <= 1), then 5
                // double roundings (fold and tensor scale). No float overflow is assumed.
                if (floatMayOverflow) {
                    continue;
                }
                double gf = (k / 16 + blocks) * 0x1p-24 / (1 - (k / 16 + blocks) * 0x1p-24);
                double gd = 5 * u / (1 - 5 * u);
                BigDecimal underflow = scaleSum.multiply(new BigDecimal(k * 0x1p-150))
                        .add(new BigDecimal(16 * blocks * 0x1p-150 * Math.abs(tensor)));
                bound = absSum.multiply(new BigDecimal((gf + gd + gf * gd) * (1 + 0x1p-40)))
                        .add(underflow.multiply(BigDecimal.valueOf(2)));
            } else {
                int steps = k + blocks;
                bound = absSum.multiply(new BigDecimal(steps * u / (1 - steps * u)));
            }
            assertThat(new BigDecimal(fast).subtract(exact).abs()).as("fast error, %s n=%d", f, n).isLessThanOrEqualTo(bound);
            assertThat(MxDot.dot(a.array(), x, 3, Accumulation.FAST, Rounding.RNE)).isEqualTo((float) fast);
        }
    }

    @Test
    void signedZeroResults() {
        MxFormat f = MxFormat.MXFP8_E4M3;
        MxArray empty = MxArray.of(f, 0, new byte[0], new byte[0], 1f);
        float[] none = new float[0];
        for (Accumulation acc : Accumulation.values()) {
            assertThat(Float.floatToRawIntBits(MxDot.dot(empty, none, 0, acc, Rounding.RDN))).isZero();
        }
        assertThat(Float.floatToRawIntBits(MxDot.dot(empty, empty, Rounding.RDN))).isZero();
        byte[] one = {(byte) 127};
        // (-0)(+0) + (+0)(-0): every product -0, so -0; any +0 product or x - x gives +0 even in RDN.
        MxArray negZeros = MxArray.of(f, 2, new byte[] {(byte) 0x80, 0x00}, one, 1f);
        MxArray posZeros = MxArray.of(f, 2, new byte[] {0x00, (byte) 0x80}, one, 1f);
        MxArray cancel = MxArray.of(f, 2, new byte[] {0x38, (byte) 0xb8}, one, 1f);   // 1, -1
        MxArray ones = MxArray.of(f, 2, new byte[] {0x38, 0x38}, one, 1f);
        assertThat(Float.floatToRawIntBits(MxDot.dot(negZeros, posZeros, Rounding.RNE))).isEqualTo(0x80000000);
        assertThat(Float.floatToRawIntBits(MxDot.dot(negZeros, negZeros, Rounding.RNE))).isZero();
        assertThat(Float.floatToRawIntBits(MxDot.dot(cancel, ones, Rounding.RDN))).isZero();
        float[] x = {-0f, 0f};
        for (Accumulation acc : Accumulation.values()) {
            assertThat(Float.floatToRawIntBits(MxDot.dot(posZeros, x, 0, acc, Rounding.RNE))).as("%s", acc).isEqualTo(0x80000000);
            assertThat(Float.floatToRawIntBits(MxDot.dot(cancel, new float[] {2f, 2f}, 0, acc, Rounding.RDN))).isZero();
        }
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        SplittableRandom r = new SplittableRandom(16);
        MxArray a = randomOperand(r, MxFormat.MXFP8_E4M3, 64, 0, 1f).array();
        MxArray shorter = randomOperand(r, MxFormat.MXFP8_E4M3, 63, 0, 1f).array();
        MxArray k16 = randomOperand(r, MxFormat.MXFP8_E4M3.withBlockSize(16), 64, 0, 1f).array();
        assertThatThrownBy(() -> MxDot.dot(a, shorter, Rounding.RNE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64").hasMessageContaining("63");
        assertThatThrownBy(() -> MxDot.dot(a, k16, Rounding.RNE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("block sizes 32").hasMessageContaining("16");
        assertThatThrownBy(() -> MxDot.dot(a, a, Rounding.STOCHASTIC)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stochastic");
        assertThatThrownBy(() -> MxDot.dot(a, new float[70], 7, Accumulation.EXACT, Rounding.RNE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70");
        assertThatThrownBy(() -> MxDot.dotCodes(ElementFormat.E2M1, ElementFormat.E2M1, ElementFormat.E8M0, 2,
                new byte[1], new byte[] {0x10, 0}, new byte[1], new byte[2], Rounding.RNE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e2m1");
    }
}
