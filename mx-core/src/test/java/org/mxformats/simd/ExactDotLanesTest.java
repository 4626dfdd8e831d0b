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
        double[] lanes = new double[16];
        lanes[3] = 1;   // sums are added to what the lanes hold
        Kernels.scalar().exactDotLanes(v, 0, x, 1, new double[] {4}, 16, 1, lanes);
        for (int l = 0; l < 8; l++) {
            // lane l: elements l and l + 8, products (l - 7)(l + 1)/2 and (l + 1)(l + 9)/2, times 4
            double p0 = (l - 7) * 0.5 * (l + 1);
            double p1 = (l + 1) * 0.5 * (l + 9);
            assertThat(lanes[l]).isEqualTo((l == 3 ? 1 : 0) + 4 * (p0 + p1));
            assertThat(lanes[8 + l]).isEqualTo(4 * (Math.abs(p0) + Math.abs(p1)));
        }
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
            int blocks = 1 + r.nextInt(30);
            int co = r.nextInt(5);
            int xo = r.nextInt(5);
            byte[] codes = new byte[co + k * blocks];
            float[] x = new float[xo + k * blocks];
            boolean specials = t % 5 == 0;
            for (int i = 0; i < codes.length; i++) {
                int c;
                do {
                    c = r.nextInt(256);   // garbage above the format's bits too
                } while (!specials && !Float.isFinite(table[c & (table.length - 1)]));
                codes[i] = (byte) c;
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.scalb(r.nextGaussian(), r.nextInt(61) - 30);
            }
            double[] scales = new double[blocks];
            for (int j = 0; j < blocks; j++) {
                scales[j] = Math.scalb(1.0, r.nextInt(41) - 20);
            }
            double[] want = new double[16];
            double[] got = new double[16];
            Kernels.scalar().exactDotCodeLanes(f, codes, co, x, xo, scales, k, blocks, want);
            vector.exactDotCodeLanes(f, codes, co, x, xo, scales, k, blocks, got);
            for (int l = 0; l < 16; l++) {
                if (Double.isNaN(want[l])) {
                    assertThat(got[l]).isNaN();
                    continue;
                }
                assertThat(Double.doubleToRawLongBits(got[l])).as("%s t=%d lane %d: %s vs %s", f, t, l, got[l], want[l])
                        .isEqualTo(Double.doubleToRawLongBits(want[l]));
            }
        }
    }
}
