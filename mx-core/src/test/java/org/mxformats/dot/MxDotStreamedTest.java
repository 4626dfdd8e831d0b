package org.mxformats.dot;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.Packing;
import org.mxformats.format.Rounding;

/**
 * The streamed exact MX x MX dot product (whole blocks of 4- and 8-bit elements: block sums of
 * power-of-two scaled blocks added in one shifted long and rounded once, else the exact
 * accumulator) against the BigDecimal oracle, for every deterministic rounding, float and double
 * results, every storage an MxArray can have, and the limits of the shifted long.
 */
class MxDotStreamedTest {
    private static final MxFormat[][] PAIRS = {
        {MxFormat.MXINT8, MxFormat.MXINT8},
        {MxFormat.MXFP8_E4M3, MxFormat.MXFP8_E4M3},
        {MxFormat.MXFP4, MxFormat.MXFP4},
        {MxFormat.MXFP8_E4M3, MxFormat.MXFP4},
        {MxFormat.MXINT8, MxFormat.MXFP8_E4M3},
    };

    /** An operand from codes (one per byte) and scale codes. */
    static MxDotTest.Operand operand(MxFormat f, byte[] codes, byte[] scales) {
        byte[] packed = new byte[f.packedBytes(codes.length)];
        Packing.pack(f.element().bits(), codes, 0, packed, 0, codes.length);
        return new MxDotTest.Operand(MxArray.of(f, codes.length, packed, scales, 1f), codes, scales);
    }

    /** Random finite codes (NaN codes with probability {@code nanRate}) and scale codes from a window. */
    static MxDotTest.Operand random(SplittableRandom r, MxFormat f, int length, double nanRate, int lowScale,
                                    int highScale) {
        byte[] codes = MxDotTest.randomCodes(r, f.element(), length, nanRate);
        byte[] scales = new byte[f.blockCount(length)];
        for (int j = 0; j < scales.length; j++) {
            scales[j] = (byte) (lowScale + r.nextInt(highScale - lowScale + 1));
        }
        return operand(f, codes, scales);
    }

    /** Every storage of a and b, every deterministic rounding, float and double: the oracle's bits. */
    private static void check(MxDotTest.Operand a, MxDotTest.Operand b, String what) {
        MxArray[] as = MxMatmulTest.storages(a.array());
        MxArray[] bs = MxMatmulTest.storages(b.array());
        for (Rounding mode : Rounding.values()) {
            if (!mode.isDeterministic()) {
                continue;
            }
            double wantFloat = MxDotTest.oracle(a, b, mode, true);
            double wantDouble = MxDotTest.oracle(a, b, mode, false);
            for (int s = 0; s < as.length; s++) {
                MxArray x = as[s];
                MxArray y = bs[(s + 1) % bs.length];   // mixed storages too
                MxDotTest.assertSame(wantFloat, MxDot.dot(x, y, mode), what + " float " + mode + " storage " + s);
                MxDotTest.assertSame(wantDouble, MxDot.dotDouble(x, y, mode), what + " double " + mode + " storage " + s);
            }
        }
    }

    @Test
    void randomOperandsInNarrowMediumAndWideScaleWindows() {
        SplittableRandom r = new SplittableRandom(31);
        int[][] windows = {{124, 130}, {112, 142}, {0, 254}, {0, 255}};   // 255: the NaN scale code
        int g = SimdRoutes.GROUP;
        int[] lengths = {32, 96, g, g + 64, 3 * g};
        for (MxFormat[] pair : PAIRS) {
            for (int[] w : windows) {
                for (int n : lengths) {
                    double nanRate = n == 96 ? 0.02 : 0;
                    int high = w[1] == 255 && r.nextInt(2) == 0 ? 254 : w[1];
                    check(random(r, pair[0], n, nanRate, w[0], high), random(r, pair[1], n, nanRate, w[0], high),
                            pair[0] + " x " + pair[1] + " n=" + n + " scales " + w[0] + ".." + high);
                }
            }
        }
    }

    /**
     * Scales that are not powers of two (NVFP4's UE4M3, UE5M3) over several groups: block sums
     * times their scale significands go into the shifted long (or, when the window is too wide or a
     * scale is NaN, the accumulator); narrow, wide and full windows of scale codes (UE4M3's 127 is NaN,
     * 0 is zero), with NaN element codes in some.
     */
    @Test
    void shortScalesStreamOverManyGroups() {
        SplittableRandom r = new SplittableRandom(37);
        MxFormat e4m3 = MxFormat.of(org.mxformats.format.ElementFormat.E4M3, org.mxformats.format.ElementFormat.UE4M3,
                16, org.mxformats.block.ScaleRule.RNE, org.mxformats.format.Rounding.RNE);
        MxFormat[][] pairs = {{MxFormat.NVFP4, MxFormat.NVFP4}, {MxFormat.MXFP4_UE5M3, MxFormat.MXFP4_UE5M3},
                {e4m3, MxFormat.NVFP4}};
        int[][] windows = {{50, 62}, {1, 126}, {0, 127}};
        int g = SimdRoutes.GROUP;
        for (MxFormat[] pair : pairs) {
            for (int[] w : windows) {
                for (int n : new int[] {g, g + 64, 3 * g}) {
                    double nanRate = w[1] == 127 ? 0.0005 : 0;
                    check(random(r, pair[0], n, nanRate, w[0], w[1]), random(r, pair[1], n, nanRate, w[0], w[1]),
                            pair[0] + " x " + pair[1] + " n=" + n + " scales " + w[0] + ".." + w[1]);
                }
            }
        }
    }

