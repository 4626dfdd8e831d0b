package org.mxformats.dot;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.mxformats.block.BlockAxis;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxTensor2d;
import org.mxformats.format.Rounding;
import org.mxformats.simd.Kernels;

/**
 * Matrix-vector and matrix-matrix products on MX data, each output element an {@link MxDot} dot
 * product rounded once to float. A matrix operand is given as its MX rows (the left operand) or
 * MX columns (the right operand), each an {@link MxArray} of the shared inner length, all of one
 * {@link MxFormat}; a float32 right operand is a row-major array.
 *
 * <p>With an {@link Executor} (for example {@code ForkJoinPool.commonPool()}) the rows of the
 * result are split among tasks; each output element is still computed by one task, start to end,
 * in a fixed order, so the results are bit-identical for every executor and thread count (and,
 * in {@link Accumulation#EXACT} mode, equal to the exactly rounded real result). A null executor
 * runs everything on the calling thread. Stateless and thread-safe.
 */
public final class MxMatmul {
    /** Upper bound on tasks per call: enough to balance load, few enough to keep overhead low. */
    private static final int MAX_TASKS = 64;
    /** Rows of a tensor per FAST kernel call (their sums fit a small buffer). */
    private static final int ROW_BATCH = 64;

    private MxMatmul() {
    }

    /**
     * {@code y[r] = dot(rows[r], x)}, exact, rounded once to float.
     *
     * @throws IllegalArgumentException if the rows differ in format or length, or a row and
     *                                  {@code x} differ in length or block size
     */
    public static float[] matvec(MxArray[] rows, MxArray x, Rounding rounding, Executor executor) {
        return gemm(rows, new MxArray[] {x}, rounding, executor);
    }

    /**
     * {@code y[r] = dot(rows[r], x[xOffset ..])} with float32 activations, exact or fast.
     *
     * @throws IllegalArgumentException if the rows differ in format or length, or {@code x} is too short
     */
    public static float[] matvec(MxArray[] rows, float[] x, int xOffset, Accumulation mode, Rounding rounding,
                                 Executor executor) {
        int inner = sharedLength(rows, "row");
        MxDot.requireFloats(inner, x, xOffset);
        return floatProduct(Rows.of(rows), x, xOffset, inner, 1, mode, rounding, executor);
    }

    /**
     * The m x n product (row-major) of A, given as its m MX rows, and B, given as its n MX columns,
     * all of the same inner length; exact, each element rounded once to float.
     *
     * @throws IllegalArgumentException if the rows (or the columns) differ in format or length, or
     *                                  rows and columns differ in length or block size
     */
    public static float[] gemm(MxArray[] rowsOfA, MxArray[] columnsOfB, Rounding rounding, Executor executor) {
        MxDot.requireDeterministic(rounding);
        int inner = sharedLength(rowsOfA, "row");
        int innerB = sharedLength(columnsOfB, "column");
        if (rowsOfA.length > 0 && columnsOfB.length > 0) {
            MxDot.requireSameShape(rowsOfA[0].format(), inner, columnsOfB[0].format(), innerB);
        }
        int m = rowsOfA.length;
        int n = columnsOfB.length;
        float[] c = new float[Math.multiplyExact(m, n)];
        if (m == 0 || n == 0) {
            return c;
        }
        Unpacked[] columns = new Unpacked[n];
        run(n, executor, (lo, hi) -> {
            for (int j = lo; j < hi; j++) {
                columns[j] = Unpacked.of(columnsOfB[j]);
            }
        });
        BlockDotKernel kernel = MxDot.kernel(Unpacked.of(rowsOfA[0]), columns[0]);
        run(m, executor, (lo, hi) -> {
            ExactAccumulator acc = kernel.newAccumulator();
            for (int i = lo; i < hi; i++) {
                Unpacked row = Unpacked.of(rowsOfA[i]);
                for (int j = 0; j < n; j++) {
                    c[i * n + j] = (float) MxDot.dot(kernel, acc, row, columns[j], rounding, true);
                }
            }
        });
        return c;
    }

    /**
     * The m x n product (row-major) of A, given as its m MX rows of length K, and the K x n
     * float32 matrix B (row-major, from {@code bOffset}), exact or fast.
     *
     * @throws IllegalArgumentException if the rows differ in format or length, {@code n < 0}, or
     *                                  B has fewer than {@code K * n} values from {@code bOffset}
     */
    public static float[] gemm(MxArray[] rowsOfA, float[] b, int bOffset, int n, Accumulation mode, Rounding rounding,
                               Executor executor) {
        return floatGemm(Rows.of(rowsOfA), sharedLength(rowsOfA, "row"), b, bOffset, n, mode, rounding, executor);
    }

