package org.mxformats.dot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mxformats.dot.MxDotTest.MODES;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.Packing;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

/**
 * The certified fast path of the exact MX x float32 dot product: whenever it decides, its result
 * is the BigDecimal oracle's rounding of the exact sum, in every mode, on cases built to sit on,
 * near and across rounding boundaries and to make the double lanes round; and it declines the cases
 * it cannot decide (sums on a boundary of the mode: a float for the directed modes, a midpoint
 * for the nearest ones), so the exact path answers those. Operands read
 * from an MxArray in any storage and already unpacked (matrix rows) give the same answers.
 */
class CertifiedFloatDotTest {
    private static final MxFormat[] FORMATS = {MxFormat.MXFP8_E4M3, MxFormat.MXFP4, MxFormat.MXINT8,
            MxFormat.MXFP8_E5M2};

    /** An MX vector from codes (one per byte) and E8M0 scale codes. */
    private static MxArray array(MxFormat f, byte[] codes, byte[] scales) {
        byte[] packed = new byte[f.packedBytes(codes.length)];
        Packing.pack(f.element().bits(), codes, 0, packed, 0, codes.length);
        return MxArray.of(f, codes.length, packed, scales, 1f);
    }

    /** The exact sum, computed from the decoded values alone (null if a value is not finite). */
    private static BigDecimal exact(MxFormat f, byte[] codes, byte[] scales, float[] x, int offset) {
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < codes.length; i++) {
            double p = f.element().decode(codes[i] & 0xFF);
            double s = f.scale().decode(scales[i / f.blockSize()] & 0xFF);
            double v = x[offset + i];
            if (!Double.isFinite(p) || !Double.isFinite(s) || !Double.isFinite(v)) {
                return null;
            }
            sum = sum.add(new BigDecimal(p).multiply(new BigDecimal(s)).multiply(new BigDecimal(v)));
        }
        return sum;
    }

    /** A code of the format with exactly this value. */
    private static byte code(ElementFormat e, double value) {
        for (int c = 0; c < e.codeCount(); c++) {
            if (e.decode(c) == value && Double.doubleToRawLongBits(e.decode(c)) == Double.doubleToRawLongBits(value)) {
                return (byte) c;
            }
        }
        throw new AssertionError(e + " has no code for " + value);
    }

    private static byte finiteCode(SplittableRandom r, ElementFormat e) {
        int c;
        do {
            c = r.nextInt(e.codeCount());
        } while (!Double.isFinite(e.decode(c)));
        return (byte) c;
    }

    /** Counts of decided and declined calls, to show that the test exercises both. */
    private int decided;
    private int declined;
    /** Calls the second certificate decided, and those both certificates declined. */
    private int secondDecided;
    private int bothDeclined;

    /**
     * Checks every mode: a decided result must be the oracle's; the full MxDot call must always be.
     * Returns whether the certified path decided RNE.
     */
    private boolean check(MxFormat f, byte[] codes, byte[] scales, float[] x, int offset, String what) {
        MxArray a = array(f, codes, scales);
        BigDecimal sum = exact(f, codes, scales, x, offset);
        boolean decidedRne = false;
        for (Rounding m : MODES) {
            float got = CertifiedFloatDot.dot(a, x, offset, m);
            // A matrix row (codes already unpacked) takes the same computation: the same answer;
            // except that packed e2m1 reads its codes as MXINT8 integers, whose two's complement
            // key bounds a group with largest magnitude 0.5, 1 or 1.5 looser (by the next negative
            // value): there either may decline alone, and both decided means the same float.
            float row = CertifiedFloatDot.dot(Unpacked.of(a), x, offset, m);
            if (!(CertifiedFloatDot.readsSmallIntegers(f) && (Float.isNaN(row) || Float.isNaN(got)))) {
                assertThat(Float.floatToRawIntBits(row)).as(what + " unpacked " + m)
                        .isEqualTo(Float.floatToRawIntBits(got));
            }
            // Heap storage of 8-bit codes is read in place by the one-group path (n <= 8192), other storage
            // through a copy by the group loop: the same answer, decided or not.
            for (MxArray stored : MxMatmulTest.storages(a)) {
                assertThat(Float.floatToRawIntBits(CertifiedFloatDot.dot(stored, x, offset, m)))
                        .as(what + " stored " + stored.packedElements() + " " + m).isEqualTo(Float.floatToRawIntBits(got));
            }
            if (sum == null || sum.signum() == 0) {
                assertThat(got).as(what + " special or zero " + m).isNaN();
                assertThat(CertifiedFloatDot.compensated(a, x, offset, m)).as(what + " second, special or zero " + m)
                        .isNaN();
                continue;
            }
            float want = BinaryRoundingOracle.toFloat(sum, m);
            if (!Float.isNaN(got)) {
                decided++;
                decidedRne |= m == Rounding.RNE;
                assertThat(Float.floatToRawIntBits(got)).as("%s %s: want %s got %s", what, m, want, got)
                        .isEqualTo(Float.floatToRawIntBits(want));
            } else {
                declined++;
            }
            // The second certificate: the oracle's float whenever it decides, declining what the
            // first declines for specials and zeros, the same from an unpacked row.
            float second = CertifiedFloatDot.compensated(a, x, offset, m);
            assertThat(Float.floatToRawIntBits(CertifiedFloatDot.compensated(Unpacked.of(a), x, offset, m)))
                    .as(what + " second, unpacked " + m).isEqualTo(Float.floatToRawIntBits(second));
            if (!Float.isNaN(second)) {
                secondDecided++;
                assertThat(Float.floatToRawIntBits(second)).as("%s %s second: want %s got %s", what, m, want, second)
                        .isEqualTo(Float.floatToRawIntBits(want));
            } else if (Float.isNaN(got)) {
                bothDeclined++;
            }
            float full = MxDot.dot(a, x, offset, Accumulation.EXACT, m);
            assertThat(Float.floatToRawIntBits(full)).as("%s %s full: want %s got %s", what, m, want, full)
                    .isEqualTo(Float.floatToRawIntBits(want));
        }
        return decidedRne;
    }

    /**
     * Rounding errors pushed against a float midpoint: in one lane a small term is lost when a large
     * pair that cancels is added to it (the double sum falls below the midpoint), while the exact
     * sum lies above it. The bound must cover the loss, so the path may decline but never decides
     * wrongly. (A bound 2^16 times too small decides some of them wrongly; the proof's slack, its
     * depth factor and the Cauchy-Schwarz step, hides smaller shortfalls from any such test.)
     */
    @Test
    void lostTermsAgainstAMidpointAreNeverDecidedWrongly() {
        SplittableRandom r = new SplittableRandom(53);
        for (int t = 0; t < 400; t++) {
            MxFormat f = FORMATS[t % FORMATS.length];
            ElementFormat e = f.element();
            int k = f.blockSize();
            int n = k;
            byte[] codes = new byte[n];
            java.util.Arrays.fill(codes, code(e, 1.0));
            byte[] scales = new byte[1];
            scales[0] = (byte) 127;
            float[] x = new float[n];
            int exponent = r.nextInt(61) - 30;
            float target = (float) Math.scalb(1 + r.nextInt(1 << 23) / (double) (1 << 23), exponent);
            float ulp = Math.ulp(target);
            int large = exponent + 12 + r.nextInt(8);          // L = 2^large: its double ulp is far below ulp
            float lost = (float) Math.scalb(1.5, large - 54);  // below half of L's double ulp: lost next to L
            x[0] = target;
            x[1] = ulp / 2;                                    // the exact sum so far: a midpoint
            x[2] = lost;                                       // lane 2: lost, then L - L
            x[2 + 8] = (float) Math.scalb(1.0, large);
            x[2 + 16] = -x[2 + 8];
            x[3] = -lost / 2;                                  // lane 3: kept
            boolean up = r.nextBoolean();
            if (!up) {   // the mirror image: the exact sum below the midpoint, the double sum above
                x[2] = -x[2];
                x[3] = -x[3];
            }
            String what = f + " target " + target + " L 2^" + large + (up ? " up" : " down");
            BigDecimal sum = exact(f, codes, scales, x, 0);
            BigDecimal midpoint = new BigDecimal(target).add(new BigDecimal(ulp / 2));
            assertThat(sum.compareTo(midpoint)).as(what).isEqualTo(up ? 1 : -1);
            check(f, codes, scales, x, 0, what);
        }
        // The first certificate's bound is too wide for many of these; the second's never is:
        // the exact sum is at least 2^-43 of its size from the midpoint, its bound about 2^-100.
        assertThat(declined).isGreaterThan(500);
        assertThat(bothDeclined).isZero();
    }

    @Test
    void gaussianDataIsDecidedAndCorrectInEveryMode() {
        SplittableRandom r = new SplittableRandom(51);
        for (int t = 0; t < 300; t++) {
            MxFormat f = FORMATS[t % FORMATS.length];
            int n = f.blockSize() * (1 + r.nextInt(t % 7 == 0 ? 300 : 12));
            byte[] codes = new byte[n];
            for (int i = 0; i < n; i++) {
                codes[i] = finiteCode(r, f.element());
            }
            byte[] scales = new byte[n / f.blockSize()];
            for (int j = 0; j < scales.length; j++) {
                scales[j] = (byte) (127 + r.nextInt(21) - 10);
            }
            int offset = r.nextInt(5);
            float[] x = new float[n + offset + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            assertThat(check(f, codes, scales, x, offset, f + " gaussian n=" + n)).as(f + " n=" + n).isTrue();
        }
        assertThat(declined).isLessThan(decided / 50);
    }

    /**
     * Element 0 is 1 times a float {@code target}; element 1 (in the same lane as 0 when the block
     * allows) adds half an ulp of it or nothing; the others add tiny terms {@code 2^-shift} ulps
     * in size, of either sign, or nothing. A sum on a float must be declined by the directed modes,
     * one on a midpoint by the nearest modes; near them the path must never give the wrong side, and
     * it does decide when the distance is large enough.
     */
    @Test
    void sumsOnAndNearFloatsAndMidpointsInEveryMode() {
        SplittableRandom r = new SplittableRandom(52);
        int decidedNear = 0;
        for (int t = 0; t < 1200; t++) {
            MxFormat f = FORMATS[t % FORMATS.length];
            ElementFormat e = f.element();
            int n = f.blockSize() * (1 + r.nextInt(4));
            byte[] codes = new byte[n];
            byte[] scales = new byte[n / f.blockSize()];
            java.util.Arrays.fill(scales, (byte) 127);   // scale 1
            float[] x = new float[n];
            float target = (float) Math.scalb(1 + r.nextInt(1 << 23) / (double) (1 << 23), r.nextInt(200) - 100);
            if (r.nextBoolean()) {
                target = -target;
            }
            float ulp = Math.ulp(target);
            codes[0] = code(e, 1.0);
            x[0] = target;
            boolean midpoint = r.nextBoolean();
            int second = 8 < n ? 8 : 1;   // lane 0 again
            codes[second] = code(e, 1.0);
            x[second] = midpoint ? ulp / 2 : 0f;
            int shift = t % 3 == 0 ? 0 : 4 + r.nextInt(60);   // 0: nothing else, on the boundary
            for (int i = 1; i < n; i++) {
                if (i == second) {
                    continue;
                }
                codes[i] = code(e, 1.0);
                x[i] = shift == 0 ? 0f : (float) (r.nextBoolean() ? 1 : -1) * Math.scalb(ulp, -shift - 6);
            }
            String what = f + " target " + target + (midpoint ? " midpoint" : " float") + " shift " + shift;
            BigDecimal sum = exact(f, codes, scales, x, 0);
            boolean onFloat = sum.compareTo(new BigDecimal(target)) == 0;
            boolean onMidpoint = sum.compareTo(new BigDecimal(target).add(new BigDecimal(ulp / 2))) == 0;
            boolean rne = check(f, codes, scales, x, 0, what);
            if (onFloat || onMidpoint) {
                // A float is a boundary of the directed modes (and ODD), a midpoint of the nearest
                // modes: those must decline; the others may decide there (check held them to the oracle).
                for (Rounding m : MODES) {
                    if (onFloat != (m == Rounding.RNE || m == Rounding.RNA)) {
                        assertThat(CertifiedFloatDot.dot(array(f, codes, scales), x, 0, m)).as(what + " " + m).isNaN();
                    }
                    if (shift == 0) {   // every lane and the fold exact: the second certificate rounds the exact sum
                        assertThat(CertifiedFloatDot.compensated(array(f, codes, scales), x, 0, m)).as(what + " second " + m)
                                .isNotNaN();
                    }
                }
            } else if (shift > 0 && shift < 20 && rne) {
                decidedNear++;
            }
        }
        assertThat(decidedNear).isGreaterThan(100);
    }

    /**
     * Terms that the double lanes lose: a huge value and a tiny one in the same lane, then the
     * huge value cancelled in another lane (or not), so the double approximation is off by the
     * tiny term; the bound must keep the path from deciding on the wrong side.
     */
    @Test
    void termsLostInTheLanesAndMassiveCancellation() {
        SplittableRandom r = new SplittableRandom(53);
        for (int t = 0; t < 1500; t++) {
            MxFormat f = FORMATS[t % FORMATS.length];
            ElementFormat e = f.element();
            int n = f.blockSize() * (1 + r.nextInt(3));
            byte[] codes = new byte[n];
            byte[] scales = new byte[n / f.blockSize()];
            for (int j = 0; j < scales.length; j++) {
                scales[j] = (byte) (127 + r.nextInt(9) - 4);
            }
            float[] x = new float[n + 1];
            for (int i = 0; i < n; i++) {
                codes[i] = finiteCode(r, e);
                x[1 + i] = (float) ExactAccumulatorTest.randomDouble(r, -40, 10);
            }
            int big = r.nextInt(n);
            int lane = big % 8;
            codes[big] = code(e, 1.0);
            x[1 + big] = (float) Math.scalb(1.0, 60 + r.nextInt(40));
            if (r.nextInt(3) > 0) {   // cancel the huge value with another element of any lane
                int other;
                do {
                    other = r.nextInt(n);
                } while (other == big);
                codes[other] = code(e, 1.0);
                scales[other / f.blockSize()] = scales[big / f.blockSize()];
                x[1 + other] = -x[1 + big];
                if (r.nextBoolean() && big + 8 < n && big + 8 != other) {
                    codes[big + 8] = code(e, 1.0);   // the same lane: absorbed by the huge value in double
                    x[1 + big + 8] = Math.scalb(1f, -20 - r.nextInt(10));
                }
            }
            check(f, codes, scales, x, 1, f + " lost terms t=" + t + " lane " + lane);
        }
        // The second decides most of what the first declines; not the sums within 2^-52 of their
        // size of a boundary (a huge value left uncancelled, on a float, for the directed modes),
        // which no double approximation decides (the exact path answers those).
        assertThat(declined).isGreaterThan(2000);
        assertThat(bothDeclined).isLessThan(declined / 2);
    }

    @Test
    void specialsAndZeroSumsAreLeftToTheExactPath() {
        SplittableRandom r = new SplittableRandom(54);
        for (int t = 0; t < 200; t++) {
            MxFormat f = FORMATS[t % FORMATS.length];
            int n = f.blockSize() * (1 + r.nextInt(3));
            byte[] codes = new byte[n];
            byte[] scales = new byte[n / f.blockSize()];
            java.util.Arrays.fill(scales, (byte) 127);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                codes[i] = finiteCode(r, f.element());
                x[i] = (float) r.nextGaussian();
            }
            switch (t % 4) {
                case 0 -> x[r.nextInt(n)] = Float.NaN;
                case 1 -> x[r.nextInt(n)] = r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                case 2 -> scales[r.nextInt(scales.length)] = (byte) 0xFF;   // NaN scale
                default -> java.util.Arrays.fill(x, r.nextBoolean() ? 0f : -0f);
            }
            MxArray a = array(f, codes, scales);
            for (Rounding m : MODES) {
                assertThat(CertifiedFloatDot.dot(a, x, 0, m)).as(f + " case " + t % 4 + " " + m).isNaN();
                assertThat(CertifiedFloatDot.compensated(a, x, 0, m)).as(f + " second, case " + t % 4 + " " + m).isNaN();
            }
        }
    }

    /**
     * Whenever decide decides, every real within the error its arguments allow rounds, by the
     * oracle, to the float it gives: the ends of that interval are checked exactly. The
     * approximations are random, or a few double ulps from a float, a midpoint or a power of two
     * (where the gap toward zero halves), with no error term beyond approx's own rounding or with
     * one; the bound is given as decide's callers give it, for the depths of the bound's range.
     */
    @Test
    void decideAgreesWithTheOracleAtBothEndsOfEveryDecidedInterval() {
        SplittableRandom r = new SplittableRandom(55);
        int[] depths = {12, 300, 529};   // m + g + 8
        int decidedCalls = 0;
        int decidedNearBoundaries = 0;
        int declinedNearBoundaries = 0;
        for (int t = 0; t < 40000; t++) {
            double approx = ExactAccumulatorTest.randomDouble(r, -150, 130);
            float fa = (float) approx;
            boolean nearBoundary = t % 4 != 0 && Math.abs(fa) > Float.MIN_NORMAL && Math.abs(fa) < Float.MAX_VALUE;
            if (nearBoundary) {
                double base = switch (t % 4) {
                    case 1 -> fa;                                         // a float
                    case 2 -> ((double) fa + Math.nextUp(fa)) / 2;        // a midpoint (exact)
                    default -> Math.copySign(Math.scalb(1.0, Math.getExponent(fa)), fa);   // a power of two
                };
                approx = base + Math.ulp(base) * (r.nextInt(81) - 40);
            }
            double error = r.nextInt(3) == 0 ? 0 : Math.abs(approx) * Math.scalb(1.0, -20 - r.nextInt(40));
            int depth = depths[t % depths.length];
            double inverseFactor = 0x1p52 / depth;
            // decide's callers: |E - (S + C)| <= c Â with c below depth 2^-53. decide allows twice
            // that (its proof: c Â < G / 2); the test allows all of it, less 2^-40: Â = error / (depth 2^-52).
            double bound = error / (depth * 0x1p-52) * (1 + 0x1p-40);
            // Every other case: an approximation with an own error up to 2^-51 of itself (a tensor
            // scale's extra rounding, decideTimes), told to decide.
            boolean scaled = t % 2 == 1;
            BigDecimal radius = new BigDecimal(error).add(new BigDecimal(Math.abs(approx))
                    .multiply(new BigDecimal(scaled ? 0x1p-51 : 0x1p-53 * (1 + 0x1p-52))));
            BigDecimal centre = new BigDecimal(approx);
            for (Rounding m : MODES) {
                float got = scaled ? CertifiedFloatDot.decide(approx, bound * bound, inverseFactor, m, 0x1p-51)
                        : CertifiedFloatDot.decide(approx, bound * bound, inverseFactor, m);
                if (Float.isNaN(got)) {
                    declinedNearBoundaries += nearBoundary ? 1 : 0;
                    continue;
                }
                decidedCalls++;
                decidedNearBoundaries += nearBoundary ? 1 : 0;
                String what = approx + " error " + error + " depth " + depth + " " + m;
                assertThat(BinaryRoundingOracle.toFloat(centre.subtract(radius), m)).as("low end %s", what).isEqualTo(got);
                assertThat(BinaryRoundingOracle.toFloat(centre.add(radius), m)).as("high end %s", what).isEqualTo(got);
            }
        }
        assertThat(decidedCalls).isGreaterThan(120000);
        assertThat(decidedNearBoundaries).isGreaterThan(20000);
        assertThat(declinedNearBoundaries).isGreaterThan(20000);
    }

    /**
     * Scales that are not powers of two (NVFP4's UE4M3, UE5M3) and tensor scales of many
     * significant bits: both certificates decide Gaussian calls, and whatever they decide is the
     * oracle's rounding of the exact t * sum; the full call always is. Also a sum built near a
     * float midpoint of t * E (one element moved), which the first declines more often.
     */
    @Test
    void shortScalesAndTensorScalesAreDecidedCorrectly() {
        SplittableRandom r = new SplittableRandom(57);
        org.mxformats.block.ScaleRule rne = org.mxformats.block.ScaleRule.RNE;
        MxFormat[] formats = {MxFormat.NVFP4, MxFormat.MXFP4_UE5M3, MxFormat.MXFP8_E4M3,
                MxFormat.of(ElementFormat.INT8, ElementFormat.UE5M3, 16, rne, Rounding.RNE).withTensorScale(true),
                MxFormat.of(ElementFormat.E4M3, ElementFormat.UE4M3, 32, rne, Rounding.RNE).withTensorScale(true)};
        int decidedFirst = 0;
        int decidedSecond = 0;
        int calls = 0;
        for (int t = 0; t < 240; t++) {
            MxFormat f = formats[t % formats.length];
            int k = f.blockSize();
            int n = k * (1 + r.nextInt(t % 5 == 0 ? 600 : 20));
            byte[] codes = new byte[n];
            for (int i = 0; i < n; i++) {
                codes[i] = finiteCode(r, f.element());
            }
            byte[] scales = new byte[n / k];
            for (int j = 0; j < scales.length; j++) {
                int c;
                do {
                    c = r.nextInt(f.scale().codeCount());
                } while (!Double.isFinite(f.scale().decode(c)) || f.scale().decode(c) == 0);
                scales[j] = (byte) c;
            }
            float tensor = t % 3 == 0 || !f.tensorScale() ? 1f
                    : (float) ((1 + r.nextDouble()) * Math.scalb(1.0, r.nextInt(-20, 20)));
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) r.nextGaussian();
            }
            byte[] packed = new byte[f.packedBytes(n)];
            Packing.pack(f.element().bits(), codes, 0, packed, 0, n);
            MxArray a = MxArray.of(f, n, packed, scales, tensor);
            BigDecimal sum = exact(f, codes, scales, x, 0).multiply(new BigDecimal(tensor));
            for (Rounding m : MODES) {
                calls++;
                float want = BinaryRoundingOracle.toFloat(sum, m);
                float first = CertifiedFloatDot.dot(a, x, 0, m);
                float second = CertifiedFloatDot.compensated(a, x, 0, m);
                String what = f + " n=" + n + " t=" + tensor + " " + m;
                if (!Float.isNaN(first)) {
                    decidedFirst++;
                    assertThat(Float.floatToRawIntBits(first)).as("first " + what).isEqualTo(Float.floatToRawIntBits(want));
                }
                if (!Float.isNaN(second)) {
                    decidedSecond++;
                    assertThat(Float.floatToRawIntBits(second)).as("second " + what).isEqualTo(Float.floatToRawIntBits(want));
                }
                float row = CertifiedFloatDot.dot(Unpacked.of(a), x, 0, m);   // may decline alone (e2m1 keys)
                if (!Float.isNaN(row)) {
                    assertThat(Float.floatToRawIntBits(row)).as("row " + what).isEqualTo(Float.floatToRawIntBits(want));
                }
                assertThat(Float.floatToRawIntBits(MxDot.dot(a, x, 0, Accumulation.EXACT, m))).as("full " + what)
                        .isEqualTo(Float.floatToRawIntBits(want));
            }
        }
        assertThat(decidedFirst).isGreaterThan(calls * 9 / 10);
        assertThat(decidedSecond).isGreaterThan(calls * 9 / 10);
    }

    /** Zero, subnormal, overflowing, NaN and infinite approximations and non-finite bounds are never decided. */
    @Test
    void decideDeclinesZeroSubnormalsOverflowAndNonFiniteInput() {
        double[] approximations = {0.0, -0.0, Float.MIN_NORMAL, Float.MIN_VALUE * 3.0, -Float.MIN_NORMAL * 0.75,
                Float.MAX_VALUE, -Double.MAX_VALUE, 1e300, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY};
        for (Rounding m : MODES) {
            for (double approx : approximations) {
                assertThat(CertifiedFloatDot.decide(approx, 0, 0x1p52 / 300, m)).as(approx + " " + m).isNaN();
            }
            for (double bound : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1e300}) {
                assertThat(CertifiedFloatDot.decide(1.3, bound, 0x1p52 / 300, m)).as(bound + " " + m).isNaN();
            }
            // a tiny error far from every boundary is decided, in every mode
            assertThat(CertifiedFloatDot.decide(1.3, 1e-30, 0x1p52 / 300, m)).as("1.3 " + m).isNotNaN();
        }
    }

    private static boolean qualifies(MxFormat f) {
        return CertifiedFloatDot.qualifies(f.element(), f.scale(), f.blockSize());
    }

    @Test
    void onlyShortScalesAndFloatElementsQualify() {
        assertThat(qualifies(MxFormat.MXFP8_E4M3)).isTrue();
        assertThat(qualifies(MxFormat.MXFP4)).isTrue();
        assertThat(qualifies(MxFormat.MXINT8)).isTrue();
        assertThat(qualifies(MxFormat.NVFP4)).isTrue();         // UE4M3 scales: 4 significant bits
        assertThat(qualifies(MxFormat.MXFP4_UE5M3)).isTrue();
        assertThat(qualifies(MxFormat.MXFP6_E3M2)).isFalse();   // 6-bit codes
        assertThat(qualifies(MxFormat.MXFP4.withBlockSize(12))).isFalse();   // not a multiple of 8
    }

    /**
     * Packed e2m1 codes go through the MXINT8 lane kernel as small integers (scales times 2^5),
     * other formats through their own decoding; at the ends of the UE8M0 range (2^-127 and 2^127,
     * then 2^-122 and 2^132) the answers are still the oracle's, and an unpacked row, which takes
     * the e2m1 decoding, agrees bit for bit ({@link #check}).
     */
    @Test
    void packedE2m1TakesTheIntegerLanesAcrossTheWholeScaleRange() {
        assertThat(CertifiedFloatDot.readsSmallIntegers(MxFormat.MXFP4)).isTrue();
        assertThat(CertifiedFloatDot.readsSmallIntegers(MxFormat.MXFP8_E4M3)).isFalse();
        assertThat(CertifiedFloatDot.readsSmallIntegers(MxFormat.MXINT8)).isFalse();
        SplittableRandom r = new SplittableRandom(61);
        MxFormat f = MxFormat.MXFP4;
        int[][] scaleSets = {{0, 1, 2}, {254, 253, 252}, {0, 254, 127}, {127}};
        int decidedHere = 0;
        for (int t = 0; t < 80; t++) {
            int[] set = scaleSets[t % scaleSets.length];
            int n = f.blockSize() * (1 + r.nextInt(t % 5 == 0 ? 400 : 9));
            byte[] codes = new byte[n];
            for (int i = 0; i < n; i++) {
                codes[i] = finiteCode(r, f.element());
            }
            byte[] scales = new byte[n / f.blockSize()];
            for (int j = 0; j < scales.length; j++) {
                scales[j] = (byte) set[r.nextInt(set.length)];
            }
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {   // large x for tiny scales, tiny x for large ones
                double magnitude = set[0] < 127 ? 0x1p60 : set[0] > 127 ? 0x1p-60 : 1;
                x[i] = (float) (r.nextGaussian() * magnitude);
            }
            decidedHere += check(f, codes, scales, x, 0, "e2m1 scales " + java.util.Arrays.toString(set) + " n=" + n)
                    ? 1 : 0;
        }
        assertThat(decidedHere).isGreaterThan(60);
    }
}
