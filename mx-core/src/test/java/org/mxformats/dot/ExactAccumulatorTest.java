package org.mxformats.dot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mxformats.format.Rounding;

class ExactAccumulatorTest {
    private static final Rounding[] MODES = {Rounding.RNE, Rounding.RNA, Rounding.RTZ, Rounding.RUP, Rounding.RDN, Rounding.ODD};

    /** A double with a random sign, significand and exponent in [minExp, maxExp] (subnormals included). */
    static double randomDouble(SplittableRandom r, int minExp, int maxExp) {
        int e = minExp + r.nextInt(maxExp - minExp + 1);
        double m = 1 + r.nextDouble();
        if (r.nextInt(4) == 0) {
            m = 1 + (r.nextInt(8) / 8.0);   // short significands make ties and exact cancellations likely
        }
        double v = Math.scalb(m, e);
        return r.nextBoolean() ? -v : v;
    }

    private static void assertAllModes(ExactAccumulator acc, BigDecimal exact, String what) {
        for (Rounding mode : MODES) {
            double wantD = BinaryRoundingOracle.toDouble(exact, mode);
            float wantF = BinaryRoundingOracle.toFloat(exact, mode);
            assertThat(Double.doubleToRawLongBits(acc.toDouble(mode))).as("%s double %s: want %s got %s", what, mode,
                    wantD, acc.toDouble(mode)).isEqualTo(Double.doubleToRawLongBits(wantD));
            assertThat(Float.floatToRawIntBits(acc.toFloat(mode))).as("%s float %s: want %s got %s", what, mode,
                    wantF, acc.toFloat(mode)).isEqualTo(Float.floatToRawIntBits(wantF));
        }
    }

    /**
     * A long times 2^e times a double, rounded once (the streamed MX x MX dot's tensor scales): the
     * oracle's rounding of the exact product in every mode, to float and double, for products that
     * need all 117 bits, long extremes (Long.MIN_VALUE, +-1), subnormal and huge factors, and
     * results in float's and double's subnormal and overflow ranges.
     */
    @Test
    void roundScaledProductIsTheExactProductRoundedOnce() {
        SplittableRandom r = new SplittableRandom(91);
        long[] values = {1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 3, (1L << 62) + 1, -(1L << 40) - 7};
        for (int t = 0; t < 4000; t++) {
            long v = t < values.length * 8 ? values[t % values.length] : r.nextLong() >> r.nextInt(63);
            if (v == 0) {
                v = 1;
            }
            double factor = t % 5 == 0 ? Double.MIN_VALUE * (1 + r.nextInt(1 << 20))
                    : (r.nextBoolean() ? -1 : 1) * (1 + r.nextDouble()) * Math.scalb(1.0, r.nextInt(-300, 300));
            int e = r.nextInt(-1200, 900);
            BigDecimal exact = new BigDecimal(v).multiply(BinaryRoundingOracle.pow2(e)).multiply(new BigDecimal(factor));
            for (Rounding m : Rounding.values()) {
                if (!m.isDeterministic()) {
                    continue;
                }
                String what = v + " * 2^" + e + " * " + factor + " " + m;
                assertThat(Float.floatToRawIntBits((float) ExactAccumulator.roundScaledProduct(v, e, factor, m, true)))
                        .as("float " + what).isEqualTo(Float.floatToRawIntBits(BinaryRoundingOracle.toFloat(exact, m)));
                assertThat(Double.doubleToRawLongBits(ExactAccumulator.roundScaledProduct(v, e, factor, m, false)))
                        .as("double " + what).isEqualTo(Double.doubleToRawLongBits(BinaryRoundingOracle.toDouble(exact, m)));
            }
        }
    }