    private static float[] floatGemm(Rows rowsOfA, int inner, float[] b, int bOffset, int n, Accumulation mode,
                                     Rounding rounding, Executor executor) {
        if (n < 0) {
            throw new IllegalArgumentException("column count " + n + " is negative");
        }
        int size = Math.multiplyExact(inner, n);
        if (bOffset < 0 || bOffset > b.length - size) {
            throw new IllegalArgumentException("a " + inner + " x " + n + " float matrix needs " + size
                    + " values from offset " + bOffset + ", but the array has length " + b.length);
        }
        // Column-major copy: each output element then reads one contiguous column.
        float[] columns = new float[size];
        for (int r = 0; r < inner; r++) {
            for (int j = 0; j < n; j++) {
                columns[j * inner + r] = b[bOffset + r * n + j];
            }
        }
        return floatProduct(rowsOfA, columns, 0, inner, n, mode, rounding, executor);
    }

    // ---- MxTensor2d forms ----------------------------------------------------------------------

    /**
     * {@code y = W x} for a weight tensor with blocks along its rows and an MX vector of length
     * {@code W.cols()}; exact, each element rounded once to float.
     *
     * @throws IllegalArgumentException if W's blocks run along columns, or x's length or block size
     *                                  does not match W's rows
     */
    public static float[] matvec(MxTensor2d w, MxArray x, Rounding rounding, Executor executor) {
        return matvec(rows(w, "W"), x, rounding, executor);
    }

    /**
     * {@code y = W x} for a weight tensor with blocks along its rows and {@code W.cols()} float32
     * activations from {@code xOffset}, exact or fast.
     *
     * @throws IllegalArgumentException if W's blocks run along columns or x is too short
     */
    public static float[] matvec(MxTensor2d w, float[] x, int xOffset, Accumulation mode, Rounding rounding,
                                 Executor executor) {
        requireAlongRows(w, "W");
        MxDot.requireFloats(w.cols(), x, xOffset);
        return floatProduct(Rows.of(w), x, xOffset, w.cols(), 1, mode, rounding, executor);
    }

    /**
     * {@code C = A B} (row-major, {@code A.rows() x B.cols()}) for A with blocks along rows and B
     * with blocks along columns (so each output element is a dot of aligned blocks); exact.
     *
     * @throws IllegalArgumentException if an axis is wrong, {@code A.cols() != B.rows()}, or the
     *                                  block sizes differ
     */
    public static float[] gemm(MxTensor2d a, MxTensor2d b, Rounding rounding, Executor executor) {
        if (a.cols() != b.rows()) {
            throw new IllegalArgumentException("A is " + a.rows() + " x " + a.cols() + " but B is " + b.rows() + " x "
                    + b.cols() + ": A's columns must equal B's rows");
        }
        if (b.axis() != BlockAxis.ALONG_COLUMNS) {
            throw new IllegalArgumentException("B needs blocks along columns, has them " + b.axis()
                    + " (quantize B with BlockAxis.ALONG_COLUMNS, or pass B.transpose() of a row-blocked B^T)");
        }
        MxArray[] columns = new MxArray[b.cols()];
        for (int j = 0; j < columns.length; j++) {
            columns[j] = b.column(j);
        }
        return gemm(rows(a, "A"), columns, rounding, executor);
    }

    /**
     * {@code C = A B} for A with blocks along rows and a {@code A.cols() x n} row-major float32
     * matrix B from {@code bOffset}; exact or fast.
     *
     * @throws IllegalArgumentException if A's blocks run along columns or B is too short
     */
    public static float[] gemm(MxTensor2d a, float[] b, int bOffset, int n, Accumulation mode, Rounding rounding,
                               Executor executor) {
        requireAlongRows(a, "A");
        return floatGemm(Rows.of(a), a.cols(), b, bOffset, n, mode, rounding, executor);
    }

    private static void requireAlongRows(MxTensor2d t, String name) {
        if (t.axis() != BlockAxis.ALONG_ROWS) {
            throw new IllegalArgumentException(name + " needs blocks along rows, has them " + t.axis()
                    + " (quantize it with BlockAxis.ALONG_ROWS)");
        }
    }

