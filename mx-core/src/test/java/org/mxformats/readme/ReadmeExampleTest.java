package org.mxformats.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.mxformats.block.ErrorReport;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxQuantizer;
import org.mxformats.dot.Accumulation;
import org.mxformats.dot.MxDot;
import org.mxformats.dot.MxMatmul;
import org.mxformats.format.Rounding;

/** The README's block and dot example, kept compiling and checked here. */
class ReadmeExampleTest {
    @Test
    void readmeBlockAndDotExample() {
        float[] w = new float[64];
        float[] x = new float[64];
        for (int i = 0; i < 64; i++) {
            w[i] = (float) Math.sin(i) * 3;
            x[i] = (float) Math.cos(i);
        }
        // --- README example starts
        MxArray a = MxQuantizer.quantize(MxFormat.MXFP4, w, 0, w.length);      // 2 blocks of 32
        MxArray b = MxQuantizer.quantize(MxFormat.MXFP8_E4M3, x, 0, x.length);
        float exact = MxDot.dot(a, b, Rounding.RNE);                           // exact, rounded once
        float mixed = MxDot.dot(a, x, 0, Accumulation.FAST, Rounding.RNE);     // MX weights, float32 activations
        float[] y = MxMatmul.matvec(new MxArray[] {a, a}, b, Rounding.RNE, ForkJoinPool.commonPool());
        ErrorReport r = ErrorReport.measure(MxFormat.MXFP4, w);                // MSE, SQNR, saturation, ...
        // --- README example ends

        float[] da = new float[64];
        float[] db = new float[64];
        MxQuantizer.dequantize(a, da, 0);
        MxQuantizer.dequantize(b, db, 0);
        java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
        for (int i = 0; i < 64; i++) {
            sum = sum.add(new java.math.BigDecimal(da[i]).multiply(new java.math.BigDecimal(db[i])));
        }
        assertThat(exact).isEqualTo(sum.floatValue());
        assertThat(y).containsExactly(exact, exact);
        assertThat((double) mixed).isCloseTo(exact, org.assertj.core.data.Offset.offset(0.5));
        assertThat(r.sqnrDb()).isGreaterThan(5.0).isLessThan(40.0);
    }
}