    /**
     * Two MXINT8 blocks: one with the largest block sum, 32 * (-128)^2 = 2^19 (20 bits), at scale
     * exponent d above the other, whose sum is 1. The shifted long takes them while
     * 20 + d + bits(2 blocks) <= 62, so d = 40 is just inside and d = 41 just outside.
     */
    @Test
    void theShiftedLongsLimitFromBothSides() {
        for (int d = 36; d <= 44; d++) {
            for (int sign : new int[] {1, -1}) {
                byte[] codesA = new byte[64];
                byte[] codesB = new byte[64];
                for (int i = 0; i < 32; i++) {
                    codesA[i] = (byte) -128;
                    codesB[i] = (byte) (sign * -128);
                }
                codesA[40] = 1;
                codesB[40] = (byte) -sign;
                for (int top = 0; top <= 1; top++) {   // the big block first or last
                    byte[] a = top == 0 ? codesA : swapBlocks(codesA);
                    byte[] b = top == 0 ? codesB : swapBlocks(codesB);
                    byte[] scales = top == 0 ? new byte[] {(byte) (127 + d / 2), (byte) (127 - (d - d / 2))}
                            : new byte[] {(byte) (127 - (d - d / 2)), (byte) (127 + d / 2)};
                    check(operand(MxFormat.MXINT8, a, scales), operand(MxFormat.MXINT8, b, scales),
                            "d=" + d + " sign " + sign + " top " + top);
                }
            }
        }
    }

    /**
     * 128 blocks in one group, 127 of them with the largest sum 2^19 at exponent d above the
     * first: their total 127 * 2^(19 + d) overflows a long from d = 44 on, and the check must count
     * the blocks' number (bits(128) = 8) as well as the widest term.
     */
    @Test
    void manyLargestBlocksCountTowardsTheLimit() {
        for (int d : new int[] {30, 34, 35, 36, 38, 42, 43, 44, 46}) {
            byte[] codes = new byte[4096];
            java.util.Arrays.fill(codes, (byte) -128);
            byte[] scales = new byte[128];
            java.util.Arrays.fill(scales, (byte) (100 + d));
            scales[0] = 100;
            byte[] ones = new byte[128];
            java.util.Arrays.fill(ones, (byte) 127);
            check(operand(MxFormat.MXINT8, codes, scales), operand(MxFormat.MXINT8, codes, ones), "d=" + d);
        }
    }

    private static byte[] swapBlocks(byte[] codes) {
        byte[] out = new byte[64];
        System.arraycopy(codes, 0, out, 32, 32);
        System.arraycopy(codes, 32, out, 0, 32);
        return out;
    }

    /** Groups of blocks ({@link SimdRoutes#GROUP} elements each) whose exponents lie far apart: the running long is flushed. */
    @Test
    void groupsFarApartGoThroughTheAccumulator() {
        SplittableRandom r = new SplittableRandom(32);
        for (int[] exponents : new int[][] {{200, 60}, {60, 200}, {127, 127, 20, 240}, {0, 254, 0}}) {
            int g = SimdRoutes.GROUP;
            int n = g * exponents.length;
            MxDotTest.Operand a = random(r, MxFormat.MXINT8, n, 0, 127, 127);
            MxDotTest.Operand b = random(r, MxFormat.MXINT8, n, 0, 127, 127);
            for (int j = 0; j < a.scales().length; j++) {
                a.scales()[j] = (byte) exponents[j * 32 / g];
                b.scales()[j] = (byte) (exponents[j * 32 / g] + r.nextInt(3) - 1);
            }
            check(operand(MxFormat.MXINT8, a.codes(), a.scales()), operand(MxFormat.MXINT8, b.codes(), b.scales()),
                    java.util.Arrays.toString(exponents));
        }
    }

    /** Float subnormal results, results that underflow below them, and float overflow, in every mode. */
    @Test
    void subnormalUnderflowingAndOverflowingResults() {
        SplittableRandom r = new SplittableRandom(33);
        for (MxFormat[] pair : PAIRS) {
            for (int[] w : new int[][] {{50, 62}, {0, 3}, {190, 200}, {250, 254}}) {
                for (int n : new int[] {32, 320}) {
                    check(random(r, pair[0], n, 0, w[0], w[1]), random(r, pair[1], n, 0, w[0], w[1]),
                            pair[0] + " x " + pair[1] + " n=" + n + " scales " + w[0] + ".." + w[1]);
                }
            }
        }
    }

    /** Exactly zero sums (cancelling blocks, negative zeros) keep the contract's zero sign. */
    @Test
    void exactZerosAndCancellation() {
        byte[] codes = new byte[64];
        byte[] negated = new byte[64];
        for (int i = 0; i < 64; i++) {
            codes[i] = (byte) (i % 7 - 3);
            negated[i] = (byte) -(i % 7 - 3);
        }
        byte[] scales = {127, 127};
        check(operand(MxFormat.MXINT8, codes, scales), operand(MxFormat.MXINT8, codes, scales), "square");
        byte[] one = new byte[64];
        one[0] = 1;
        one[32] = 1;
        MxDotTest.Operand a = operand(MxFormat.MXINT8, one, scales);
        MxDotTest.Operand b = operand(MxFormat.MXINT8, new byte[] {
            5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            -5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, scales);
        check(a, b, "cancelling blocks");
        byte[] negativeZeros = new byte[64];
        java.util.Arrays.fill(negativeZeros, (byte) 0x80);   // e4m3 -0
        byte[] positive = new byte[64];
        java.util.Arrays.fill(positive, (byte) 0x38);        // e4m3 1.0
        check(operand(MxFormat.MXFP8_E4M3, negativeZeros, scales), operand(MxFormat.MXFP8_E4M3, positive, scales),
                "negative zeros");
        check(operand(MxFormat.MXINT8, codes, scales), operand(MxFormat.MXINT8, negated, scales), "negative square");
    }
}
