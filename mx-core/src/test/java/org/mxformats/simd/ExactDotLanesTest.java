package org.mxformats.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#exactDotLanes}: the definition on a hand-made case; {@link Kernels#exactDotCodeLanes}:
 * the vector kernel (which decodes in registers) equal to the scalar one bit for bit on random,
 * wide-range and special inputs.
 */
class ExactDotLanesTest {

    @Test
    void oneBlockOfSixteenFollowsTheDefinition() {
        float[] v = new float[16];
        float[] x = new float[17];
        for (int i = 0; i < 16; i++) {
            v[i] = i - 7;
            x[1 + i] = 0.5f * (i + 1);
        }
        double[] lanes = new double[17];
        lanes[3] = 1;   // sums are added to what the lanes hold
        lanes[8 + 5] = 1;   // and so are the squares
        Kernels.scalar().exactDotLanes(v, 0, x, 1, new double[] {4}, 16, 1, lanes);
        for (int l = 0; l < 8; l++) {
            // lane l: elements l and l + 8, products (l - 7)(l + 1)/2 and (l + 1)(l + 9)/2, times 4
            double p0 = (l - 7) * 0.5 * (l + 1);
            double p1 = (l + 1) * 0.5 * (l + 9);
            assertThat(lanes[l]).isEqualTo((l == 3 ? 1 : 0) + 4 * (p0 + p1));
            // the squares of x, unscaled: x_l in the first quarter's sum, x_(l+8) in the second's
            double x0 = 0.5 * (l + 1);
            double x1 = 0.5 * (l + 9);
            assertThat(lanes[8 + l]).isEqualTo(l == 5 ? 1 + x0 * x0 + x1 * x1 : x0 * x0 + x1 * x1);
        }
        assertThat(lanes[16]).isEqualTo(16);   // the block scale squared
    }

