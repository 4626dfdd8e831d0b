package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/** Exact quotient rounding and ElementFormat.encodeExact against the BigDecimal oracle. */
class ExactQuotientTest {
    static final ElementFormat[] FORMATS = {ElementFormat.E2M1, ElementFormat.E4M3, ElementFormat.E5M2,
            ElementFormat.E3M2, ElementFormat.INT8, ElementFormat.UE4M3, ElementFormat.UE5M3};
    static final Rounding[] MODES = {Rounding.RNE, Rounding.RNA, Rounding.RTZ, Rounding.RUP, Rounding.RDN, Rounding.ODD};

    @Test
    void quotientsNextToGridPointsAndMidpointsRoundOnce() {
        SplittableRandom r = new SplittableRandom(17);
        for (ElementFormat f : FORMATS) {
            ExactOracle oracle = new ExactOracle(f);
            double[] values = f.sortedValues();
            for (int t = 0; t < 6000; t++) {
                // a divisor with up to 40 significant bits (a scale times a float32 tensor scale)
                long dSig = r.nextLong(1, 1L << r.nextInt(1, 41)) | 1;
                int dExp = r.nextInt(-60, 60);
                double d = Math.scalb((double) dSig, dExp);
                int i = r.nextInt(values.length);
                double point = r.nextBoolean() || i + 1 == values.length ? values[i] : (values[i] + values[i + 1]) / 2;
                double x = point * d;   // rounded to double: near the grid point or midpoint
                switch (r.nextInt(4)) {
                    case 0: x = Math.nextUp(x); break;
                    case 1: x = Math.nextDown(x); break;
                    case 2: x = x * (1 + r.nextDouble() * 1e-3); break;
                    default: break;
                }
                if (!(x > 0) || Double.isInfinite(x)) {
                    continue;
                }
                boolean negative = f.isSigned() && r.nextBoolean();
                double signed = negative ? -x : x;
                long factor = r.nextInt(4) == 0 ? 3 : 1;
                BigDecimal num = new BigDecimal(x).multiply(BigDecimal.valueOf(factor));
                for (Rounding mode : MODES) {
                    int got = ExactQuotient.encode(f, signed, factor, dSig, dExp, mode, false, 0);
                    assertThat(got).as("%s %s %s / %s", f, mode, signed, d)
                            .isEqualTo(oracle.round(num, new BigDecimal(d), negative, mode, false));
                }
                int ties = ExactQuotient.encode(f, signed, factor, dSig, dExp, Rounding.RNE, true, 0);
                assertThat(ties).as("%s ties toward zero %s / %s", f, signed, d)
                        .isEqualTo(oracle.round(num, new BigDecimal(d), negative, Rounding.RNE, true));
            }
        }
    }

    @Test
    void encodeExactOfWideSignificands() {
        SplittableRandom r = new SplittableRandom(3);
        for (ElementFormat f : FORMATS) {
            ExactOracle oracle = new ExactOracle(f);
            for (int t = 0; t < 6000; t++) {
                long sig = Math.max(1, r.nextLong(1, Long.MAX_VALUE) >>> r.nextInt(63));
                int exp = r.nextInt(-90, 20) - (63 - Long.numberOfLeadingZeros(sig)) + (f.emax() > 20 ? r.nextInt(0, 20) : 0);
                boolean negative = f.isSigned() && r.nextBoolean();
                BigDecimal value = new BigDecimal(sig).multiply(ExactOracle.pow2(exp));
                for (Rounding mode : MODES) {
                    assertThat(f.encodeExact(sig, exp, negative, mode, Overflow.SATURATE, 0))
                            .as("%s %s %d*2^%d", f, mode, sig, exp)
                            .isEqualTo(oracle.round(value, BigDecimal.ONE, negative, mode, false));
                }
                // and agrees with encode(double) whenever the value is a double
                if (sig < 1L << 53 && exp > -1000 && exp < 900) {
                    double x = Math.scalb((double) (negative ? -sig : sig), exp);
                    assertThat(f.encodeExact(sig, exp, negative, Rounding.RNE, Overflow.SATURATE, 0))
                            .as("%s %d*2^%d = %s", f, sig, exp, x)
                            .isEqualTo(f.encode(x, Rounding.RNE, Overflow.SATURATE));
                }
            }
            assertThat(f.encodeExact(0, 5, true, Rounding.RNE, Overflow.SATURATE, 0))
                    .isEqualTo(f.encode(-0.0, Rounding.RNE, Overflow.SATURATE));
        }
    }

    @Test
    void float32RoundingOfQuotients() {
        SplittableRandom r = new SplittableRandom(8);
        for (int t = 0; t < 6000; t++) {
            double n = Math.scalb(1 + r.nextDouble(), r.nextInt(-200, 200));
            long dSig = r.nextLong(1, 1L << 33) | 1;
            int dExp = r.nextInt(-30, 30);
            float expected = new BigDecimal(n).divide(new BigDecimal(dSig).multiply(ExactOracle.pow2(dExp)),
                    new java.math.MathContext(60)).floatValue();
            assertThat(ExactQuotient.toFloat32(n, dSig, dExp)).as("%s / %d*2^%d", n, dSig, dExp).isEqualTo(expected);
        }
    }
}
