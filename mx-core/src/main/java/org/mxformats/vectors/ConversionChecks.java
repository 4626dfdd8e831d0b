package org.mxformats.vectors;

import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/** The {@code decode} and {@code encode} ops of the contract. */
final class ConversionChecks {
    private ConversionChecks() {
    }

    /** {@code @op decode}: {@code CODE VALUE}; a NaN VALUE accepts any NaN, otherwise bits must match. */
    static final OpCheck DECODE = (d, f) -> {
        Records.requireFields(f, 2);
        ElementFormat format = d.format("format");
        int code = Hex.code(f[0], format);
        float expected = Hex.float32(f[1]);
        float got = format.decodeFloat(code);
        return sameFloat(expected, got) ? null : "expected " + Hex.show(expected) + ", got " + Hex.show(got);
    };

    /** {@code @op encode}: {@code INPUT CODE}; an expected NaN code accepts any NaN code. */
    static final OpCheck ENCODE = (d, f) -> {
        Records.requireFields(f, 2);
        ElementFormat format = d.format("format");
        Rounding rounding = d.rounding("rounding");
        Overflow overflow = d.overflow("overflow");
        float input = Hex.float32(f[0]);
        int expected = Hex.code(f[1], format);
        int got = format.encode(input, rounding, overflow);
        return sameCode(format, expected, got) ? null
                : "expected " + Hex.show(expected, format) + ", got " + Hex.show(got, format) + " for input " + Hex.show(input);
    };

    /** Float equality of the contract: any NaN matches any NaN, otherwise the bits (so -0 != +0). */
    static boolean sameFloat(float expected, float got) {
        return Float.isNaN(expected) ? Float.isNaN(got)
                : Float.floatToRawIntBits(expected) == Float.floatToRawIntBits(got);
    }

    /** Code equality of the contract: any NaN code matches an expected NaN code. */
    static boolean sameCode(ElementFormat format, int expected, int got) {
        return format.isNaN(expected) ? format.isNaN(got) : expected == got;
    }
}
