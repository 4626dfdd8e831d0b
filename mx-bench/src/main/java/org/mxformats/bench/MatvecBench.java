package org.mxformats.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.mxformats.block.BlockAxis;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxTensor2d;
import org.mxformats.dot.Accumulation;
import org.mxformats.dot.MxMatmul;
import org.mxformats.format.Rounding;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matrix-vector products at 4096 x 4096 with float32 activations: MXFP4 and MXFP8 (FAST mode)
 * against a float32 FloatVector matvec and a hand-written float loop, on 1 and 2 threads (the
 * baselines split rows over the same thread pool as {@link MxMatmul}). The MX weights are one
 * {@link MxTensor2d} with blocks along rows, stored contiguously as the float32 matrix is: rows
 * quantized one by one into separate arrays lie scattered over the heap, and the hardware prefetcher
 * then restarts at every row (about 3x slower for MXFP8 in a side test, see docs/performance-history.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class MatvecBench {

    @Param({"4096"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    private float[] matrix;
    private float[] x;
    private MxTensor2d fp4;
    private MxTensor2d fp8;
    private ExecutorService pool;

    @Setup(Level.Trial)
    public void setup() {
        matrix = Baselines.gaussian(n * n, 7);
        x = Baselines.gaussian(n, 8);
        fp4 = MxTensor2d.quantize(MxFormat.MXFP4, matrix, n, n, BlockAxis.ALONG_ROWS);
        fp8 = MxTensor2d.quantize(MxFormat.MXFP8_E4M3, matrix, n, n, BlockAxis.ALONG_ROWS);
        pool = threads == 1 ? null : Executors.newFixedThreadPool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) {
            pool.shutdown();
        }
    }

    @Benchmark
    public float[] float32VectorMatvec() throws Exception {
        float[] y = new float[n];
        if (pool == null) {
            rows(y, 0, n);
            return y;
        }
        Future<?>[] parts = new Future<?>[threads];
        for (int t = 0; t < threads; t++) {
            int lo = n * t / threads;
            int hi = n * (t + 1) / threads;
            parts[t] = pool.submit(() -> rows(y, lo, hi));
        }
        for (Future<?> p : parts) {
            p.get();
        }
        return y;
    }

    private void rows(float[] y, int lo, int hi) {
        for (int r = lo; r < hi; r++) {
            y[r] = Baselines.vectorDot(matrix, r * n, x, 0, n);
        }
    }

    /** The loop a user writes by hand (single thread). */
    @Benchmark
    public float[] float32ScalarLoopMatvec() {
        float[] y = new float[n];
        for (int r = 0; r < n; r++) {
            float s = 0;
            for (int c = 0; c < n; c++) {
                s += matrix[r * n + c] * x[c];
            }
            y[r] = s;
        }
        return y;
    }

    @Benchmark
    public float[] mxfp4Matvec() {
        return MxMatmul.matvec(fp4, x, 0, Accumulation.FAST, Rounding.RNE, pool);
    }

    @Benchmark
    public float[] mxfp8Matvec() {
        return MxMatmul.matvec(fp8, x, 0, Accumulation.FAST, Rounding.RNE, pool);
    }
}
