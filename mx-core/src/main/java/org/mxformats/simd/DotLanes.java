package org.mxformats.simd;

import org.mxformats.format.ElementFormat;
import org.mxformats.format.SignEncoding;

/**
 * The fixed summation order of the fast dot products, which every kernel follows so that the
 * scalar and vector kernels give the same bits on every machine.
 *
 * <p>When the block size is a multiple of {@value #CHUNK}, the elements are spread over
 * {@value #LANES} lanes. A chunk of 32 consecutive elements of a block gives each lane {@code L}
 * two elements, "part 0" and "part 1": elements {@code L} and {@code L + 16} of the chunk (for
 * 4-bit formats, stored two per byte low nibble first, the nibbles of bytes {@code L / 2} and
 * {@code 8 + L / 2}). Within a block the lane sum {@code s[L]} is a float: it starts at -0 and takes
 * {@code s[L] = fma(v, x, s[L])} (float, one rounding) for the part 0 element, then the part 1
 * element, chunk by chunk, where {@code v = value / unit} is the element's value divided by the
 * format's lane unit ({@link #unit}, a power of two that makes e2m1 and int8 values small integers;
 * 1 for most formats). Then, in float, {@code acc[L] = fma(s[L], X * unit, acc[L])} (X the block's
 * scale value; acc starts at -0) block by block. At the end lanes are folded pairwise,
 * {@code acc[L] += acc[L + w]} for w = 8, 4, 2, 1, and {@code acc[0]} is the result.
 *
 * <p>Other block sizes use one double accumulator with exact double products: within a block
 * {@code s += value * x} element by element from -0, then {@code acc += s * X}.
 */
final class DotLanes {
    /** The number of float accumulators of the canonical order. */
    static final int LANES = 16;
    /** Elements per chunk: two per lane. */
    static final int CHUNK = 32;

    private DotLanes() {
    }

    /** Whether the lane order applies to this block size. */
    static boolean lanes(int blockSize) {
        return blockSize % CHUNK == 0;
    }

    /**
     * Whether the FAST dot's float lanes apply to this block size: whole halves of a chunk (16
     * elements; NVFP4's blocks are one), each added to the lane sums by one fma per lane.
     */
    static boolean fastLanes(int blockSize) {
        return blockSize % LANES == 0;
    }

    /** Folds the 16 accumulators pairwise, as every kernel does. Overwrites {@code acc}. */
    static double fold(double[] acc) {
        for (int w = LANES / 2; w >= 1; w >>= 1) {
            for (int l = 0; l < w; l++) {
                acc[l] += acc[l + w];
            }
        }
        return acc[0];
    }

    /** Whether codes of this format are stored two per byte in the dot kernels. */
    static boolean nibbles(ElementFormat element) {
        return element.bits() == 4;
    }

    /** Bytes of code storage for {@code count} elements: half a byte each for 4-bit formats. */
    static int codeBytes(ElementFormat element, int count) {
        return nibbles(element) ? (count + 1) / 2 : count;
    }

    /** The code of element {@code i} of a run stored from {@code offset}. */
    static int code(ElementFormat element, byte[] codes, int offset, int i) {
        if (nibbles(element)) {
            int b = codes[offset + (i >>> 1)];
            return (i & 1) == 0 ? b & 0xf : (b >>> 4) & 0xf;
        }
        return codes[offset + i] & (element.codeCount() - 1);
    }

    /** See {@link Kernels#magnitudeKey}. */
    static int magnitudeKey(ElementFormat element, int code) {
        int bits = element.bits();
        int c = code & (element.codeCount() - 1);
        switch (element.signEncoding()) {
            case TWOS_COMPLEMENT:
                int signed = c << (32 - bits) >> (32 - bits);
                return Math.max(signed, ~signed);
            case SIGN_MAGNITUDE:
                return c & ~(1 << (bits - 1));
            default:
                return c;
        }
    }

    /** See {@link Kernels#exactProductSumBits}. */
    static int spanBits(ElementFormat a, ElementFormat b, int length) {
        int log2Length = 32 - Integer.numberOfLeadingZeros(Math.max(length, 1) - 1);
        int top = a.emax() + 1 + b.emax() + 1 + log2Length;
        int low = Math.getExponent(a.minSubnormal()) + Math.getExponent(b.minSubnormal());
        return top - low;
    }

    /**
     * The lane unit of a format: for 4-bit and two's complement formats, the largest power of two
     * {@code 2^-j} (j >= 0) that divides every finite value, when the quotients are integers in
     * [-128, 127] (e2m1: 1/2, int8: 2^-6); 1 otherwise. Dividing by it is exact and lets vector
     * kernels look values up as bytes or convert integer codes directly.
     */
    static double unit(ElementFormat element) {
        return LANE_TABLES.get(element).unit;
    }

