package org.mxformats.bench;

import java.util.concurrent.TimeUnit;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxQuantizer;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
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

/**
 * float32 -> MX quantize and MX -> float32 dequantize against the memory-stream bound (summing a
 * float array of the same element count) and a hand-written scalar quantizer, in one run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
public class QuantizeBench {

    @Param({"1024", "1048576", "67108864"})
    public int size;

    @Param({"mxfp8_e4m3", "mxfp4"})
    public String format;

    private MxFormat f;
    private float[] in;
    private float[] out;
    private MxArray quantized;
    private byte[] packedOut;
    private byte[] scalesOut;

    @Setup
    public void setup() {
        f = MxFormat.byName(format);
        in = Baselines.gaussian(size, 1);
        out = new float[size];
        quantized = MxQuantizer.quantize(f, in, 0, size);
        packedOut = new byte[f.packedBytes(size)];
        scalesOut = new byte[f.blockCount(size)];
    }

    /** Baseline: the memory-stream bound for {@code size} floats. */
    @Benchmark
    public float memoryStreamSum() {
        return Baselines.streamSum(in);
    }

    @Benchmark
    public MxArray quantize() {
        return MxQuantizer.quantize(f, in, 0, size);
    }

    /** {@link #quantize} into arrays reused from call to call: no new array to zero. */
    @Benchmark
    public MxArray quantizeIntoArrays() {
        return MxQuantizer.quantize(f, in, 0, size, packedOut, 0, scalesOut, 0);
    }

    @Benchmark
    public float[] dequantize() {
        MxQuantizer.dequantize(quantized, out, 0);
        return out;
    }

    /**
     * Baseline: what a user writes by hand with the element encoder: per block amax, the floor
     * scale 2^(floor(log2 amax) - emax), then {@code encode(x / scale)} element by element.
     */
    @Benchmark
    public byte[] scalarLoopQuantize() {
        ElementFormat e = f.element();
        int k = f.blockSize();
        byte[] codes = new byte[size];
        byte[] scales = new byte[f.blockCount(size)];
        for (int start = 0, b = 0; start < size; start += k, b++) {
            int end = Math.min(size, start + k);
            float amax = 0;
            for (int i = start; i < end; i++) {
                amax = Math.max(amax, Math.abs(in[i]));
            }
            int exponent = amax == 0 ? -127 : Math.max(-127, Math.getExponent(amax) - e.emax());
            scales[b] = (byte) (exponent + 127);
            float inverse = (float) Math.scalb(1.0, -exponent);
            for (int i = start; i < end; i++) {
                codes[i] = (byte) e.encode(in[i] * inverse, f.elementRounding(), Overflow.SATURATE);
            }
        }
        return codes;
    }
}
