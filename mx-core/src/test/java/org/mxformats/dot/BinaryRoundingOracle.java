package org.mxformats.dot;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.concurrent.ConcurrentHashMap;
import org.mxformats.format.Rounding;

/**
 * Test oracle: rounds an exact BigDecimal to double or float under each rounding mode, written from
 * the IEEE definitions with BigDecimal's own rounding modes (shares no code with the library).
 */
final class BinaryRoundingOracle {
    private static final ConcurrentHashMap<Integer, BigDecimal> POW2 = new ConcurrentHashMap<>();

    private BinaryRoundingOracle() {
    }

    /** 2^e exactly (2^-n is 5^n / 10^n). */
    static BigDecimal pow2(int e) {
        return POW2.computeIfAbsent(e, k -> k >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(k))
                : new BigDecimal(BigInteger.valueOf(5).pow(-k), -k));
    }

    /** The exact value of a finite double. */
    static BigDecimal exact(double d) {
        return new BigDecimal(d);
    }

    static double toDouble(BigDecimal x, Rounding r) {
        return round(x, r, 53, -1074, 1023);
    }

    static float toFloat(BigDecimal x, Rounding r) {
        return (float) round(x, r, 24, -149, 127);
    }

    /** floor(log2 |x|) for nonzero x, found by comparing with exact powers of two. */
    static int floorLog2(BigDecimal x) {
        BigDecimal a = x.abs();
        // Estimate from the decimal digits, then correct.
        int e = (int) Math.floor((a.unscaledValue().bitLength() - 1) - a.scale() * (Math.log(10) / Math.log(2)));
        while (a.compareTo(pow2(e)) < 0) {
            e--;
        }
        while (a.compareTo(pow2(e + 1)) >= 0) {
            e++;
        }
        return e;
    }

    static double round(BigDecimal x, Rounding r, int precision, int leastExponent, int maxExp) {
        int signum = x.signum();
        if (signum == 0) {
            return 0.0;
        }
        int e = floorLog2(x);
        int q = Math.max(e - (precision - 1), leastExponent);
        BigDecimal scaled = x.multiply(pow2(-q));   // exact: x is dyadic or we only need the integer part
        BigDecimal n;
        switch (r) {
            case RNE: n = scaled.setScale(0, RoundingMode.HALF_EVEN); break;
            case RNA: n = scaled.setScale(0, RoundingMode.HALF_UP); break;
            case RTZ: n = scaled.setScale(0, RoundingMode.DOWN); break;
            case RUP: n = scaled.setScale(0, RoundingMode.CEILING); break;
            case RDN: n = scaled.setScale(0, RoundingMode.FLOOR); break;
            case ODD: {
                n = scaled.setScale(0, RoundingMode.DOWN);
                boolean inexact = n.compareTo(scaled) != 0;
                if (inexact && !n.unscaledValue().testBit(0)) {
                    n = n.add(BigDecimal.valueOf(signum));
                }
                break;
            }
            default: throw new IllegalArgumentException(r.toString());
        }
        BigInteger big = n.toBigIntegerExact();
        BigDecimal result = n.multiply(pow2(q));
        if (result.abs().compareTo(pow2(maxExp + 1)) >= 0) {
            double max = (2 - Math.pow(2, 1 - precision)) * Math.pow(2, maxExp);
            boolean neg = signum < 0;
            double mag;
            switch (r) {
                case RNE: case RNA: mag = Double.POSITIVE_INFINITY; break;
                case RUP: mag = neg ? max : Double.POSITIVE_INFINITY; break;
                case RDN: mag = neg ? Double.POSITIVE_INFINITY : max; break;
                default: mag = max;
            }
            return neg ? -mag : mag;
        }
        if (big.signum() == 0) {
            return signum < 0 ? -0.0 : 0.0;
        }
        // |big| < 2^precision <= 2^53 and the value is representable: Math.scalb is exact here.
        return Math.scalb((double) big.longValueExact(), q);
    }
}