    @Test
    void randomSumsMatchBigDecimalInEveryMode() {
        SplittableRandom r = new SplittableRandom(1);
        int[][] ranges = {{-1074, 1023}, {-1074, -1000}, {-30, 30}, {900, 1023}, {-160, -120}, {100, 140}};
        for (int t = 0; t < 600; t++) {
            int[] range = ranges[t % ranges.length];
            int n = 1 + r.nextInt(t % 7 == 0 ? 300 : 12);
            ExactAccumulator acc = new ExactAccumulator();
            BigDecimal exact = BigDecimal.ZERO;
            for (int i = 0; i < n; i++) {
                double v = randomDouble(r, range[0], range[1]);
                acc.add(v);
                exact = exact.add(BinaryRoundingOracle.exact(v));
            }
            assertAllModes(acc, exact, "case " + t);
        }
    }

    @Test
    void randomProductsMatchBigDecimalInEveryMode() {
        SplittableRandom r = new SplittableRandom(2);
        for (int t = 0; t < 400; t++) {
            int n = 1 + r.nextInt(20);
            int lo = t % 2 == 0 ? -1074 : -600;
            int hi = t % 2 == 0 ? 1023 : 600;
            ExactAccumulator acc = new ExactAccumulator();
            BigDecimal exact = BigDecimal.ZERO;
            for (int i = 0; i < n; i++) {
                double a = randomDouble(r, lo, hi);
                double b = randomDouble(r, lo, hi);
                acc.addProduct(a, b);
                exact = exact.add(BinaryRoundingOracle.exact(a).multiply(BinaryRoundingOracle.exact(b)));
            }
            assertAllModes(acc, exact, "case " + t);
        }
    }

    @Test
    void heavyCancellationLeavesTheTinyRemainder() {
        double big = Double.MAX_VALUE;
        double tiny = Double.MIN_VALUE;
        double[][] cases = {
                {1e300, 1.0, -1e300},
                {big, big, -big, -big, tiny},
                {big, tiny, -big},
                {0x1p1023, 0x1p1023, -0x1p1023, -0x1p1023, -tiny, 3 * tiny},
                {1.0, 0x1p-53, -1.0, 0x1p-1074},
                {0x1p-1022, -tiny, 0x1p-1060},
                {1e16, 1.0, -1e16, 1.0, 1e-300},
        };
        assertSumsInAllModes(cases);
        assertThat(ExactAccumulator.sum(new double[] {1e300, 1.0, -1e300}, Rounding.RNE)).isEqualTo(1.0);
    }

