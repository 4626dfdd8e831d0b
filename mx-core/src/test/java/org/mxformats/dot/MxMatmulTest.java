package org.mxformats.dot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.mxformats.block.BlockAxis;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxTensor2d;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxQuantizer;
import org.mxformats.format.Rounding;

class MxMatmulTest {
    private static MxDotTest.Operand[] operands(SplittableRandom r, MxFormat f, int count, int length, double special) {
        MxDotTest.Operand[] out = new MxDotTest.Operand[count];
        for (int i = 0; i < count; i++) {
            float tensor = f.tensorScale() ? Math.scalb(1 + r.nextFloat(), r.nextInt(10) - 5) : 1f;
            out[i] = MxDotTest.randomOperand(r, f, length, special, tensor);
        }
        return out;
    }

    private static MxArray[] arrays(MxDotTest.Operand[] ops) {
        MxArray[] out = new MxArray[ops.length];
        for (int i = 0; i < ops.length; i++) {
            out[i] = ops[i].array();
        }
        return out;
    }

    @Test
    void gemmMatchesTheOracleAndIsBitIdenticalForEveryThreadCount() throws Exception {
        SplittableRandom r = new SplittableRandom(21);
        MxDotTest.Operand[] a = operands(r, MxFormat.MXFP8_E4M3, 13, 70, 0.01);
        MxDotTest.Operand[] b = operands(r, MxFormat.MXFP4, 9, 70, 0.01);
        for (Rounding mode : new Rounding[] {Rounding.RNE, Rounding.RDN}) {
            float[] single = MxMatmul.gemm(arrays(a), arrays(b), mode, null);
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < b.length; j++) {
                    MxDotTest.assertSame(MxDotTest.oracle(a[i], b[j], mode, true), single[i * b.length + j],
                            "C[" + i + "][" + j + "] " + mode);
                }
            }
            for (int threads : new int[] {1, 2, 3, 8}) {
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                try {
                    float[] c = MxMatmul.gemm(arrays(a), arrays(b), mode, pool);
                    assertThat(bits(c)).as("%d threads", threads).isEqualTo(bits(single));
                } finally {
                    pool.shutdown();
                }
            }
            assertThat(bits(MxMatmul.gemm(arrays(a), arrays(b), mode, ForkJoinPool.commonPool()))).isEqualTo(bits(single));
        }
    }

    @Test
    void matvecWithFloatActivationsExactAndFastAreThreadCountInvariant() {
        SplittableRandom r = new SplittableRandom(22);
        MxDotTest.Operand[] w = operands(r, MxFormat.NVFP4, 40, 100, 0);
        float[] x = new float[105];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ExactAccumulatorTest.randomDouble(r, -30, 30);
        }
        for (Accumulation acc : Accumulation.values()) {
            float[] single = MxMatmul.matvec(arrays(w), x, 5, acc, Rounding.RNE, null);
            for (int row = 0; row < w.length; row++) {
                assertThat(single[row]).isEqualTo(MxDot.dot(w[row].array(), x, 5, acc, Rounding.RNE));
                if (acc == Accumulation.EXACT) {
                    BigDecimal exact = BigDecimal.ZERO;
                    MxArray a = w[row].array();
                    for (int i = 0; i < 100; i++) {
                        exact = exact.add(new BigDecimal(a.format().element().decode(a.elementCode(i)))
                                .multiply(new BigDecimal(a.scaleValue(i / 16)))
                                .multiply(new BigDecimal(a.tensorScale()))
                                .multiply(new BigDecimal(x[5 + i])));
                    }
                    MxDotTest.assertSame(BinaryRoundingOracle.toFloat(exact, Rounding.RNE), single[row], "row " + row);
                }
            }
            for (int threads : new int[] {1, 2, 3, 8}) {
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                try {
                    assertThat(bits(MxMatmul.matvec(arrays(w), x, 5, acc, Rounding.RNE, pool)))
                            .as("%s, %d threads", acc, threads).isEqualTo(bits(single));
                } finally {
                    pool.shutdown();
                }
            }
        }
    }

    /**
     * The same MX vector in every kind of storage MxArray has: its own arrays, a writable heap
     * buffer at an odd offset in a longer array, a direct buffer, a read-only heap buffer (the last
     * two have no array the kernels can read in place).
     */
    static MxArray[] storages(MxArray a) {
        byte[] elements = new byte[a.packedElements().remaining()];
        a.packedElements().get(elements);
        byte[] scales = new byte[a.scales().remaining()];
        a.scales().get(scales);
        byte[] paddedElements = new byte[elements.length + 8];
        byte[] paddedScales = new byte[scales.length + 6];
        System.arraycopy(elements, 0, paddedElements, 3, elements.length);
        System.arraycopy(scales, 0, paddedScales, 5, scales.length);
        ByteBuffer directElements = ByteBuffer.allocateDirect(elements.length).put(elements).flip();
        ByteBuffer directScales = ByteBuffer.allocateDirect(scales.length).put(scales).flip();
        return new MxArray[] {
            MxArray.of(a.format(), a.length(), elements, scales, a.tensorScale()),
            MxArray.wrap(a.format(), a.length(), ByteBuffer.wrap(paddedElements).position(3),
                    ByteBuffer.wrap(paddedScales).position(5), a.tensorScale()),
            MxArray.wrap(a.format(), a.length(), directElements, directScales, a.tensorScale()),
            MxArray.wrap(a.format(), a.length(), ByteBuffer.wrap(elements).asReadOnlyBuffer(),
                    ByteBuffer.wrap(scales).asReadOnlyBuffer(), a.tensorScale()),
        };
    }

    @Test
    void fastMatvecReadsEveryStorageTheSameForEveryThreadCount() {
        SplittableRandom r = new SplittableRandom(26);
        int k = 160;   // whole blocks of 32: the kernels' FAST path
        for (MxFormat f : new MxFormat[] {MxFormat.MXFP8_E4M3, MxFormat.MXFP4, MxFormat.MXINT8, MxFormat.MXFP6_E2M3}) {
            MxArray[] w = new MxArray[23];
            for (int row = 0; row < w.length; row++) {
                float[] values = new float[k];
                for (int i = 0; i < k; i++) {
                    values[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(20) - 10));
                }
                w[row] = MxQuantizer.quantize(f, values, 0, k);
            }
            float[] x = new float[k + 1];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            MxArray[][] byStorage = new MxArray[4][w.length];
            for (int row = 0; row < w.length; row++) {
                MxArray[] s = storages(w[row]);
                for (int kind = 0; kind < s.length; kind++) {
                    byStorage[kind][row] = s[kind];
                }
            }
            float[] want = MxMatmul.matvec(byStorage[0], x, 1, Accumulation.FAST, Rounding.RNE, null);
            for (int row = 0; row < w.length; row++) {
                // Independent check of the FAST result: within 2^-14 of sum |terms| of the exact sum.
                MxArray a = w[row];
                BigDecimal exact = BigDecimal.ZERO;
                BigDecimal magnitude = BigDecimal.ZERO;
                for (int i = 0; i < k; i++) {
                    BigDecimal term = new BigDecimal(a.format().element().decode(a.elementCode(i)))
                            .multiply(new BigDecimal(a.scaleValue(i / 32))).multiply(new BigDecimal(x[1 + i]));
                    exact = exact.add(term);
                    magnitude = magnitude.add(term.abs());
                }
                assertThat(new BigDecimal(want[row]).subtract(exact).abs())
                        .as("%s row %d", f, row).isLessThanOrEqualTo(magnitude.multiply(BigDecimal.valueOf(0x1p-14)));
            }
            for (int kind = 0; kind < byStorage.length; kind++) {
                for (int threads : new int[] {1, 2, 3}) {
                    ExecutorService pool = threads == 1 ? null : Executors.newFixedThreadPool(threads);
                    try {
                        assertThat(bits(MxMatmul.matvec(byStorage[kind], x, 1, Accumulation.FAST, Rounding.RNE, pool)))
                                .as("%s, storage %d, %d threads", f, kind, threads).isEqualTo(bits(want));
                    } finally {
                        if (pool != null) {
                            pool.shutdown();
                        }
                    }
                }
                for (int row = 0; row < w.length; row++) {
                    assertThat(MxDot.dot(byStorage[kind][row], x, 1, Accumulation.FAST, Rounding.RNE))
                            .as("%s, storage %d, row %d", f, kind, row).isEqualTo(want[row]);
                }
            }
        }
    }

    @Test
    void gemmWithAFloatMatrixUsesItsColumns() {
        SplittableRandom r = new SplittableRandom(23);
        int k = 64;
        int n = 7;
        // MXFP4 rows take the split-x route where the kernels prefer it (256-bit vectors).
        for (MxFormat f : new MxFormat[] {MxFormat.MXFP8_E5M2, MxFormat.MXFP4}) {
            MxDotTest.Operand[] a = operands(r, f, 11, k, 0);
            float[] b = new float[2 + k * n];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) ExactAccumulatorTest.randomDouble(r, -10, 10);
            }
            for (Accumulation acc : Accumulation.values()) {
                float[] c = MxMatmul.gemm(arrays(a), b, 2, n, acc, Rounding.RTZ, null);
                ExecutorService pool = Executors.newFixedThreadPool(3);
                try {
                    assertThat(bits(MxMatmul.gemm(arrays(a), b, 2, n, acc, Rounding.RTZ, pool))).isEqualTo(bits(c));
                } finally {
                    pool.shutdown();
                }
                for (int i = 0; i < a.length; i++) {
                    for (int j = 0; j < n; j++) {
                        float[] column = new float[k];
                        for (int t = 0; t < k; t++) {
                            column[t] = b[2 + t * n + j];
                        }
                        assertThat(c[i * n + j]).as("%s %s (%d, %d)", f, acc, i, j)
                                .isEqualTo(MxDot.dot(a[i].array(), column, 0, acc, Rounding.RTZ));
                    }
                }
            }
        }
    }

    @Test
    void tensorFormsMatchTheOracleAndEveryThreadCount() {
        SplittableRandom r = new SplittableRandom(25);
        int m = 9;
        int k = 80;
        int n = 6;
        float[] av = new float[m * k];
        float[] bv = new float[k * n];
        for (int i = 0; i < av.length; i++) {
            av[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < bv.length; i++) {
            bv[i] = (float) (r.nextGaussian() * 1e3);
        }
        MxTensor2d a = MxTensor2d.quantize(MxFormat.NVFP4, av, m, k, BlockAxis.ALONG_ROWS);
        MxTensor2d b = MxTensor2d.quantize(MxFormat.NVFP4, bv, k, n, BlockAxis.ALONG_COLUMNS);
        float[] c = MxMatmul.gemm(a, b, Rounding.RNE, null);
        float[] aq = new float[m * k];
        float[] bq = new float[k * n];
        a.dequantize(aq);
        b.dequantize(bq);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                // Oracle: exact products of the (exactly representable) dequantized values.
                BigDecimal exact = BigDecimal.ZERO;
                for (int t = 0; t < k; t++) {
                    BigDecimal pa = valueOf(a, i, t);
                    BigDecimal pb = valueOf(b, t, j);
                    exact = exact.add(pa.multiply(pb));
                }
                MxDotTest.assertSame(BinaryRoundingOracle.toFloat(exact, Rounding.RNE), c[i * n + j], "C" + i + "," + j);
            }
        }
        for (int threads : new int[] {1, 2, 3, 8}) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                assertThat(bits(MxMatmul.gemm(a, b, Rounding.RNE, pool))).isEqualTo(bits(c));
                assertThat(bits(MxMatmul.gemm(a, bv, 0, n, Accumulation.EXACT, Rounding.RNE, pool)))
                        .isEqualTo(bits(MxMatmul.gemm(a, bv, 0, n, Accumulation.EXACT, Rounding.RNE, null)));
                assertThat(bits(MxMatmul.matvec(a, b.column(0), Rounding.RNE, pool)))
                        .isEqualTo(bits(MxMatmul.matvec(a, b.column(0), Rounding.RNE, null)));
            } finally {
                pool.shutdown();
            }
        }
        float[] column0 = MxMatmul.matvec(a, b.column(0), Rounding.RNE, null);
        for (int i = 0; i < m; i++) {
            assertThat(column0[i]).isEqualTo(c[i * n]);
        }
        assertThatThrownBy(() -> MxMatmul.gemm(a, a, Rounding.RNE, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("9 x 80");
        assertThatThrownBy(() -> MxMatmul.gemm(b.transpose(), b.transpose(), Rounding.RNE, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MxMatmul.matvec(b, new float[80], 0, Accumulation.FAST, Rounding.RNE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("along rows");
    }

    /**
     * The tensor forms read a row-blocked tensor's rows in place (4- and 8-bit elements) or
     * through their views (others): the same bits as the rows given as MxArrays and as each row's
     * own dot, FAST and EXACT, whole blocks or not, for every thread count, with tensor scales.
     */
    @Test
    void tensorFormsWithFloatsGiveTheirRowsBits() {
        SplittableRandom r = new SplittableRandom(27);
        int m = 141;   // more than one batch of rows per kernel call (64), on one thread and on three
        for (MxFormat f : new MxFormat[] {MxFormat.MXFP4, MxFormat.MXFP8_E4M3, MxFormat.MXINT8, MxFormat.MXFP6_E2M3,
                MxFormat.NVFP4}) {
            for (int k : new int[] {96, 80}) {
                float[] w = new float[m * k];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(12) - 6));
                }
                MxTensor2d t = MxTensor2d.quantize(f, w, m, k, BlockAxis.ALONG_ROWS);
                MxArray[] rows = new MxArray[m];
                for (int i = 0; i < m; i++) {
                    rows[i] = t.row(i);
                }
                float[] x = new float[k + 3];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                float[] b = new float[k * 3];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) r.nextGaussian();
                }
                for (Accumulation mode : Accumulation.values()) {
                    String what = f + " k=" + k + " " + mode;
                    float[] want = MxMatmul.matvec(rows, x, 3, mode, Rounding.RNE, null);
                    for (int i = 0; i < m; i++) {
                        assertThat(Float.floatToRawIntBits(want[i])).as(what).isEqualTo(
                                Float.floatToRawIntBits(MxDot.dot(rows[i], x, 3, mode, Rounding.RNE)));
                    }
                    float[] wantGemm = MxMatmul.gemm(rows, b, 0, 3, mode, Rounding.RNE, null);
                    for (int threads : new int[] {1, 3}) {
                        ExecutorService pool = threads == 1 ? null : Executors.newFixedThreadPool(threads);
                        try {
                            assertThat(bits(MxMatmul.matvec(t, x, 3, mode, Rounding.RNE, pool))).as(what)
                                    .isEqualTo(bits(want));
                            assertThat(bits(MxMatmul.gemm(t, b, 0, 3, mode, Rounding.RNE, pool))).as(what)
                                    .isEqualTo(bits(wantGemm));
                        } finally {
                            if (pool != null) {
                                pool.shutdown();
                            }
                        }
                    }
                }
            }
        }
        assertThatThrownBy(() -> MxMatmul.matvec(MxTensor2d.quantize(MxFormat.MXFP4, new float[64], 1, 64,
                BlockAxis.ALONG_ROWS), new float[63], 0, Accumulation.FAST, Rounding.RNE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("63");
    }

    /**
     * A FAST product whose every term is a zero is -0 only when every term is -0 (the sign rule of
     * IEEE sums, which the lane order keeps: docs/dot.md): rows of -0 weights times positive x
     * give -0, rows of +0 weights, or of -0 weights times negative x, or of mixed zeros, give +0;
     * through the tensor form (the MXFP4 split loop at 256 bits) and the row form.
     */
    @Test
    void fastProductsOfZerosFollowTheSignRuleOfSums() {
        int k = 64;
        float[][] rows = new float[4][k];
        java.util.Arrays.fill(rows[0], -0.0f);
        java.util.Arrays.fill(rows[2], -0.0f);
        for (int i = 0; i < k; i++) {
            rows[3][i] = i % 3 == 0 ? 0.0f : -0.0f;
        }
        float[] positive = new float[k];
        java.util.Arrays.fill(positive, 1.5f);
        float[] negative = new float[k];
        java.util.Arrays.fill(negative, -0.75f);
        for (MxFormat f : new MxFormat[] {MxFormat.MXFP4, MxFormat.MXFP8_E4M3, MxFormat.MXFP6_E3M2}) {
            float[] w = new float[4 * k];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(rows[i], 0, w, i * k, k);
            }
            MxTensor2d t = MxTensor2d.quantize(f, w, 4, k, BlockAxis.ALONG_ROWS);
            float[] yPositive = MxMatmul.matvec(t, positive, 0, Accumulation.FAST, Rounding.RNE, null);
            float[] yNegative = MxMatmul.matvec(t, negative, 0, Accumulation.FAST, Rounding.RNE, null);
            assertThat(Float.floatToRawIntBits(yPositive[0])).as("%s: -0 rows x positive", f)
                    .isEqualTo(Float.floatToRawIntBits(-0.0f));
            assertThat(Float.floatToRawIntBits(yPositive[1])).as("%s: +0 rows x positive", f).isZero();
            assertThat(Float.floatToRawIntBits(yNegative[2])).as("%s: -0 rows x negative", f).isZero();
            assertThat(Float.floatToRawIntBits(yNegative[1])).as("%s: +0 rows x negative", f)
                    .isEqualTo(Float.floatToRawIntBits(-0.0f));
            assertThat(Float.floatToRawIntBits(yPositive[3])).as("%s: mixed zeros", f).isZero();
            for (int i = 0; i < 4; i++) {
                assertThat(Float.floatToRawIntBits(MxDot.dot(t.row(i), positive, 0, Accumulation.FAST, Rounding.RNE)))
                        .as("%s row %d", f, i).isEqualTo(Float.floatToRawIntBits(yPositive[i]));
            }
        }
    }

    /** The exact value at (r, c): element x scale x tensor scale, from the codes. */
    private static BigDecimal valueOf(MxTensor2d t, int r, int c) {
        MxArray line = t.axis() == BlockAxis.ALONG_ROWS ? t.row(r) : t.column(c);
        int i = t.axis() == BlockAxis.ALONG_ROWS ? c : r;
        return new BigDecimal(line.format().element().decode(line.elementCode(i)))
                .multiply(new BigDecimal(line.scaleValue(i / line.format().blockSize())))
                .multiply(new BigDecimal(line.tensorScale()));
    }

    @Test
    void mismatchesAreRejected() {
        SplittableRandom r = new SplittableRandom(24);
        MxArray[] a = arrays(operands(r, MxFormat.MXFP8_E4M3, 2, 64, 0));
        MxArray other = MxDotTest.randomOperand(r, MxFormat.MXFP4, 64, 0, 1f).array();
        MxArray shorter = MxDotTest.randomOperand(r, MxFormat.MXFP8_E4M3, 32, 0, 1f).array();
        assertThatThrownBy(() -> MxMatmul.matvec(new MxArray[] {a[0], other}, a[1], Rounding.RNE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has format");
        assertThatThrownBy(() -> MxMatmul.matvec(new MxArray[] {a[0], shorter}, a[1], Rounding.RNE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 32");
        assertThatThrownBy(() -> MxMatmul.matvec(a, shorter, Rounding.RNE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64").hasMessageContaining("32");
        assertThatThrownBy(() -> MxMatmul.gemm(a, new float[64 * 3 - 1], 0, 3, Accumulation.FAST, Rounding.RNE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 x 3");
        assertThatThrownBy(() -> MxMatmul.matvec(a, new float[10], 0, Accumulation.EXACT, Rounding.RNE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 10");
    }

    private static int[] bits(float[] c) {
        int[] out = new int[c.length];
        for (int i = 0; i < c.length; i++) {
            out[i] = Float.floatToRawIntBits(c[i]);
        }
        return out;
    }
}
