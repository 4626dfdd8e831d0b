package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;
import org.junit.jupiter.api.Test;

class ErrorReportTest {

    @Test
    void handCheckedSmallCase() {
        // errors 0,0,0,1: MSE 1/4; mean 2.5, variance (2.25+0.25+0.25+2.25)/4 = 1.25; sum x^2 = 30
        ErrorReport r = ErrorReport.of(new float[]{1, 2, 3, 4}, new float[]{1, 2, 3, 5});
        assertThat(r.length()).isEqualTo(4);
        assertThat(r.mse()).isEqualTo(0.25);
        assertThat(r.inputVariance()).isEqualTo(1.25);
        assertThat(r.relativeMse()).isEqualTo(0.2);
        assertThat(r.inputMeanSquare()).isEqualTo(7.5);
        assertThat(r.sqnrDb()).isCloseTo(10 * Math.log10(30), within(1e-12));
        assertThat(r.maxAbsError()).isEqualTo(1.0);
        assertThat(r.maxRelativeError()).isEqualTo(0.25);
        assertThat(r.flushedToZeroCount()).isZero();
    }

    @Test
    void zeroInputsAndFlushedElements() {
        // a zero kept as zero adds no relative error; a nonzero value flushed to zero has relative error 1
        ErrorReport r = ErrorReport.of(new float[]{0, -0.5f, 2, 0}, new float[]{0, 0, 2, -0f});
        assertThat(r.maxRelativeError()).isEqualTo(1.0);
        assertThat(r.flushedToZeroCount()).isEqualTo(1);
        assertThat(r.flushedToZeroShare()).isEqualTo(0.25);
        assertThat(r.maxAbsError()).isEqualTo(0.5);
        // a zero input reconstructed as nonzero has an unbounded relative error
        assertThat(ErrorReport.of(new float[]{0, 1}, new float[]{0.25f, 1}).maxRelativeError())
                .isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void exactAndDegenerateCases() {
        ErrorReport exact = ErrorReport.of(new float[]{3, -1}, new float[]{3, -1});
        assertThat(exact.mse()).isZero();
        assertThat(exact.relativeMse()).isZero();
        assertThat(exact.sqnrDb()).isEqualTo(Double.POSITIVE_INFINITY);
        ErrorReport constant = ErrorReport.of(new float[]{2, 2}, new float[]{2, 3});
        assertThat(constant.inputVariance()).isZero();
        assertThat(constant.relativeMse()).isEqualTo(Double.POSITIVE_INFINITY);
        ErrorReport zeros = ErrorReport.of(new float[]{0, 0}, new float[]{0, 1});
        assertThat(zeros.sqnrDb()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(ErrorReport.of(new float[]{0, 0}, new float[]{0, 0}).relativeMse()).isZero();
    }

    @Test
    void reportsWithoutAFormatRefuseTheFormatCounts() {
        ErrorReport r = ErrorReport.of(new float[]{1}, new float[]{1});
        assertThatThrownBy(r::saturatedCount).isInstanceOf(IllegalStateException.class).hasMessageContaining("format");
        assertThatThrownBy(r::underflowedScaleBlockCount).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::zeroScaleBlockCount).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::blockCount).isInstanceOf(IllegalStateException.class);
    }

    private static final MxFormat E2M1_UE4M3_K4 = MxFormat.of(ElementFormat.E2M1, ElementFormat.UE4M3, 4, ScaleRule.RNE, Rounding.RNE);

