package org.mxformats.dot;

import java.util.concurrent.ConcurrentHashMap;
import org.mxformats.format.ElementFormat;

/**
 * Per-format lookup tables for exact integer arithmetic on codes: every finite value of a format
 * is {@code significand * 2^exponent} with an odd (or zero) integer significand, and, when the
 * format's span allows, a fixed-point integer {@code value / 2^lsbExponent}. Immutable, cached.
 */
final class CodeTable {
    private static final ConcurrentHashMap<ElementFormat, CodeTable> CACHE = new ConcurrentHashMap<>();

    /** Integers with at most this many magnitude bits are kept in {@link #integer}. */
    static final int MAX_INTEGER_BITS = 62;

    final ElementFormat format;
    /** The decoded value of each code (NaN for NaN codes). */
    final double[] value;
    /** Odd significand with sign (0 for zeros and specials) and the exponent of its lowest bit. */
    final long[] significand;
    final int[] exponent;
    /** Bits of the largest odd significand magnitude. */
    final int significandBits;
    /** 1 for NaN and infinite codes, else 0: OR-ed in hot loops to detect specials cheaply. */
    final byte[] special;
    /** Whether the value's sign bit is set (negative numbers and -0). */
    final boolean[] negative;
    final boolean hasSpecials;
    /** The least exponent of any nonzero finite value's lowest set bit. */
    final int lsbExponent;
    /** Every finite magnitude is below {@code 2^topExponent}. */
    final int topExponent;
    /** Bits of the largest {@code |value| / 2^lsbExponent}: {@code topExponent - lsbExponent}. */
    final int integerBits;
    /** {@code value / 2^lsbExponent} for finite codes (0 for specials); null if integerBits is too large. */
    final long[] integer;

    private CodeTable(ElementFormat f) {
        this.format = f;
        int n = f.codeCount();
        value = f.codeValues();
        significand = new long[n];
        exponent = new int[n];
        special = new byte[n];
        negative = new boolean[n];
        boolean anySpecial = false;
        int lsb = Integer.MAX_VALUE;
        int top = Integer.MIN_VALUE;
        int sigBits = 0;
        for (int c = 0; c < n; c++) {
            double v = value[c];
            negative[c] = Double.doubleToRawLongBits(v) < 0;
            if (!Double.isFinite(v)) {
                special[c] = 1;
                anySpecial = true;
                continue;
            }
            if (v == 0) {
                continue;
            }
            long bits = Double.doubleToRawLongBits(v);
            int biased = (int) (bits >>> 52) & 0x7FF;
            long sig = biased == 0 ? bits & 0xF_FFFF_FFFF_FFFFL : (bits & 0xF_FFFF_FFFF_FFFFL) | 1L << 52;
            int e = (biased == 0 ? 1 : biased) - 1075;
            int tz = Long.numberOfTrailingZeros(sig);
            sig >>>= tz;
            e += tz;
            significand[c] = v < 0 ? -sig : sig;
            exponent[c] = e;
            lsb = Math.min(lsb, e);
            sigBits = Math.max(sigBits, 64 - Long.numberOfLeadingZeros(sig));
            top = Math.max(top, e + 64 - Long.numberOfLeadingZeros(sig));
        }
        hasSpecials = anySpecial;
        significandBits = sigBits;
        lsbExponent = lsb;
        topExponent = top;
        integerBits = top - lsb;
        if (integerBits <= MAX_INTEGER_BITS) {
            integer = new long[n];
            for (int c = 0; c < n; c++) {
                integer[c] = significand[c] << (exponent[c] - lsb);
            }
        } else {
            integer = null;
        }
    }

    static CodeTable of(ElementFormat f) {
        return CACHE.computeIfAbsent(f, CodeTable::new);
    }

    /** Whether the code is a zero (either sign). */
    boolean isZero(int code) {
        return value[code] == 0;
    }
}
