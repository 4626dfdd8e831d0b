package org.mxformats.format;

import java.math.BigDecimal;
import java.util.Arrays;

/**
 * A slow, obviously-correct rounding oracle for tests: it knows a format only through its sorted
 * list of values and rounds by searching for the two neighbours of the input, deciding ties with an
 * exact BigDecimal midpoint. It shares no code with {@link ElementFormat#encode}.
 *
 * <p>Overflow follows "round with unbounded exponent, then check": the value past the maximum is
 * {@code max + gap}, the format's grid step at the top binade.
 */
final class ReferenceRounder {
    private final ElementFormat format;
    private final double[] magnitudes;   // ascending non-negative values; index == magnitude code
    private final double beyond;          // the next grid value after max

    ReferenceRounder(ElementFormat format) {
        this.format = format;
        double[] values = format.codeValues();
        int n = format.maxFiniteCode() + 1;
        this.magnitudes = Arrays.copyOf(values, n);   // magnitude codes 0..max are the positive half
        for (int i = 1; i < n; i++) {
            if (!(magnitudes[i] > magnitudes[i - 1])) {
                throw new AssertionError(format + ": magnitude codes are not increasing at " + i);
            }
        }
        double max = magnitudes[n - 1];
        double gap;
        if (format.signEncoding() == SignEncoding.TWOS_COMPLEMENT || format.exponentBits() == 0) {
            gap = magnitudes[1] - magnitudes[0];
        } else {
            gap = Math.scalb(1.0, format.emax() - format.mantissaBits());
        }
        this.beyond = max + gap;
    }

    /** The expected code, or a negative value {@code -1} meaning "any NaN code". */
    int encode(double x, Rounding mode, Overflow overflow) {
        if (Double.isNaN(x)) {
            return -1;
        }
        boolean negative = Double.doubleToRawLongBits(x) < 0;
        double a = Math.abs(x);
        if (!format.isSigned() && negative && a != 0) {
            return overflow == Overflow.SATURATE || !format.hasNaN() ? 0 : -1;
        }
        boolean away;   // direction of a directed rounding, in magnitude terms
        switch (mode) {
            case RUP: away = !negative; break;
            case RDN: away = negative; break;
            default: away = false;
        }
        if (Double.isInfinite(a)) {
            return overflowCode(negative, mode, overflow, true);
        }
        int top = magnitudes.length - 1;
        // Neighbours lo <= a <= hi among the values and "beyond".
        int magnitude;
        if (a >= beyond) {
            return overflowCode(negative, mode, overflow, false);
        }
        if (!format.hasZero() && a < magnitudes[0]) {
            magnitude = 0;
        } else {
            int i = Arrays.binarySearch(magnitudes, a);
            if (i >= 0) {
                magnitude = i;
            } else {
                int hiIdx = -i - 1;           // may be top + 1 == beyond
                int loIdx = hiIdx - 1;
                double lo = magnitudes[loIdx];
                double hi = hiIdx > top ? beyond : magnitudes[hiIdx];
                int cmp = new BigDecimal(a).multiply(BigDecimal.valueOf(2))
                        .compareTo(new BigDecimal(lo).add(new BigDecimal(hi)));
                boolean up;
                switch (mode) {
                    case RNE: up = cmp > 0 || (cmp == 0 && (loIdx & 1) != 0); break;
                    case RNA: up = cmp >= 0; break;
                    case RTZ: up = false; break;
                    case RUP: case RDN: up = away; break;
                    case ODD: up = (loIdx & 1) == 0; break;
                    default: throw new AssertionError(mode);
                }
                magnitude = up ? hiIdx : loIdx;
                if (magnitude > top) {
                    return overflowCode(negative, mode, overflow, false);
                }
            }
        }
        return sign(negative, magnitude);
    }

    private int overflowCode(boolean negative, Rounding mode, Overflow overflow, boolean infinite) {
        boolean toMax = overflow == Overflow.SATURATE || (!infinite && (mode == Rounding.RTZ
                || (mode == Rounding.RUP && negative) || (mode == Rounding.RDN && !negative)));
        if (toMax) {
            return sign(negative, magnitudes.length - 1);
        }
        if (format.hasInfinity()) {
            return format.infinityCode(negative);
        }
        return -1;
    }

    private int sign(boolean negative, int magnitude) {
        if (!negative) {
            return magnitude;
        }
        switch (format.signEncoding()) {
            case UNSIGNED: return magnitude;
            case TWOS_COMPLEMENT: return (-magnitude) & (format.codeCount() - 1);
            default:
                if (magnitude == 0 && !format.hasNegativeZero()) {
                    return 0;
                }
                return (format.codeCount() >> 1) | magnitude;
        }
    }

    double beyond() {
        return beyond;
    }

    double[] magnitudes() {
        return magnitudes.clone();
    }
}