    @Test
    void productCancellationBelowDoubleRange() {
        // tiny*tiny = 2^-2148 survives next to 1 - 1: the result is a nonzero that rounds to zero.
        ExactAccumulator acc = new ExactAccumulator();
        acc.add(1.0);
        acc.addProduct(-Double.MIN_VALUE, Double.MIN_VALUE);
        acc.add(-1.0);
        assertThat(acc.isExactZero()).isFalse();
        assertThat(acc.signum()).isEqualTo(-1);
        assertThat(Double.doubleToRawLongBits(acc.toDouble(Rounding.RNE))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(acc.toDouble(Rounding.RDN)).isEqualTo(-Double.MIN_VALUE);
        assertThat(acc.toFloat(Rounding.RDN)).isEqualTo(-Float.MIN_VALUE);
        assertThat(acc.toDouble(Rounding.RUP)).isEqualTo(-0.0);
        assertThat(acc.toDouble(Rounding.ODD)).isEqualTo(-Double.MIN_VALUE);
    }

    @Test
    void tiesAndDoubleRoundingTraps() {
        double[][] cases = {
                {1.0, 0x1p-53},                    // double tie, even stays
                {1.0 + 0x1p-52, 0x1p-53},          // double tie, odd goes up
                {1.0, 0x1p-24},                    // float tie
                {1.0, 0x1p-24, 0x1p-80},           // float just above the tie; double rounding first would lose it
                {-1.0, -0x1p-24, -0x1p-200},
                {Double.MAX_VALUE, Math.ulp(Double.MAX_VALUE) / 2},      // overflow tie
                {Double.MAX_VALUE, Math.ulp(Double.MAX_VALUE) / 4},
                {-Double.MAX_VALUE, -Double.MAX_VALUE},
                {Float.MAX_VALUE, Math.ulp(Float.MAX_VALUE) / 2},
                {0x1p-149, 0x1p-150},              // float subnormal tie
                {0x1p-1074, 0x1p-1074, 0x1p-1074},
                {0x1p-126, -0x1p-150},
                {0x1p-151},                        // below half the least float subnormal
        };
        assertSumsInAllModes(cases);
    }

    @Test
    void permutationsAndMergesNeverChangeABit() {
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 40; t++) {
            List<Double> terms = new ArrayList<>();
            int n = 50 + r.nextInt(200);
            for (int i = 0; i < n; i++) {
                terms.add(randomDouble(r, t % 2 == 0 ? -1074 : -40, t % 2 == 0 ? 1023 : 40));
            }
            long[] reference = null;
            for (int p = 0; p < 6; p++) {
                Collections.shuffle(terms, new java.util.Random(r.nextLong()));
                ExactAccumulator whole = new ExactAccumulator();
                ExactAccumulator[] parts = {new ExactAccumulator(), new ExactAccumulator(), new ExactAccumulator()};
                for (double v : terms) {
                    whole.add(v);
                    parts[r.nextInt(3)].add(v);
                }
                parts[0].merge(parts[2]);
                parts[1].merge(parts[0]);
                long[] bits = new long[2 * MODES.length];
                for (int m = 0; m < MODES.length; m++) {
                    bits[2 * m] = Double.doubleToRawLongBits(whole.toDouble(MODES[m]));
                    bits[2 * m + 1] = Double.doubleToRawLongBits(parts[1].toDouble(MODES[m]));
                    assertThat(bits[2 * m + 1]).isEqualTo(bits[2 * m]);
                }
                if (reference == null) {
                    reference = bits;
                } else {
                    assertThat(bits).isEqualTo(reference);
                }
            }
        }
    }

