package org.mxformats.bench;

import java.util.concurrent.TimeUnit;
import org.apache.lucene.util.VectorUtil;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxQuantizer;
import org.mxformats.dot.Accumulation;
import org.mxformats.dot.MxDot;
import org.mxformats.format.Rounding;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Dot products of {@code size} elements: MX x float32 (FAST and EXACT) and MX x MX (always exact)
 * against a memory stream over {@code size} floats, a FloatVector fma float32 dot, a hand-written
 * float loop, and Lucene's {@code VectorUtil.dotProduct(byte[], byte[])} on the same int8 data as
 * the MXINT8 operands. Each benchmark builds only the data it reads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class DotBench {

    @Param({"1024", "1048576", "67108864"})
    public int size;

    private float[] a;
    private float[] b;
    private byte[] int8A;
    private byte[] int8B;
    private MxArray mxA;
    private MxArray mxB;

    @Setup
    public void setup(BenchmarkParams params) {
        String name = params.getBenchmark();
        name = name.substring(name.lastIndexOf('.') + 1);
        a = Baselines.gaussian(size, 1);
        if (name.startsWith("float32") || name.startsWith("memory")) {
            b = Baselines.gaussian(size, 2);
        } else if (name.contains("int8") || name.contains("Int8")) {
            int8A = Baselines.bytes(size, 3);
            int8B = Baselines.bytes(size, 4);
            mxA = MxArray.of(MxFormat.MXINT8, size, int8A, scales(size, 5), 1f);
            mxB = MxArray.of(MxFormat.MXINT8, size, int8B, scales(size, 6), 1f);
            if (name.endsWith("NearMidpoint")) {
                a = nearMidpoint(mxA, a);
            }
        } else {
            MxFormat f = name.contains("fp8") ? MxFormat.MXFP8_E4M3 : name.startsWith("nvfp4") ? MxFormat.NVFP4
                    : MxFormat.MXFP4;
            mxA = MxQuantizer.quantize(f, a, 0, size);
            mxB = MxQuantizer.quantize(f, Baselines.gaussian(size, 2), 0, size);
        }
    }

    /**
     * x with its last element moved so that the exact dot of {@code m} and x lies near a float
     * midpoint (about {@code 2^-25 |P X x_last| / |E|} ulps from it, some 2^-34 of E at 1M
     * elements): too near for the certified path's first bound, which leaves such calls (about 1
     * in 40 of Gaussian ones at 1M elements) to the second; not on it, where the exact sum answers.
     */
    static float[] nearMidpoint(MxArray m, float[] x) {
        float[] near = x.clone();
        int last = near.length - 1;
        while (m.value(last) == 0) {
            last--;
        }
        double exact = MxDot.dotDouble(m, near, 0, Accumulation.EXACT, Rounding.RNE);
        float f = (float) exact;
        float other = exact > f ? Math.nextUp(f) : Math.nextDown(f);
        double midpoint = ((double) f + other) / 2;   // exact in double
        double value = m.value(last);   // P X t, exact in float for MXINT8
        near[last] = (float) (near[last] + (midpoint - exact) / value);
        if (MxDot.dotDouble(m, near, 0, Accumulation.EXACT, Rounding.RNE) == midpoint) {
            near[last] = Math.nextUp(near[last]);   // on the midpoint: moved off it by one float ulp
        }
        return near;
    }

    private static byte[] scales(int size, long seed) {
        byte[] s = Baselines.bytes(MxFormat.MXINT8.blockCount(size), seed);
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (120 + Math.floorMod(s[i], 15));   // 2^-7 .. 2^7
        }
        return s;
    }

    @Benchmark
    public float memoryStreamSum() {
        return Baselines.streamSum(a);
    }

    @Benchmark
    public float float32VectorFmaDot() {
        return Baselines.vectorDot(a, 0, b, 0, size);
    }

    @Benchmark
    public float float32ScalarLoopDot() {
        return Baselines.scalarDot(a, b);
    }

    @Benchmark
    public int luceneInt8Dot() {
        return VectorUtil.dotProduct(int8A, int8B);
    }

    /** MXINT8 x MXINT8: exact (the only MX x MX mode), on Lucene's bytes with block scales. */
    @Benchmark
    public float mxint8Dot() {
        return MxDot.dot(mxA, mxB, Rounding.RNE);
    }

    @Benchmark
    public float mxint8FloatFast() {
        return MxDot.dot(mxA, a, 0, Accumulation.FAST, Rounding.RNE);
    }

    @Benchmark
    public float mxint8FloatExact() {
        return MxDot.dot(mxA, a, 0, Accumulation.EXACT, Rounding.RNE);
    }

    /**
     * EXACT on the same operands as {@link #mxint8FloatExact}, with x moved so that the exact
     * result lies near a float midpoint ({@link #nearMidpoint}): the first certificate declines,
     * the second decides.
     */
    @Benchmark
    public float mxint8FloatExactNearMidpoint() {
        return MxDot.dot(mxA, a, 0, Accumulation.EXACT, Rounding.RNE);
    }

    @Benchmark
    public float mxfp8Dot() {
        return MxDot.dot(mxA, mxB, Rounding.RNE);
    }

    @Benchmark
    public float mxfp8FloatFast() {
        return MxDot.dot(mxA, a, 0, Accumulation.FAST, Rounding.RNE);
    }

    @Benchmark
    public float mxfp8FloatExact() {
        return MxDot.dot(mxA, a, 0, Accumulation.EXACT, Rounding.RNE);
    }

    @Benchmark
    public float mxfp4Dot() {
        return MxDot.dot(mxA, mxB, Rounding.RNE);
    }

    @Benchmark
    public float mxfp4FloatFast() {
        return MxDot.dot(mxA, a, 0, Accumulation.FAST, Rounding.RNE);
    }

    /** NVFP4 (e2m1 in blocks of 16, UE4M3 scales, a tensor scale) x float32, FAST. */
    @Benchmark
    public float nvfp4FloatFast() {
        return MxDot.dot(mxA, a, 0, Accumulation.FAST, Rounding.RNE);
    }

    /** NVFP4 x NVFP4, exact (UE4M3 block scales and two tensor scales). */
    @Benchmark
    public float nvfp4Dot() {
        return MxDot.dot(mxA, mxB, Rounding.RNE);
    }

    /** NVFP4 x float32, EXACT (certified: UE4M3 scales and the tensor scale qualify). */
    @Benchmark
    public float nvfp4FloatExact() {
        return MxDot.dot(mxA, a, 0, Accumulation.EXACT, Rounding.RNE);
    }

    @Benchmark
    public float mxfp4FloatExact() {
        return MxDot.dot(mxA, a, 0, Accumulation.EXACT, Rounding.RNE);
    }
}
