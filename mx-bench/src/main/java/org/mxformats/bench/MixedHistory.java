package org.mxformats.bench;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.mxformats.block.BlockAxis;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxQuantizer;
import org.mxformats.block.MxTensor2d;
import org.mxformats.dot.Accumulation;
import org.mxformats.dot.MxDot;
import org.mxformats.dot.MxMatmul;
import org.mxformats.format.Rounding;

/**
 * Every hot path of the library run one after the other in one JVM, as an application runs them,
 * printing the bytes allocated and the time per call once each has warmed up. A JMH fork runs a
 * single method in a fresh JVM, so it cannot see a kernel that C2 compiles with boxed vectors only
 * after other paths have run (docs/performance.md, "A fourth C2 lesson"). Boxing shows as bytes
 * per call that grow with the length; a kernel compiled without boxes allocates nothing.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp mx-bench/target/benchmarks.jar
 * org.mxformats.bench.MixedHistory [formats [rounds]]}, formats a comma-separated list of preset
 * names (default mxint8,mxfp8_e4m3,mxfp4), rounds of warm-up per path (default 150). The times
 * are one JVM's and only a guide; performance is claimed from JMH runs.
 */
public final class MixedHistory {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static float sink;

    private MixedHistory() {
    }

    public static void main(String[] args) {
        String[] formats = (args.length > 0 ? args[0] : "mxint8,mxfp8_e4m3,mxfp4").split(",");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 150;
        System.out.printf("%-36s %8s %12s %12s%n", "path", "n", "bytes/call", "ns/call");
        for (int n : new int[] {1024, 1 << 20}) {
            for (String name : formats) {
                run(name, MxFormat.byName(name), n, rounds);
            }
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    private static void run(String name, MxFormat f, int n, int rounds) {
        Random random = new Random(7);
        float[] w = new float[n];
        float[] x = new float[n];
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) random.nextGaussian();
            x[i] = (float) random.nextGaussian();
        }
        MxArray a = MxQuantizer.quantize(f, w, 0, n);
        MxArray b = MxQuantizer.quantize(f, x, 0, n);
        if (!f.tensorScale()) {
            byte[] packed = new byte[f.packedBytes(n)];
            byte[] scales = new byte[f.blockCount(n)];
            measure(name + " quantize into arrays", n, rounds,
                    () -> MxQuantizer.quantize(f, w, 0, n, packed, 0, scales, 0));
        }
        measure(name + " dequantize", n, rounds, () -> MxQuantizer.dequantize(a, out, 0));
        measure(name + " dot FAST", n, rounds, () -> sink += MxDot.dot(a, x, 0, Accumulation.FAST, Rounding.RNE));
        measure(name + " dot EXACT", n, rounds, () -> sink += MxDot.dot(a, x, 0, Accumulation.EXACT, Rounding.RNE));
        measure(name + " dot MX x MX", n, rounds, () -> sink += MxDot.dot(a, b, Rounding.RNE));
        if (n == 1 << 20) {
            MxTensor2d t = MxTensor2d.quantize(f, w, 1024, 1024, BlockAxis.ALONG_ROWS);
            measure(name + " matvec 1024 x 1024 FAST", n, rounds,
                    () -> sink += MxMatmul.matvec(t, x, 0, Accumulation.FAST, Rounding.RNE, null)[0]);
        }
    }

    private static void measure(String path, int n, int rounds, Runnable call) {
        int calls = Math.max(4, (1 << 21) / n);
        long thread = Thread.currentThread().getId();
        for (int r = 0; r < rounds; r++) {
            long bytes = THREADS.getThreadAllocatedBytes(thread);
            long start = System.nanoTime();
            for (int c = 0; c < calls; c++) {
                call.run();
            }
            long nanos = System.nanoTime() - start;
            bytes = THREADS.getThreadAllocatedBytes(thread) - bytes;
            if (r == rounds - 1) {
                System.out.printf("%-36s %8d %12.1f %12.1f%n", path, n, bytes / (double) calls, nanos / (double) calls);
            }
        }
    }
}