    @Test
    void handCheckedFormatCounts() {
        float[] x = {
            6, 1, 0, 0,            // amax 6: scale 6/6 = 1, nothing saturates
            6.2f, 1, 2, 3,         // 6.2/6 = 1.033 rounds to ue4m3 1.0: 6.2 is clamped to 6 but would round to 6 anyway
            0.0164f, 0, 0, 0,      // 0.0164/6 = 1.3995 * 2^-9 rounds to the subnormal scale 2^-9: 8.4 > 6 + 2/2 saturates
            1e-4f, -1e-4f, 0, 0,   // 1e-4/6 < 2^-10 (half of ue4m3's least subnormal 2^-9): scale 0, two flushed
            0.03f, 0.01f, 0, 0,    // 0.005 is a nonzero subnormal ue4m3 scale (least normal 2^-6): underflowed only
            0, 0, 0, 0,            // a zero block neither underflows nor counts as a zero scale
            3};                    // a partial last block
        ErrorReport r = ErrorReport.measure(E2M1_UE4M3_K4, x);
        assertThat(r.format()).contains(E2M1_UE4M3_K4);
        assertThat(r.length()).isEqualTo(25);
        assertThat(r.blockCount()).isEqualTo(7);
        assertThat(r.saturatedCount()).isEqualTo(1);
        assertThat(r.zeroScaleBlockCount()).isEqualTo(1);
        assertThat(r.underflowedScaleBlockCount()).isEqualTo(3);
        assertThat(r.underflowedScaleBlockShare()).isEqualTo(3.0 / 7);
        assertThat(r.saturatedShare()).isEqualTo(1.0 / 25);
        assertThat(r.flushedToZeroCount()).isEqualTo(2); // only the zero-scale block's two nonzero elements

        // e8m0 FLOOR: amax 7.5 gives X = 2^(floor(log2 7.5) - 2) = 1; 7.5 and -7.25 lie beyond 7, the
        // midpoint between e2m1's 6 and the 8 a wider format would have, so they saturate; 7 (a tie) does not
        MxFormat floor = MxFormat.of(ElementFormat.E2M1, ElementFormat.E8M0, 4, ScaleRule.FLOOR, Rounding.RNE);
        ErrorReport f = ErrorReport.measure(floor, new float[]{7.5f, -7.25f, 7, 1});
        assertThat(f.saturatedCount()).isEqualTo(2);
        assertThat(f.underflowedScaleBlockCount()).isZero();
        assertThat(f.maxAbsError()).isEqualTo(1.5);
    }

    @Test
    void tensorScaleMovesTheUnderflowBound() {
        // amax(tensor) = 2688 = 448 * 6 gives tensor scale 1; the second block's ideal scale 0.05/6 is
        // below ue4m3's least normal 2^-6 but nonzero, so it underflows without flushing the block
        MxFormat nv = E2M1_UE4M3_K4.withTensorScale(true);
        ErrorReport r = ErrorReport.measure(nv, new float[]{2688, 1, 2, 3, 0.05f, 0.01f, 0, 0});
        assertThat(r.underflowedScaleBlockCount()).isEqualTo(1);
        assertThat(r.zeroScaleBlockCount()).isZero();
        // without a tensor scale the same second block is no different (its ideal scale does not depend on the first)
        assertThat(ErrorReport.measure(E2M1_UE4M3_K4, new float[]{2688, 1, 2, 3, 0.05f, 0.01f, 0, 0})
                .underflowedScaleBlockCount()).isEqualTo(1);
        // a tiny tensor: the tensor scale lifts every block into ue4m3's normal range
        float[] tiny = {1e-4f, -2e-5f, 3e-5f, 0, 5e-5f, 1e-5f, 0, 0};
        assertThat(ErrorReport.measure(nv, tiny).underflowedScaleBlockCount()).isZero();
        assertThat(ErrorReport.measure(E2M1_UE4M3_K4, tiny).zeroScaleBlockCount()).isEqualTo(2);
    }