    private static MxArray[] rows(MxTensor2d t, String name) {
        requireAlongRows(t, name);
        MxArray[] rows = new MxArray[t.rows()];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = t.row(r);
        }
        return rows;
    }

    /** The rows of a left operand: MxArrays, or the rows of one tensor ({@link SimdRoutes.TensorRows}). */
    private abstract static class Rows {
        final int count;

        Rows(int count) {
            this.count = count;
        }

        /** The format of every row (count > 0). */
        abstract MxFormat format();

        abstract MxArray row(int i);

        /** The tensor's rows when the kernels read them in place, else null. */
        SimdRoutes.TensorRows inPlace() {
            return null;
        }

        static Rows of(MxArray[] rows) {
            return new Rows(rows.length) {
                @Override
                MxFormat format() { return rows[0].format(); }

                @Override
                MxArray row(int i) { return rows[i]; }
            };
        }

        static Rows of(MxTensor2d t) {
            SimdRoutes.TensorRows lines = new SimdRoutes.TensorRows(t);
            return new Rows(t.rows()) {
                @Override
                MxFormat format() { return t.format(); }

                @Override
                MxArray row(int i) { return t.row(i); }

                @Override
                SimdRoutes.TensorRows inPlace() { return lines.codes != null ? lines : null; }
            };
        }
    }

    /** Rows times the n float columns stored one after another from {@code offset}. */
    private static float[] floatProduct(Rows rows, float[] columns, int offset, int inner, int n, Accumulation mode,
                                        Rounding rounding, Executor executor) {
        MxDot.requireDeterministic(rounding);
        Objects.requireNonNull(mode, "mode");
        int m = rows.count;
        float[] c = new float[Math.multiplyExact(m, n)];
        if (m == 0 || n == 0) {
            return c;
        }
        MxFormat f = rows.format();
        if (mode == Accumulation.FAST && SimdRoutes.fastApplies(f, inner)) {
            // Prepared once for all rows where the kernels read another form of x faster (256 bits).
            SimdRoutes.PreparedColumns prepared = SimdRoutes.prepareColumns(f, columns, offset, inner, n);
            Kernels.XForm form = prepared != null ? prepared.form() : Kernels.XForm.NATURAL;
            float[] x = prepared != null ? prepared.values() : columns;
            int xStart = prepared != null ? 0 : offset;
            int blocks = inner / f.blockSize();
            SimdRoutes.TensorRows lines = rows.inPlace();
            run(m, executor, (lo, hi) -> {
                if (lines != null) {   // a tensor's rows, ROW_BATCH per kernel call
                    double[] sums = new double[Math.min(ROW_BATCH, hi - lo)];
                    for (int i = lo; i < hi; i += sums.length) {
                        int count = Math.min(sums.length, hi - i);
                        for (int j = 0; j < n; j++) {
                            SimdRoutes.fastDotRows(f, blocks, lines, i, count, x, xStart + j * inner, form, sums);
                            for (int r = 0; r < count; r++) {
                                c[(i + r) * n + j] = SimdRoutes.toFloat(sums[r], rounding);
                            }
                        }
                    }
                    return;
                }
                SimdRoutes.Operand row = new SimdRoutes.Operand();   // reused row by row
                for (int i = lo; i < hi; i++) {
                    row.of(rows.row(i));
                    for (int j = 0; j < n; j++) {
                        double sum = prepared != null ? SimdRoutes.fastDotPrepared(f, blocks, row, prepared, j * inner)
                                : SimdRoutes.fastDot(f, blocks, row, columns, offset + j * inner);
                        c[i * n + j] = SimdRoutes.toFloat(sum, rounding);
                    }
                }
            });
            return c;
        }
        FloatDotKernel kernel = new FloatDotKernel(Unpacked.of(rows.row(0)));
        run(m, executor, (lo, hi) -> {
            ExactAccumulator acc = mode == Accumulation.EXACT ? kernel.newAccumulator() : null;
            for (int i = lo; i < hi; i++) {
                Unpacked row = Unpacked.of(rows.row(i));
                for (int j = 0; j < n; j++) {
                    c[i * n + j] = (float) MxDot.dot(kernel, acc, row, columns, offset + j * inner, mode, rounding, true);
                }
            }
        });
        return c;
    }

    /** The common length of the operands, which must also share one format. */
    private static int sharedLength(MxArray[] operands, String what) {
        if (operands.length == 0) {
            return 0;
        }
        MxFormat f = operands[0].format();
        int length = operands[0].length();
        for (int i = 1; i < operands.length; i++) {
            if (!operands[i].format().equals(f)) {
                throw new IllegalArgumentException(what + " " + i + " has format " + operands[i].format() + ", but "
                        + what + " 0 has " + f + ": all " + what + "s must share one format");
            }
            if (operands[i].length() != length) {
                throw new IllegalArgumentException(what + " " + i + " has length " + operands[i].length() + ", but "
                        + what + " 0 has " + length);
            }
        }
        return length;
    }

    /** Work on the index range [lo, hi). */
    private interface RangeTask {
        void run(int lo, int hi);
    }

    /**
     * Runs {@code task} over [0, count): on the calling thread without an executor, else split into
     * at most {@link #MAX_TASKS} contiguous ranges. Each index is handled by exactly one call, so
     * how the range is split never changes a result.
     */
    private static void run(int count, Executor executor, RangeTask task) {
        if (executor == null || count == 1) {
            task.run(0, count);
            return;
        }
        int tasks = Math.min(count, MAX_TASKS);
        List<CompletableFuture<Void>> futures = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            int lo = (int) ((long) count * t / tasks);
            int hi = (int) ((long) count * (t + 1) / tasks);
            futures.add(CompletableFuture.runAsync(() -> task.run(lo, hi), executor));
        }
        try {
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            if (e.getCause() instanceof Error) {
                throw (Error) e.getCause();
            }
            throw e;
        }
    }
}
