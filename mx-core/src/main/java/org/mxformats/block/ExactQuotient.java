package org.mxformats.block;

import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/**
 * Rounds exact quotients {@code n / d} of doubles into a format with a single rounding, without
 * ever rounding the quotient to a double first.
 *
 * <p>Why not {@code encode(n / d)}: with a scale that is not a power of two (ue4m3, ue5m3, or any
 * scale times a per-tensor scale) the double division rounds once and the encode rounds again, and
 * a quotient just off a midpoint of the target format can land on it. Instead the divisor's
 * significand D (at most 40 bits here: an 8-bit format value times a float32) divides the
 * dividend's significand shifted up to 62 bits, giving an integer quotient Q with at least
 * 62 - 40 = 22 bits, and the remainder R. The value {@code (2Q + [R != 0]) * 2^e} has the exact
 * quotient's leading bits and a sticky last bit that is set exactly when the quotient is inexact;
 * since every target here has at most 16 significant bits, two fewer than Q carries, rounding this
 * value (with {@link ElementFormat#encodeExact}) gives the same result as rounding the exact
 * quotient in every deterministic mode: a midpoint or a grid point of the target is a multiple of a
 * power of two at least 2^(e+2), and the sticky bit keeps an inexact quotient strictly between the
 * same two such multiples as the exact one.
 *
 * <p>Ties toward zero (gguf's rounding) are done as round-to-nearest-ties-away of a value nudged
 * toward zero by 2^-63 of itself, far less than any gap above: an exact midpoint then goes down, and
 * nothing else changes side.
 */
final class ExactQuotient {
    private ExactQuotient() {
    }

    /** The significand of a finite non-zero double's magnitude: {@code |x| = significand(x) * 2^exponent(x)}. */
    static long significand(double x) {
        long bits = Double.doubleToRawLongBits(x) & 0x7fff_ffff_ffff_ffffL;
        long mantissa = bits & 0x000f_ffff_ffff_ffffL;
        return (bits >>> 52) == 0 ? mantissa : mantissa | 0x0010_0000_0000_0000L;
    }

    /** The exponent matching {@link #significand}. */
    static int exponent(double x) {
        int raw = (int) ((Double.doubleToRawLongBits(x) >>> 52) & 0x7ff);
        return raw == 0 ? -1074 : raw - 1075;
    }

    /** A positive finite double's significand with its trailing zeros removed (1 for a power of two). */
    static long oddSignificand(double d) {
        long s = significand(d);
        return s >>> Long.numberOfTrailingZeros(s);
    }

    /** The exponent matching {@link #oddSignificand}. */
    static int oddExponent(double d) {
        return exponent(d) + Long.numberOfTrailingZeros(significand(d));
    }

    /**
     * {@code sign(x) * |x| * numeratorFactor / (dSig * 2^dExp)} rounded once into {@code f},
     * saturating. {@code x} is finite (a signed zero gives the signed zero code); {@code dSig} is odd
     * and below 2^40; {@code numeratorFactor} is 1 or 3 (the 4-over-6 scale candidate).
     */
    static int encode(ElementFormat f, double x, long numeratorFactor, long dSig, int dExp, Rounding rounding,
                      boolean tiesTowardZero, int randomBits) {
        boolean negative = Double.doubleToRawLongBits(x) < 0;
        if (x == 0) {
            return f.encodeExact(0, 0, negative, rounding, Overflow.SATURATE, randomBits);
        }
        long sig = significand(x) * numeratorFactor;   // < 2^55
        int exp = exponent(x);
        if (dSig != 1 || tiesTowardZero) {
            int shift = Long.numberOfLeadingZeros(sig) - 2;   // sig in [2^61, 2^62)
            sig <<= shift;
            exp -= shift;
        }
        exp -= dExp;
        if (dSig != 1) {
            long q = sig / dSig;                               // >= 2^61 / 2^40: at least 22 bits
            long r = sig - q * dSig;
            int shift = Long.numberOfLeadingZeros(q) - 3;     // q in [2^60, 2^61), room for the sticky bit
            sig = (q << shift << 1) | (r != 0 ? 1 : 0);        // in [2^61, 2^62)
            exp -= shift + 1;
        }
        if (tiesTowardZero) {
            sig = (sig << 1) - 1;                              // 2^-63 of itself below the exact value
            exp -= 1;
            rounding = Rounding.RNA;
        }
        return f.encodeExact(sig, exp, negative, rounding, Overflow.SATURATE, randomBits);
    }

    /**
     * The float32 nearest (ties to even) to {@code n / (dSig * 2^dExp)} for a positive finite double
     * n and an odd {@code dSig} below 2^40: infinite beyond float32's range, zero far below it.
     */
    static float toFloat32(double n, long dSig, int dExp) {
        long sig = significand(n);
        int shift = Long.numberOfLeadingZeros(sig) - 2;
        sig <<= shift;                                         // in [2^61, 2^62)
        long q = sig / dSig;
        long sticky = sig - q * dSig != 0 ? 1 : 0;
        long v = q << 1 | sticky;                              // the quotient with a sticky bit
        int exp = exponent(n) - shift - dExp - 1;
        // Round to odd at 53 bits, then once more to float32's 24 bits: an odd intermediate with at
        // least two more bits than the target does not double-round.
        int extra = 64 - Long.numberOfLeadingZeros(v) - 53;
        if (extra > 0) {
            long lost = v & ((1L << extra) - 1);
            v = v >>> extra | (lost != 0 ? 1 : 0);
            exp += extra;
        }
        if (exp < -1074) {
            return 0f;                                         // below 2^-1021: zero in float32
        }
        if (exp > 1000) {
            return Float.POSITIVE_INFINITY;
        }
        // Exact for a normal double result; a subnormal one is far below float32's range (2^-149)
        // and gives zero either way.
        return (float) Math.scalb((double) v, exp);
    }
}