    /**
     * The factor from a code's raw lane decoding to its lane value ({@code value / unit}): for
     * sign-magnitude and unsigned formats, whose codes the vector loops shift to float's fraction
     * bits, {@code 2^(127 - bias) / unit}; for two's complement ones, whose codes convert as
     * integers, {@code 2^(1 - bias - mantissaBits) / unit}. Infinite or zero when float cannot hold it.
     */
    static float laneScale(ElementFormat element) {
        boolean twosComplement = element.signEncoding() == SignEncoding.TWOS_COMPLEMENT;
        return (float) ((twosComplement ? Math.scalb(1.0, 1 - element.bias() - element.mantissaBits())
                : Math.scalb(1.0, 127 - element.bias())) / unit(element));
    }

    /** {@code decodeFloat(code) / unit(element)} for every code, indexed by code. */
    static float[] laneValues(ElementFormat element) {
        return LANE_TABLES.get(element).values;
    }

    /**
     * The exponent of the largest power of two dividing every finite value of the format (from
     * 2^-60 to 1), or {@link Integer#MIN_VALUE} when there is none in that range: the unit in which
     * {@link #integers} counts.
     */
    static int integerLsbExponent(ElementFormat element) {
        return LANE_TABLES.get(element).lsbExponent;
    }

    /**
     * Each code's value divided by {@code 2^integerLsbExponent} (an integer below 2^62 in
     * magnitude), indexed by code, {@link Kernels#NOT_INTEGER} for a NaN or an infinity; null when
     * {@link #integerLsbExponent} has no value or an integer would not fit.
     */
    static long[] integers(ElementFormat element) {
        return LANE_TABLES.get(element).integers;
    }

    /**
     * {@link #integers} as bytes for 4-bit formats (stored two per byte) without NaN or infinity whose
     * integers all lie in [-128, 127] (e2m1), indexed by code and padded to 32 bytes; else null.
     */
    static byte[] smallIntegerBytes(ElementFormat element) {
        return LANE_TABLES.get(element).smallIntegerBytes;
    }

    /** Bits of the largest magnitude among {@link #integers} (64 when there are none). */
    static int integerBits(ElementFormat element) {
        return LANE_TABLES.get(element).integerBits;
    }

    /** Whether {@link #integers} of every code is the code as a signed byte (MXINT8's elements). */
    static boolean signedByteIntegers(ElementFormat element) {
        return LANE_TABLES.get(element).signedByteIntegers;
    }

    private static final FormatCache<LaneTable> LANE_TABLES = new FormatCache<>(LaneTable::new);

    private static final class LaneTable {
        final double unit;
        final float[] values;
        final int lsbExponent;
        final long[] integers;
        final boolean signedByteIntegers;
        final int integerBits;
        final byte[] smallIntegerBytes;

        LaneTable(ElementFormat f) {
            float[] plain = FormatTables.floatValues(f);
            int lsb = Integer.MIN_VALUE;
            for (int j = 0; j <= 60 && lsb == Integer.MIN_VALUE; j++) {
                boolean whole = true;
                for (float v : plain) {
                    double scaled = Math.scalb((double) v, j);
                    whole &= !Float.isFinite(v) || scaled == Math.rint(scaled) && Math.abs(scaled) < 0x1p62;
                }
                lsb = whole ? -j : lsb;
            }
            lsbExponent = lsb;
            if (lsb != Integer.MIN_VALUE) {
                integers = new long[plain.length];
                for (int c = 0; c < plain.length; c++) {
                    integers[c] = Float.isFinite(plain[c]) ? (long) Math.scalb((double) plain[c], -lsb) : Kernels.NOT_INTEGER;
                }
            } else {
                integers = null;
            }
            boolean signedBytes = integers != null && integers.length == 256;
            for (int c = 0; signedBytes && c < 256; c++) {
                signedBytes = integers[c] == (byte) c;
            }
            signedByteIntegers = signedBytes;
            long largest = 0;
            for (int c = 0; integers != null && c < integers.length; c++) {
                largest = integers[c] == Kernels.NOT_INTEGER ? largest : Math.max(largest, Math.abs(integers[c]));
            }
            integerBits = integers == null ? 64 : 64 - Long.numberOfLeadingZeros(largest);
            int scaleUp = lsb != Integer.MIN_VALUE && lsb >= -30 ? -lsb : -1;
            boolean fits = scaleUp >= 0
                    && (f.bits() == 4 || f.signEncoding() == SignEncoding.TWOS_COMPLEMENT);
            boolean finite = true;
            for (float v : plain) {
                finite &= Float.isFinite(v);
                fits &= !Float.isFinite(v) || Math.abs(Math.scalb((double) v, scaleUp) + 0.5) <= 127.5;
            }
            unit = fits ? Math.scalb(1.0, -scaleUp) : 1.0;
            values = new float[plain.length];
            for (int c = 0; c < plain.length; c++) {
                values[c] = (float) (plain[c] / unit);   // a power of two: exact
            }
            byte[] bytes = null;
            if (fits && finite) {
                bytes = new byte[plain.length];
                for (int c = 0; c < plain.length; c++) {
                    bytes[c] = (byte) values[c];
                }
            }
            // For 4-bit formats the lane unit is the least bit: the lane bytes are the integers.
            smallIntegerBytes = f.bits() == 4 && bytes != null ? java.util.Arrays.copyOf(bytes, 32) : null;
        }
    }
}