    @Test
    void measuredCountsAgreeWithAnExactRecomputationFromTheMxArray() {
        SplittableRandom random = new SplittableRandom(77);
        MxFormat[] formats = {
            E2M1_UE4M3_K4.withBlockSize(16), E2M1_UE4M3_K4.withBlockSize(16).withTensorScale(true),
            MxFormat.of(ElementFormat.E2M1, ElementFormat.UE5M3, 8, ScaleRule.RNE, Rounding.RNE),
            MxFormat.of(ElementFormat.E4M3, ElementFormat.E8M0, 32, ScaleRule.FLOOR, Rounding.RNE),
            MxFormat.of(ElementFormat.E2M3, ElementFormat.E8M0, 8, ScaleRule.RCEIL, Rounding.RNE),
            MxFormat.of(ElementFormat.INT8, ElementFormat.E8M0, 16, ScaleRule.FLOOR, Rounding.RNE)};
        for (MxFormat f : formats) {
            for (int trial = 0; trial < 20; trial++) {
                int n = 1 + random.nextInt(500);
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    // magnitudes from 2^-30 to 2^10, so blocks underflow, flush and saturate
                    x[i] = (float) (Math.scalb(random.nextDouble(), random.nextInt(-30, 10)) * (random.nextBoolean() ? 1 : -1));
                    if (random.nextInt(20) == 0) {
                        x[i] = 0;
                    }
                }
                MxArray a = MxQuantizer.quantize(f, x, 0, n);
                ErrorReport r = ErrorReport.of(x, 0, a);
                float[] y = new float[n];
                MxQuantizer.dequantize(a, y, 0);
                ErrorReport plain = ErrorReport.of(x, y);
                assertThat(r.mse()).isEqualTo(plain.mse());
                assertThat(r.maxRelativeError()).isEqualTo(plain.maxRelativeError());
                assertThat(r.flushedToZeroCount()).isEqualTo(plain.flushedToZeroCount());
                assertThat(ErrorReport.measure(f, x).toString()).isEqualTo(r.toString());

                BigDecimal max = new BigDecimal(f.element().maxFinite());
                // the midpoint between the largest value and the next one up, from the sorted value table
                double belowMax = java.util.Arrays.stream(f.element().sortedValues())
                        .filter(v -> v < f.element().maxFinite()).max().getAsDouble();
                BigDecimal bound = max.add(max.subtract(new BigDecimal(belowMax)).divide(BigDecimal.valueOf(2)));
                BigDecimal ts = new BigDecimal(a.tensorScale());
                BigDecimal leastNormal = new BigDecimal(f.scale().minNormal());
                int saturated = 0;
                int underflowed = 0;
                int zero = 0;
                for (int b = 0, start = 0; b < a.blockCount(); start += a.blockLength(b), b++) {
                    BigDecimal scale = new BigDecimal(a.scaleValue(b));
                    BigDecimal amax = BigDecimal.ZERO;
                    for (int i = start; i < start + a.blockLength(b); i++) {
                        BigDecimal xi = new BigDecimal(x[i]).abs();
                        amax = amax.max(xi);
                        if (scale.signum() > 0 && xi.compareTo(bound.multiply(scale).multiply(ts)) > 0) {
                            saturated++;
                        }
                    }
                    if (amax.signum() > 0) {
                        underflowed += amax.compareTo(leastNormal.multiply(max).multiply(ts)) < 0 ? 1 : 0;
                        zero += scale.signum() == 0 ? 1 : 0;
                    }
                }
                assertThat(r.saturatedCount()).as("%s", f).isEqualTo(saturated);
                assertThat(r.underflowedScaleBlockCount()).as("%s", f).isEqualTo(underflowed);
                assertThat(r.zeroScaleBlockCount()).as("%s", f).isEqualTo(zero);
            }
        }
        assertThatThrownBy(() -> ErrorReport.of(new float[3], 0, MxQuantizer.quantize(formats[0], new float[4], 0, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 0");
        assertThatThrownBy(() -> ErrorReport.measure(formats[0], new float[]{1, Float.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 1");
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> ErrorReport.of(new float[]{1, 2}, new float[]{1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2").hasMessageContaining("1");
        assertThatThrownBy(() -> ErrorReport.of(new float[0], new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> ErrorReport.of(new float[]{1, Float.NaN}, new float[]{1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 1");
        assertThatThrownBy(() -> ErrorReport.of(new float[]{1, 1}, new float[]{Float.POSITIVE_INFINITY, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element 0");
    }

    @Test
    void compensatedSumsKeepSmallTermsAfterALargeOne() {
        // One squared error of 1e16 then 1000 of 1: a plain double sum drops every 1 (ulp(1e16) = 2, ties to
        // even), which is off by 1e-13 relative; the compensated sum must be within a few ulps.
        int n = 1001;
        float[] x = new float[n];
        float[] y = new float[n];
        x[0] = 1e8f;
        for (int i = 1; i < n; i++) {
            x[i] = 1;
        }
        ErrorReport r = ErrorReport.of(x, y);
        Exact e = Exact.of(x, y);
        assertThat(r.mse()).isCloseTo(e.mse.doubleValue(), within(Math.ulp(e.mse.doubleValue()) * 2));
        assertThat(r.inputMeanSquare()).isCloseTo(e.meanSquare.doubleValue(), within(Math.ulp(e.meanSquare.doubleValue()) * 2));
    }

    @Test
    void randomTensorsAgreeWithAnExactBigDecimalRecomputation() {
        SplittableRandom random = new SplittableRandom(20261123);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + random.nextInt(3000);
            float[] x = new float[n];
            float[] y = new float[n];
            double magnitude = Math.scalb(1.0, random.nextInt(-40, 40));
            double offset = trial % 3 == 0 ? magnitude * 1000 : 0; // a large mean stresses the variance
            for (int i = 0; i < n; i++) {
                x[i] = (float) (offset + magnitude * (random.nextDouble() * 2 - 1));
                int kind = random.nextInt(10);
                y[i] = kind == 0 ? 0f : kind == 1 ? x[i] : (float) (x[i] * (1 + 0.1 * (random.nextDouble() - 0.5)));
                if (random.nextInt(50) == 0) {
                    x[i] = 0;
                }
            }
            ErrorReport r = ErrorReport.of(x, y);
            Exact e = Exact.of(x, y);
            assertThat(r.mse()).isCloseTo(e.mse.doubleValue(), within(1e-13 * e.mse.doubleValue()));
            assertThat(r.inputVariance()).isCloseTo(e.variance.doubleValue(), within(1e-11 * e.variance.doubleValue()));
            assertThat(r.inputMeanSquare()).isCloseTo(e.meanSquare.doubleValue(), within(1e-13 * e.meanSquare.doubleValue()));
            if (e.mse.signum() > 0) {
                assertThat(r.relativeMse()).isCloseTo(e.mse.doubleValue() / e.variance.doubleValue(),
                        within(1e-10 * r.relativeMse()));
                assertThat(r.sqnrDb()).isCloseTo(10 * Math.log10(e.meanSquare.doubleValue() / e.mse.doubleValue()),
                        within(1e-9));
            }
            assertThat(r.maxAbsError()).isEqualTo(e.maxAbs.doubleValue());
            assertThat(r.maxRelativeError()).isCloseTo(e.maxRelative, within(1e-15 * e.maxRelative));
            assertThat(r.flushedToZeroCount()).isEqualTo(e.flushed);
        }
    }

    /** The same quantities recomputed exactly with BigDecimal, independently of ErrorReport's code. */
    static final class Exact {
        BigDecimal mse;
        BigDecimal variance;
        BigDecimal meanSquare;
        BigDecimal maxAbs = BigDecimal.ZERO;
        double maxRelative;
        int flushed;

        static Exact of(float[] x, float[] y) {
            MathContext mc = new MathContext(60);
            Exact e = new Exact();
            BigDecimal n = BigDecimal.valueOf(x.length);
            BigDecimal sum = BigDecimal.ZERO;
            BigDecimal squares = BigDecimal.ZERO;
            BigDecimal errors = BigDecimal.ZERO;
            for (int i = 0; i < x.length; i++) {
                BigDecimal xi = new BigDecimal(x[i]);
                BigDecimal d = xi.subtract(new BigDecimal(y[i])).abs();
                sum = sum.add(xi);
                squares = squares.add(xi.multiply(xi));
                errors = errors.add(d.multiply(d));
                e.maxAbs = e.maxAbs.max(d);
                double rel = x[i] == 0 ? (d.signum() == 0 ? 0 : Double.POSITIVE_INFINITY)
                        : d.divide(xi.abs(), mc).doubleValue();
                e.maxRelative = Math.max(e.maxRelative, rel);
                if (x[i] != 0 && y[i] == 0) {
                    e.flushed++;
                }
            }
            BigDecimal mean = sum.divide(n, mc);
            BigDecimal deviations = BigDecimal.ZERO;
            for (float xi : x) {
                BigDecimal dev = new BigDecimal(xi).subtract(mean);
                deviations = deviations.add(dev.multiply(dev));
            }
            e.mse = errors.divide(n, mc);
            e.variance = deviations.divide(n, mc);
            e.meanSquare = squares.divide(n, mc);
            return e;
        }
    }
}
