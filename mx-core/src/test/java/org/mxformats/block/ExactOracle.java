package org.mxformats.block;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;
import org.mxformats.format.SignEncoding;

/**
 * Test oracle, written from the definitions with exact BigDecimal arithmetic and sharing no code
 * with the block package: rounds a quotient {@code num / den} of exact binary values into a format
 * by searching for its two neighbours among the format's values (comparing {@code num} against
 * {@code den * value}, so the quotient itself is never formed), and picks a block scale by the
 * rules' definitions. Elements always saturate.
 */
final class ExactOracle {
    private final ElementFormat format;
    private final BigDecimal[] magnitudes;   // magnitude code -> value, ascending

    ExactOracle(ElementFormat format) {
        this.format = format;
        int n = format.maxFiniteCode() + 1;
        magnitudes = new BigDecimal[n];
        for (int c = 0; c < n; c++) {
            magnitudes[c] = new BigDecimal(format.decode(c));
            if (c > 0 && magnitudes[c].compareTo(magnitudes[c - 1]) <= 0) {
                throw new AssertionError(format + " magnitudes not ascending at " + c);
            }
        }
    }

    static BigDecimal exact(double x) {
        return new BigDecimal(x);
    }

    /**
     * The code of {@code sign * num / den} (num >= 0, den > 0), rounded once with {@code mode}
     * ({@code tiesTowardZero} replaces a nearest mode's tie rule), saturating at the largest value.
     */
    int round(BigDecimal num, BigDecimal den, boolean negative, Rounding mode, boolean tiesTowardZero) {
        int top = magnitudes.length - 1;
        int magnitude;
        if (num.compareTo(den.multiply(magnitudes[top])) >= 0) {
            magnitude = top;                                   // saturate
        } else {
            // largest lo with den * mags[lo] <= num
            int lo = 0;
            int hi = top;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (den.multiply(magnitudes[mid]).compareTo(num) <= 0) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            int cmpLo = den.multiply(magnitudes[lo]).compareTo(num);
            if (cmpLo >= 0) {
                magnitude = lo;                                // exact, or below the smallest value of a zero-less format
            } else {
                BigDecimal twice = num.multiply(BigDecimal.valueOf(2));
                int mid = twice.compareTo(den.multiply(magnitudes[lo].add(magnitudes[lo + 1])));
                boolean up;
                switch (mode) {
                    case RNE: up = mid > 0 || (mid == 0 && !tiesTowardZero && (lo & 1) == 1); break;
                    case RNA: up = mid > 0 || (mid == 0 && !tiesTowardZero); break;
                    case RTZ: up = false; break;
                    case RUP: up = !negative; break;
                    case RDN: up = negative; break;
                    case ODD: up = (lo & 1) == 0; break;
                    default: throw new AssertionError(mode);
                }
                magnitude = up ? lo + 1 : lo;
            }
        }
        return signed(negative, magnitude);
    }

    int signed(boolean negative, int magnitude) {
        if (!negative || format.signEncoding() == SignEncoding.UNSIGNED) {
            return magnitude;
        }
        if (format.signEncoding() == SignEncoding.TWOS_COMPLEMENT) {
            return -magnitude & (format.codeCount() - 1);
        }
        return magnitude == 0 && !format.hasNegativeZero() ? 0 : format.codeCount() / 2 | magnitude;
    }

    // ---- block scale rules ----------------------------------------------------------------------

    static BigDecimal pow2(int k) {
        return k >= 0 ? BigDecimal.valueOf(2).pow(k) : BigDecimal.ONE.divide(BigDecimal.valueOf(2).pow(-k));
    }

    /** floor(log2 a) for a > 0, by comparisons with powers of two. */
    static int floorLog2(BigDecimal a) {
        int k = 0;
        while (pow2(k).compareTo(a) > 0) {
            k--;
        }
        while (pow2(k + 1).compareTo(a) <= 0) {
            k++;
        }
        return k;
    }