    @Test
    void specialValues() {
        assertThat(sum(1.0, Double.NaN)).isNaN();
        assertThat(sum(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)).isNaN();
        assertThat(sum(Double.POSITIVE_INFINITY, -Double.MAX_VALUE, -Double.MAX_VALUE)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(sum(Double.NEGATIVE_INFINITY, 5.0)).isEqualTo(Double.NEGATIVE_INFINITY);
        ExactAccumulator acc = new ExactAccumulator();
        acc.addProduct(Double.POSITIVE_INFINITY, 0.0);
        assertThat(acc.toDouble()).isNaN();
        acc.reset();
        acc.addProduct(Double.NEGATIVE_INFINITY, -2.0);
        acc.addProduct(3.0, Double.POSITIVE_INFINITY);
        assertThat(acc.toDouble(Rounding.RTZ)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(acc.toFloat(Rounding.RDN)).isEqualTo(Float.POSITIVE_INFINITY);
        acc.addProduct(Double.NaN, 0.0);
        assertThat(acc.toFloat()).isNaN();
        acc.reset();
        acc.addProduct(-0.0, Double.POSITIVE_INFINITY);
        assertThat(acc.isNaN()).isTrue();
    }

    @Test
    void signedZeros() {
        assertThat(bitsOf(sum())).isEqualTo(bitsOf(0.0));
        assertThat(bitsOf(sum(-0.0))).isEqualTo(bitsOf(-0.0));
        assertThat(bitsOf(sum(-0.0, -0.0))).isEqualTo(bitsOf(-0.0));
        assertThat(bitsOf(sum(-0.0, 0.0))).isEqualTo(bitsOf(0.0));
        for (Rounding m : MODES) {
            ExactAccumulator acc = new ExactAccumulator();
            acc.add(1.5);
            acc.add(-1.5);
            assertThat(bitsOf(acc.toDouble(m))).as("x - x in %s", m).isEqualTo(bitsOf(0.0));
            assertThat(Float.floatToRawIntBits(acc.toFloat(m))).isZero();
        }
        ExactAccumulator acc = new ExactAccumulator();
        acc.addProduct(-0.0, 3.0);
        acc.addProduct(0.0, -3.0);
        assertThat(bitsOf(acc.toDouble())).isEqualTo(bitsOf(-0.0));
        acc.addProduct(-0.0, -3.0);
        assertThat(bitsOf(acc.toDouble())).isEqualTo(bitsOf(0.0));
        ExactAccumulator a = new ExactAccumulator();
        ExactAccumulator b = new ExactAccumulator();
        a.add(-0.0);
        a.merge(b);   // an empty accumulator changes nothing
        assertThat(bitsOf(a.toDouble())).isEqualTo(bitsOf(-0.0));
        b.add(0.0);
        a.merge(b);
        assertThat(bitsOf(a.toDouble())).isEqualTo(bitsOf(0.0));
    }

    @Test
    void scaledIntegerTermsIncludingExtremes() {
        SplittableRandom r = new SplittableRandom(4);
        long[] special = {Long.MIN_VALUE, Long.MAX_VALUE, -1, 1, 3, -(1L << 62)};
        for (int t = 0; t < 300; t++) {
            ExactAccumulator acc = new ExactAccumulator();
            BigDecimal exact = BigDecimal.ZERO;
            for (int i = 0; i < 1 + r.nextInt(10); i++) {
                long a = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : r.nextLong() >> r.nextInt(64);
                long b = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : r.nextLong() >> r.nextInt(64);
                int e = -1500 + r.nextInt(2800);
                if (r.nextBoolean()) {
                    acc.addScaled(a, e);
                    exact = exact.add(new BigDecimal(a).multiply(BinaryRoundingOracle.pow2(e)));
                } else {
                    acc.addProduct(a, b, e - 200);
                    exact = exact.add(new BigDecimal(a).multiply(new BigDecimal(b)).multiply(BinaryRoundingOracle.pow2(e - 200)));
                }
            }
            assertAllModes(acc, exact, "case " + t);
        }
    }

    @Test
    void manyAdditionsKeepCarriesExact() {
        // 200k terms of both signs at one digit boundary: exercises carries and negative sums.
        ExactAccumulator acc = new ExactAccumulator();
        BigDecimal exact = BigDecimal.ZERO;
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            long v = (r.nextLong() >> 20) - (i % 3 == 0 ? Long.MAX_VALUE >> 20 : 0);
            acc.addScaled(v, 31);
            exact = exact.add(new BigDecimal(v).multiply(BinaryRoundingOracle.pow2(31)));
        }
        assertAllModes(acc, exact, "200k terms");
    }

    @Test
    void readingBetweenAdditionsNeverDisturbsTheSum() {
        // signum() and toDouble() propagate carries mid-stream; sums cross zero many times.
        SplittableRandom r = new SplittableRandom(7);
        ExactAccumulator acc = new ExactAccumulator();
        ExactAccumulator other = new ExactAccumulator();
        BigDecimal exact = BigDecimal.ZERO;
        for (int i = 0; i < 3000; i++) {
            double v = randomDouble(r, -60, 60);
            if (i % 2 == 0) {
                acc.add(v);
            } else {
                other.add(-v);
                v = -v;
            }
            exact = exact.add(BinaryRoundingOracle.exact(v));
            if (i % 97 == 0) {
                acc.signum();
                other.toDouble(Rounding.RDN);
            }
            if (i % 500 == 499) {
                ExactAccumulator copy = new ExactAccumulator();
                copy.merge(acc);
                copy.merge(other);
                assertAllModes(copy, exact, "after " + i);
                assertThat(copy.signum()).isEqualTo(exact.signum());
            }
        }
    }

    @Test
    void rangeIsEnforcedAndNamed() {
        ExactAccumulator narrow = new ExactAccumulator(-10, 10);
        narrow.add(0x1p-10);
        narrow.add(1023.0);
        assertThatThrownBy(() -> narrow.add(0x1p-11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2^-11").hasMessageContaining("2^-10 .. 2^10");
        assertThatThrownBy(() -> narrow.add(1024.0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(narrow.toDouble()).isEqualTo(1023.0 + 0x1p-10);
        assertThatThrownBy(() -> new ExactAccumulator(5, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> narrow.merge(new ExactAccumulator())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("range");
        assertThatThrownBy(() -> narrow.toDouble(Rounding.STOCHASTIC)).isInstanceOf(IllegalArgumentException.class);
        ExactAccumulator full = new ExactAccumulator();
        full.addProduct(Double.MAX_VALUE, -Double.MAX_VALUE);
        full.addProduct(Double.MIN_VALUE, Double.MIN_VALUE);
        assertThat(full.toDouble(Rounding.RNE)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(full.toDouble(Rounding.RTZ)).isEqualTo(-Double.MAX_VALUE);
    }

    @Test
    void resetEmptiesEverything() {
        ExactAccumulator acc = new ExactAccumulator();
        acc.add(-5.0);
        acc.add(Double.NaN);
        acc.reset();
        assertThat(bitsOf(acc.toDouble())).isEqualTo(bitsOf(0.0));
        acc.add(2.5);
        assertThat(acc.toDouble()).isEqualTo(2.5);
    }

    @ParameterizedTest
    @EnumSource(value = Rounding.class, names = {"RNE", "RNA", "RTZ", "RUP", "RDN", "ODD"})
    void multiplyByIsExact(Rounding mode) {
        SplittableRandom r = new SplittableRandom(6);
        for (int t = 0; t < 100; t++) {
            ExactAccumulator acc = new ExactAccumulator();
            BigDecimal exact = BigDecimal.ZERO;
            for (int i = 0; i < 10; i++) {
                double v = randomDouble(r, -300, 300);
                acc.add(v);
                exact = exact.add(BinaryRoundingOracle.exact(v));
            }
            double f = randomDouble(r, -140, 120);
            acc.multiplyBy(f);
            BigDecimal want = exact.multiply(BinaryRoundingOracle.exact(f));
            assertThat(bitsOf(acc.toDouble(mode))).isEqualTo(bitsOf(BinaryRoundingOracle.toDouble(want, mode)));
        }
    }

    @Test
    void staticConveniences() {
        float[] f = {1e30f, 3.0f, -1e30f, 0.25f};
        assertThat(ExactAccumulator.sum(f, Rounding.RNE)).isEqualTo(3.25f);
        assertThat(ExactAccumulator.dot(new double[] {1e200, 1, -1e200}, new double[] {1e200, 1e-300, 1e200}, Rounding.RNE))
                .isEqualTo(1e-300);
        assertThatThrownBy(() -> ExactAccumulator.dot(new double[1], new double[2], Rounding.RNE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1").hasMessageContaining("2");
    }

    private static double sum(double... x) {
        ExactAccumulator acc = new ExactAccumulator();
        for (double v : x) {
            acc.add(v);
        }
        return acc.toDouble();
    }

    private static long bitsOf(double d) {
        return Double.doubleToRawLongBits(d);
    }

    /** Sums each case in a fresh accumulator and checks every rounding mode against the BigDecimal sum. */
    private static void assertSumsInAllModes(double[][] cases) {
        for (double[] c : cases) {
            ExactAccumulator acc = new ExactAccumulator();
            BigDecimal exact = BigDecimal.ZERO;
            for (double v : c) {
                acc.add(v);
                exact = exact.add(BinaryRoundingOracle.exact(v));
            }
            assertAllModes(acc, exact, java.util.Arrays.toString(c));
        }
    }
}
