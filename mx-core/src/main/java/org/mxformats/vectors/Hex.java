package org.mxformats.vectors;

import java.util.Locale;
import org.mxformats.format.ElementFormat;

/** Parsing and printing of the contract's hex fields. */
public final class Hex {
    private Hex() {
    }

    /** A float32 given as its bit pattern, 1 to 8 hex digits. */
    public static float float32(String field) {
        return Float.intBitsToFloat((int) parse(field, 8, "float32"));
    }

    /** A code of {@code format}, right-aligned hex that must fit the format's width. */
    public static int code(String field, ElementFormat format) {
        long v = parse(field, (format.bits() + 3) / 4, format.name() + " code");
        if (v >= format.codeCount()) {
            throw new IllegalArgumentException("code " + field + " is outside the " + format.bits() + "-bit format " + format);
        }
        return (int) v;
    }

    /** A comma-separated list of exactly {@code count} float32 values. */
    public static float[] float32List(String field, int count) {
        String[] parts = list(field, count, "float32");
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = float32(parts[i]);
        }
        return out;
    }

    /** A comma-separated list of exactly {@code count} codes of {@code format}. */
    public static int[] codeList(String field, int count, ElementFormat format) {
        String[] parts = list(field, count, format.name() + " code");
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = code(parts[i], format);
        }
        return out;
    }

    private static String[] list(String field, int count, String what) {
        String[] parts = field.split(",", -1);
        if (parts.length != count) {
            throw new IllegalArgumentException("expected " + count + " " + what + " values, found " + parts.length);
        }
        return parts;
    }

    private static long parse(String field, int maxDigits, String what) {
        if (field.isEmpty() || field.length() > maxDigits) {
            throw new IllegalArgumentException("'" + field + "' is not a " + what + " (1 to " + maxDigits + " hex digits)");
        }
        long v = 0;
        for (int i = 0; i < field.length(); i++) {
            int d = Character.digit(field.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException("'" + field + "' is not a " + what + " (hex digits only, no 0x)");
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** A float32 as its 8-digit bit pattern and its decimal value, for messages. */
    public static String show(float f) {
        return String.format(Locale.ROOT, "%08x (%s)", Float.floatToRawIntBits(f), f);
    }

    /** A code as right-aligned hex of the format's width. */
    public static String show(int code, ElementFormat format) {
        return String.format(Locale.ROOT, "%0" + ((format.bits() + 3) / 4) + "x", code);
    }
}