    /**
     * The squares of x are folded at the end of every run of 128 blocks: lane 0's quarter sum
     * q_1 takes x^2 = 25 * 2^-58 in the first run and again in the second. Folded per run, 1 + x^2
     * rounds to 1 twice; folded once at the end (the kernels before runs carried their squares),
     * q_1 = 2 x^2 and 1 + 2 x^2 rounds up to 1 + 2^-52. Both kernels, and code lanes too.
     */
    @Test
    void squaresAreFoldedAtTheEndOfEachRun() {
        float a = 0x5p-29f;   // a * a = 25 * 2^-58: below half an ulp of 1, above it when doubled
        int blocks = 130;
        float[] x = new float[32 * blocks];
        x[0] = 1;              // block 0, lane 0, quarter 0
        x[8] = a;              // block 0, lane 0, quarter 1
        x[32 * 128 + 8] = a;   // block 128 (the second run's first), lane 0, quarter 1
        double[] scales = new double[blocks];
        java.util.Arrays.fill(scales, 1);
        byte[] codes = new byte[32 * blocks];
        java.util.Arrays.fill(codes, (byte) 1);
        float[] values = new float[32 * blocks];
        java.util.Arrays.fill(values, 1);
        double[] byValues = new double[17];
        Kernels.scalar().exactDotLanes(values, 0, x, 0, scales, 32, blocks, byValues);
        assertThat(byValues[8]).isEqualTo(1.0);
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.get()}) {
            double[] lanes = new double[17];
            k.exactDotCodeLanes(org.mxformats.format.ElementFormat.INT8, codes, 0, x, 0, scales, 32, blocks, lanes);
            assertThat(lanes[8]).as(k.name()).isEqualTo(1.0);
            assertThat(lanes[0]).as(k.name()).isEqualTo((1 + 2.0 * a) / 64);   // MXINT8 code 1 is 2^-6; exact sums
        }
    }

    /**
     * A NaN code after the first run: the vector loop takes the first run, the scalar kernel goes
     * on from the run the loop refuses, and the lanes are the scalar kernel's bits throughout.
     */
    @Test
    void aNaNCodeInALaterRunGivesTheScalarBits() {
        Kernels vector = KernelsTest.vectorOrSkip();
        org.mxformats.format.ElementFormat e4m3 = org.mxformats.format.ElementFormat.E4M3;
        SplittableRandom r = new SplittableRandom(64);
        for (int nanBlock : new int[] {128, 150, 255, 300}) {
            int blocks = 301;
            byte[] codes = new byte[32 * blocks];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) (r.nextInt(0x7F) | (r.nextBoolean() ? 0x80 : 0));   // finite: 0x7F is NaN
            }
            codes[32 * nanBlock + r.nextInt(32)] = (byte) 0xFF;
            float[] x = wideRangeX(r, codes.length);
            double[] scales = powerOfTwoScales(r, blocks);
            double[] want = new double[17];
            double[] got = new double[17];
            for (int l = 0; l < 17; l++) {
                want[l] = got[l] = l + 0.5;   // what the lanes held before
            }
            int wantKey = Kernels.scalar().exactDotCodeLanes(e4m3, codes, 0, x, 0, scales, 32, blocks, want);
            int gotKey = vector.exactDotCodeLanes(e4m3, codes, 0, x, 0, scales, 32, blocks, got);
            assertThat(gotKey).as("NaN in block %d", nanBlock).isEqualTo(wantKey).isEqualTo(0x7F);
            for (int l = 0; l < 17; l++) {
                assertThat(Double.doubleToRawLongBits(got[l])).as("NaN in block %d, lane %d", nanBlock, l)
                        .isEqualTo(Double.doubleToRawLongBits(want[l]));
            }
        }
    }

    @Test
    void magnitudeKeysAreMagnitudeBitsOrTheOnesComplementMagnitude() {
        org.mxformats.format.ElementFormat int8 = org.mxformats.format.ElementFormat.INT8;
        org.mxformats.format.ElementFormat e4m3 = org.mxformats.format.ElementFormat.E4M3;
        org.mxformats.format.ElementFormat e2m1 = org.mxformats.format.ElementFormat.E2M1;
        assertThat(Kernels.magnitudeKey(int8, 0x80)).isEqualTo(127);   // -128
        assertThat(Kernels.magnitudeKey(int8, 0x7F)).isEqualTo(127);
        assertThat(Kernels.magnitudeKey(int8, 0xFF)).isEqualTo(0);     // -1
        assertThat(Kernels.magnitudeKey(int8, 0xFE)).isEqualTo(1);     // -2
        assertThat(Kernels.magnitudeKey(e4m3, 0xFE)).isEqualTo(0x7E);
        assertThat(Kernels.magnitudeKey(e4m3, 0x05)).isEqualTo(0x05);
        assertThat(Kernels.magnitudeKey(e2m1, 0xFF)).isEqualTo(7);     // bits above the format ignored
        assertThat(Kernels.magnitudeKey(e2m1, 0x3A)).isEqualTo(2);
    }

    /** Gaussian floats times 2^-30 .. 2^30. */
    private static float[] wideRangeX(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.scalb(r.nextGaussian(), r.nextInt(61) - 30);
        }
        return x;
    }

    /** Block scales 2^-20 .. 2^20. */
    private static double[] powerOfTwoScales(SplittableRandom r, int blocks) {
        double[] scales = new double[blocks];
        for (int j = 0; j < blocks; j++) {
            scales[j] = Math.scalb(1.0, r.nextInt(41) - 20);
        }
        return scales;
    }

    /** Scale values of 4 significant bits (as UE4M3's): their products with the lane sums round inside the fma. */
    private static double[] shortScales(SplittableRandom r, int blocks) {
        double[] scales = new double[blocks];
        for (int j = 0; j < blocks; j++) {
            scales[j] = (8 + r.nextInt(8)) / 8.0 * Math.scalb(1.0, r.nextInt(41) - 20);
        }
        return scales;
    }

    /**
     * Blocks of 16 signed-byte codes (NVFP4's integers): the 8-lane loop (two 4-lane halves on
     * AVX2 from JDK 25) takes pairs of blocks with power-of-two and 4-bit scales, runs past 128
     * blocks, a last run of an odd number of blocks (the scalar kernel goes on from it), and
     * refuses a call of an odd number of blocks (-1); every lane is the scalar kernel's.
     */
    @Test
    void theSixteenCodeLoopGivesTheScalarBits() {
        VectorKernels vector = (VectorKernels) KernelsTest.vectorOrSkip();
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorKernels.DOT_LANES
                || VectorKernels.NARROW_EXACT_LANES && VectorKernels.INTEGER_HALVES, "8 double lanes or AVX2 on JDK 25");
        org.mxformats.format.ElementFormat int8 = org.mxformats.format.ElementFormat.INT8;
        SplittableRandom r = new SplittableRandom(66);
        for (int t = 0; t < 40; t++) {
            int blocks = t % 4 == 0 ? 131 : t % 4 == 1 ? 256 + 2 * r.nextInt(40) : 2 + 2 * r.nextInt(30);
            int co = r.nextInt(5);
            int xo = r.nextInt(5);
            byte[] codes = new byte[co + 16 * blocks];
            float[] x = wideRangeX(r, xo + 16 * blocks);
            r.nextBytes(codes);
            double[] scales = t % 2 == 0 ? shortScales(r, blocks) : powerOfTwoScales(r, blocks);
            double[] want = new double[17];
            double[] got = new double[17];
            want[3] = got[3] = -1.25;   // lanes add to what they hold
            int wantKey = Kernels.scalar().exactDotCodeLanes(int8, codes, co, x, xo, scales, 16, blocks, want);
            int gotKey = vector.vectorExactDotCodeLanes(int8, codes, co, x, xo, scales, 16, blocks, got);
            assertThat(gotKey).as("t=%d, %d blocks", t, blocks).isEqualTo(wantKey);
            for (int l = 0; l < 17; l++) {
                assertThat(Double.doubleToRawLongBits(got[l])).as("t=%d lane %d: %s vs %s", t, l, got[l], want[l])
                        .isEqualTo(Double.doubleToRawLongBits(want[l]));
            }
        }
        assertThat(vector.vectorExactDotCodeLanes(int8, new byte[16 * 7], 0, new float[16 * 7], 0, new double[7], 16, 7,
                new double[17])).as("an odd number of blocks").isEqualTo(-1);
        assertThat(vector.vectorExactDotCodeLanes(org.mxformats.format.ElementFormat.E4M3, new byte[32], 0,
                new float[32], 0, new double[2], 16, 2, new double[17])).as("not signed bytes").isEqualTo(-1);
    }

    /** Codes of every byte format (NaN and infinite codes sometimes), vector against scalar. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("org.mxformats.simd.KernelsTest#byteFormats")
    void codeLanesGiveTheScalarBitsForEveryFormat(org.mxformats.format.ElementFormat f) {
        Kernels vector = KernelsTest.vectorOrSkip();
        SplittableRandom r = new SplittableRandom(62);
        float[] table = FormatTables.floatValues(f);
        for (int t = 0; t < 60; t++) {
            int k = t % 4 == 0 ? 16 : 32;
            int blocks = t % 6 == 1 ? 120 + r.nextInt(150) : 1 + r.nextInt(30);   // some past a run of 128
            int co = r.nextInt(5);
            int xo = r.nextInt(5);
            byte[] codes = new byte[co + k * blocks];
            float[] x = wideRangeX(r, xo + k * blocks);
            boolean specials = t % 5 == 0;
            for (int i = 0; i < codes.length; i++) {
                int c;
                do {
                    c = r.nextInt(256);   // garbage above the format's bits too
                } while (!specials && !Float.isFinite(table[c & (table.length - 1)]));
                codes[i] = (byte) c;
            }
            double[] scales = t % 3 == 2 ? shortScales(r, blocks) : powerOfTwoScales(r, blocks);
            double[] want = new double[17];
            double[] got = new double[17];
            int wantKey = Kernels.scalar().exactDotCodeLanes(f, codes, co, x, xo, scales, k, blocks, want);
            int gotKey = vector.exactDotCodeLanes(f, codes, co, x, xo, scales, k, blocks, got);
            int keyOfAll = 0;
            for (int i = co; i < codes.length; i++) {
                keyOfAll = Math.max(keyOfAll, Kernels.magnitudeKey(f, codes[i]));
            }
            assertThat(wantKey).as("%s t=%d: the largest key read", f, t).isEqualTo(keyOfAll);
            // Signed formats report the largest key itself; others may report a larger key of the format.
            if (f.signEncoding() != org.mxformats.format.SignEncoding.UNSIGNED) {
                assertThat(gotKey).as("%s t=%d: the vector kernel's key", f, t).isEqualTo(wantKey);
            } else {
                assertThat(gotKey).isBetween(wantKey, f.codeCount() - 1);
            }
            for (int l = 0; l < 17; l++) {
                if (Double.isNaN(want[l])) {
                    assertThat(got[l]).isNaN();
                    continue;
                }
                assertThat(Double.doubleToRawLongBits(got[l])).as("%s t=%d lane %d: %s vs %s", f, t, l, got[l], want[l])
                        .isEqualTo(Double.doubleToRawLongBits(want[l]));
            }
        }
    }

    /**
     * The 256-bit loop for signed-byte codes (taken on JDK 25, kept off on JDK 17: run here on
     * both) gives the scalar kernel's bits, its last block ending at the end of the array (its
     * overlapping loads stay inside each block); formats it does not take are refused (-1).
     */
    @Test
    void theSignedByteLoopGivesTheScalarBits() {
        VectorKernels vector = (VectorKernels) KernelsTest.vectorOrSkip();
        org.junit.jupiter.api.Assumptions.assumeTrue(VectorKernels.NARROW_EXACT_LANES, "256-bit vectors only");
        org.mxformats.format.ElementFormat int8 = org.mxformats.format.ElementFormat.INT8;
        SplittableRandom r = new SplittableRandom(64);
        for (int t = 0; t < 40; t++) {
            int blocks = t % 5 == 1 ? 129 + r.nextInt(200) : 1 + r.nextInt(20);   // some past a run of 128
            int co = r.nextInt(5);
            int xo = r.nextInt(5);
            byte[] codes = new byte[co + 32 * blocks];
            float[] x = wideRangeX(r, xo + 32 * blocks);
            r.nextBytes(codes);
            double[] scales = powerOfTwoScales(r, blocks);
            double[] want = new double[17];
            double[] got = new double[17];
            want[2] = got[2] = 0.75;   // lanes add to what they hold
            int wantKey = Kernels.scalar().exactDotCodeLanes(int8, codes, co, x, xo, scales, 32, blocks, want);
            int gotKey = vector.exactIntegerLanesNarrow(int8, codes, co, x, xo, scales, blocks, got);
            assertThat(gotKey).as("t=%d", t).isEqualTo(wantKey);
            for (int l = 0; l < 17; l++) {
                assertThat(Double.doubleToRawLongBits(got[l])).as("t=%d lane %d: %s vs %s", t, l, got[l], want[l])
                        .isEqualTo(Double.doubleToRawLongBits(want[l]));
            }
        }
        assertThat(vector.exactIntegerLanesNarrow(org.mxformats.format.ElementFormat.E4M3, new byte[32], 0,
                new float[32], 0, new double[1], 1, new double[17])).isEqualTo(-1);
    }

    /**
     * The vector loop (8 double lanes, or two vectors of 4 on 256-bit machines: the AVX2-width
     * test run) takes ordinary blocks of 32 of every lane-decoded format rather than handing them to
     * the scalar kernel, and gives its bits.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("org.mxformats.simd.MxKernelsTest#laneFormats")
    void theVectorLoopTakesOrdinaryBlocksAtThisWidth(org.mxformats.format.ElementFormat f) {
        VectorKernels vector = (VectorKernels) KernelsTest.vectorOrSkip();
        SplittableRandom r = new SplittableRandom(f.name().hashCode());
        int blocks = 133;   // past one run of 128
        byte[] codes = new byte[1 + 32 * blocks];
        float[] x = new float[2 + 32 * blocks];
        float[] table = FormatTables.floatValues(f);
        for (int i = 0; i < codes.length; i++) {
            int c = r.nextInt(table.length);
            codes[i] = (byte) (Float.isFinite(table[c]) ? c : 0);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        double[] scales = new double[blocks];
        for (int j = 0; j < blocks; j++) {
            scales[j] = Math.scalb(1.0, r.nextInt(21) - 10);
        }
        double[] want = new double[17];
        double[] got = new double[17];
        Kernels.scalar().exactDotCodeLanes(f, codes, 1, x, 2, scales, 32, blocks, want);
        int key = vector.vectorExactDotCodeLanes(f, codes, 1, x, 2, scales, 32, blocks, got);
        assertThat(key).as("%s on %s: the vector loop ran", f, vector.name()).isNotNegative();
        for (int l = 0; l < 17; l++) {
            assertThat(Double.doubleToRawLongBits(got[l])).as("%s lane %d", f, l)
                    .isEqualTo(Double.doubleToRawLongBits(want[l]));
        }
    }
}
