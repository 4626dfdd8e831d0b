package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
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