    /** The expected scale code and element codes of a block ({@code null} codes for a NaN scale). */
    static int[] quantizeBlock(MxFormat f, double[] x, float tensorScale) {
        ElementFormat e = f.element();
        ElementFormat s = f.scale();
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return new int[] {s.nanCode()};
            }
        }
        BigDecimal amax = BigDecimal.ZERO;
        for (double v : x) {
            amax = amax.max(exact(Math.abs(v)));
        }
        BigDecimal maxF = exact(e.maxFinite());
        BigDecimal ts = exact(tensorScale);
        ExactOracle scaleOracle = new ExactOracle(s);
        int sc;
        if (f.scaleRule().powerOfTwo()) {
            if (s != ElementFormat.E8M0) {
                throw new AssertionError("oracle knows e8m0 only");
            }
            int k;
            if (amax.signum() == 0) {
                k = -127;
            } else {
                int fl = floorLog2(amax);
                switch (f.scaleRule()) {
                    case FLOOR: k = fl - e.emax(); break;
                    case CEIL: k = (pow2(fl).compareTo(amax) == 0 ? fl : fl + 1) - e.emax(); break;
                    case EVEN: {
                        double below = e.decode(e.maxFiniteCode() - 1);
                        int m = e.emax() - floorLog2(exact(e.maxFinite() - below));
                        BigDecimal q = amax.multiply(pow2(m - fl)).setScale(0, RoundingMode.HALF_UP);
                        k = (q.compareTo(pow2(m + 1)) >= 0 ? fl + 1 : fl) - e.emax();
                        break;
                    }
                    case RCEIL: {
                        k = fl - e.emax() - 2;
                        while (amax.compareTo(maxF.multiply(pow2(k))) > 0) {
                            k++;
                        }
                        break;
                    }
                    default: throw new AssertionError();
                }
            }
            sc = Math.max(-127, Math.min(127, k)) + 127;
        } else {
            int rne = scaleOracle.round(amax, maxF.multiply(ts), false, Rounding.RNE, false);
            sc = rne;
            if (s.decode(rne) != 0 && f.scaleRule() != ScaleRule.RNE) {
                if (f.scaleRule() == ScaleRule.FOUR_OVER_SIX) {
                    int c4 = scaleOracle.round(amax.multiply(BigDecimal.valueOf(3)),
                            maxF.multiply(ts).multiply(BigDecimal.valueOf(2)), false, Rounding.RNE, false);
                    sc = doubleError(f, x, c4, tensorScale) < doubleError(f, x, rne, tensorScale) ? c4 : rne;
                } else {
                    double best = doubleError(f, x, rne, tensorScale);
                    int r = 1 << s.mantissaBits();
                    for (int d = 1; d <= r; d++) {
                        for (int c : new int[] {rne - d, rne + d}) {
                            if (c >= 1 && c <= s.maxFiniteCode() && s.decode(c) > 0) {
                                double err = doubleError(f, x, c, tensorScale);
                                if (err < best) {
                                    best = err;
                                    sc = c;
                                }
                            }
                        }
                    }
                }
            }
        }
        int[] out = new int[x.length + 1];
        out[0] = sc;
        System.arraycopy(elements(f, x, sc, tensorScale, f.elementRounding()), 0, out, 1, x.length);
        return out;
    }

    static int[] elements(MxFormat f, double[] x, int scaleCode, float tensorScale, Rounding mode) {
        ElementFormat e = f.element();
        ExactOracle eo = new ExactOracle(e);
        BigDecimal X = exact(f.scale().decode(scaleCode)).multiply(exact(tensorScale));
        int[] codes = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            boolean neg = Double.doubleToRawLongBits(x[i]) < 0;
            codes[i] = X.signum() == 0 ? eo.signed(neg, 0)
                    : eo.round(exact(Math.abs(x[i])), X, neg, mode, f.tiesTowardZero());
        }
        return codes;
    }

    /** The documented search metric: squared errors summed in double, in element order. */
    static double doubleError(MxFormat f, double[] x, int scaleCode, float tensorScale) {
        int[] codes = elements(f, x, scaleCode, tensorScale,
                f.elementRounding().isDeterministic() ? f.elementRounding() : Rounding.RNE);
        double factor = f.scale().decode(scaleCode) * tensorScale;
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double err = x[i] - f.element().decode(codes[i]) * factor;
            sum += err * err;
        }
        return sum;
    }
}
