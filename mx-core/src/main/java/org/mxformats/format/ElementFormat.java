package org.mxformats.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mxformats.simd.Kernels;

/**
 * An immutable description of a narrow number format of 2 to 16 bits, and exact conversion between
 * its codes and Java {@code float}/{@code double} values.
 *
 * <p>One descriptor covers every element and scale format of the MX family: sign encoding
 * ({@link SignEncoding}), exponent and mantissa widths, exponent bias, and the special-value
 * convention, given by four facts: how many codes at the top of each sign half are NaN
 * ({@link #nanCodesPerSign()}), whether the code just below them is infinity, whether the
 * "negative zero" code is -0 or NaN (IEEE P3109 style), and whether exponent field zero is
 * subnormal (or an ordinary binade, as in UE8M0, which then has no zero). IEEE-like formats have
 * {@code 2^m - 1} NaN codes and an infinity; OCP E4M3 has one NaN code per sign and no infinity;
 * the OCP FP6/FP4 formats are finite only.
 *
 * <p>A positive magnitude code {@code c} (the code without its sign) holds exponent field
 * {@code e = c >>> m} and mantissa {@code f = c & (2^m - 1)}; its value is
 * {@code (2^m + f) * 2^(e - bias - m)} for a normal code and {@code f * 2^(1 - bias - m)} for a
 * subnormal one ({@code e == 0} with subnormals). Magnitude codes are therefore monotonic in value,
 * which is what lets the encoder round by incrementing a code.
 *
 * <p>Encoding rounds exactly once, from the exact {@code double} (or {@code float}) input, under
 * every {@link Rounding} and {@link Overflow} policy. Instances are immutable and thread-safe;
 * {@link #equals} compares every defining field.
 */
public final class ElementFormat {

    // ---- The built-in formats of the conformance contract -----------------------------------

    /** OCP FP8 E4M3: bias 7, no infinity, NaN at S.1111.111, max 448. */
    public static final ElementFormat E4M3 = signed("e4m3", 4, 3, 7, 1, false);
    /** OCP FP8 E5M2: IEEE-like, bias 15, infinities and NaNs, max 57344. */
    public static final ElementFormat E5M2 = signed("e5m2", 5, 2, 15, 3, true);
    /** OCP FP6 E3M2: bias 3, finite only, max 28. */
    public static final ElementFormat E3M2 = signed("e3m2", 3, 2, 3, 0, false);
    /** OCP FP6 E2M3: bias 1, finite only, max 7.5. */
    public static final ElementFormat E2M3 = signed("e2m3", 2, 3, 1, 0, false);
    /** OCP FP4 E2M1: bias 1, finite only, max 6. */
    public static final ElementFormat E2M1 = signed("e2m1", 2, 1, 1, 0, false);
    /** MXINT8 element: 8-bit two's complement, value = code x 2^-6, symmetric range +-127/64. */
    public static final ElementFormat INT8 = integer("int8", 8, 6);
    /** FP8 E3M4: IEEE-like, bias 3, infinities and NaNs, max 15.5 (ml_dtypes {@code float8_e3m4}). */
    public static final ElementFormat E3M4 = signed("e3m4", 3, 4, 3, 15, true);

    /** OCP UE8M0 scale: value 2^(code - 127), code {@code ff} is NaN, no zero. */
    public static final ElementFormat E8M0 = new ElementFormat("e8m0", SignEncoding.UNSIGNED, 8, 0, 127,
            1, false, false, false);
    /** UE4M3 scale (NVFP4): E4M3 without its sign bit, 7 bits, max 448, {@code 7f} is NaN. */
    public static final ElementFormat UE4M3 = new ElementFormat("ue4m3", SignEncoding.UNSIGNED, 4, 3, 7,
            1, false, false, true);
    /** UE5M3 scale: unsigned, bias 15, subnormals, no infinity, {@code ff} NaN, max 114688. */
    public static final ElementFormat UE5M3 = new ElementFormat("ue5m3", SignEncoding.UNSIGNED, 5, 3, 15,
            1, false, false, true);

    private static final List<ElementFormat> BUILT_IN = List.of(
            E4M3, E5M2, E3M2, E2M3, E2M1, INT8, E3M4, E8M0, UE4M3, UE5M3);

    // ---- Defining fields ----------------------------------------------------------------------

    private final String name;
    private final SignEncoding sign;
    private final int exponentBits;
    private final int mantissaBits;
    private final int bias;
    private final int nanCodesPerSign;
    private final boolean infinity;
    private final boolean negativeZero;
    private final boolean subnormals;

    // ---- Derived, all final -------------------------------------------------------------------

    private final int bits;
    private final int codeMask;
    private final int signBit;          // 0 when the format has no sign bit
    private final int maxMagnitude;     // magnitude code of the largest finite value
    private final int infMagnitude;     // magnitude code of infinity, or -1
    private final int nanCode;          // canonical (positive) NaN code, or -1
    private final int minNormalExponent;
    /** Computed once: formats key the kernels' per-format tables, so hashing sits on hot paths. */
    private final int hash;
    private final int emax;
    private final double[] values;      // by code; NaN for NaN codes
    private final float[] floatValues;

    private ElementFormat(String name, SignEncoding sign, int exponentBits, int mantissaBits, int bias,
                          int nanCodesPerSign, boolean infinity, boolean negativeZero, boolean subnormals) {
        this.name = Objects.requireNonNull(name, "name");
        this.sign = Objects.requireNonNull(sign, "sign");
        this.exponentBits = exponentBits;
        this.mantissaBits = mantissaBits;
        this.bias = bias;
        this.nanCodesPerSign = nanCodesPerSign;
        this.infinity = infinity;
        this.negativeZero = negativeZero;
        this.subnormals = subnormals;

        if (exponentBits < 0 || mantissaBits < 0 || exponentBits + mantissaBits < 1) {
            throw new IllegalArgumentException(name + ": exponent and mantissa widths must be >= 0 with a sum >= 1, got E"
                    + exponentBits + "M" + mantissaBits);
        }
        int magnitudeBits = exponentBits + mantissaBits;
        this.bits = magnitudeBits + (sign == SignEncoding.UNSIGNED ? 0 : 1);
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException(name + ": a format has 2 to 16 bits, got " + bits);
        }
        if (sign == SignEncoding.TWOS_COMPLEMENT
                && (exponentBits != 0 || !subnormals || nanCodesPerSign != 0 || infinity || negativeZero)) {
            throw new IllegalArgumentException(name + ": a two's complement format is an integer with no specials");
        }
        if (sign != SignEncoding.SIGN_MAGNITUDE && negativeZero) {
            throw new IllegalArgumentException(name + ": only a sign-magnitude format has a negative zero");
        }
        this.codeMask = (1 << bits) - 1;
        this.signBit = sign == SignEncoding.UNSIGNED ? 0 : 1 << (bits - 1);
        int magnitudeCodes = 1 << magnitudeBits;
        int top = magnitudeCodes - 1 - nanCodesPerSign - (infinity ? 1 : 0);
        if (nanCodesPerSign < 0 || top < 1) {
            throw new IllegalArgumentException(name + ": " + nanCodesPerSign + " NaN codes"
                    + (infinity ? " and an infinity" : "") + " leave no finite non-zero value");
        }
        this.maxMagnitude = top;
        this.infMagnitude = infinity ? top + 1 : -1;
        if (nanCodesPerSign > 0) {
            this.nanCode = magnitudeCodes - 1;
        } else if (sign == SignEncoding.SIGN_MAGNITUDE && !negativeZero) {
            this.nanCode = signBit;   // P3109: the code that would be -0 is the NaN
        } else {
            this.nanCode = -1;
        }
        this.minNormalExponent = subnormals ? 1 - bias : -bias;
        this.hash = Objects.hash(name, sign, exponentBits, mantissaBits, bias, nanCodesPerSign, infinity,
                negativeZero, subnormals);

        // Exponent of the largest value; the range must be exact in double.
        long maxSig = significand(maxMagnitude);
        int maxExp = exponentOf(maxMagnitude);
        this.emax = maxExp + 63 - Long.numberOfLeadingZeros(maxSig);
        int minExp = subnormals ? 1 - bias - mantissaBits : -bias;
        if (emax > 1023 || minExp < -1074) {
            throw new IllegalArgumentException(name + ": values from 2^" + minExp + " to 2^" + emax
                    + " are not all representable in double");
        }

        this.values = new double[1 << bits];
        this.floatValues = new float[1 << bits];
        for (int code = 0; code < values.length; code++) {
            values[code] = computeValue(code);
            floatValues[code] = (float) values[code];
        }
    }

    private static ElementFormat signed(String name, int e, int m, int bias, int nans, boolean inf) {
        return new ElementFormat(name, SignEncoding.SIGN_MAGNITUDE, e, m, bias, nans, inf, true, true);
    }

    private static ElementFormat integer(String name, int bits, int fractionBits) {
        // An integer is an all-subnormal format: value = code * 2^(1 - bias - m) with m = bits - 1.
        int m = bits - 1;
        return new ElementFormat(name, SignEncoding.TWOS_COMPLEMENT, 0, m, 1 - m + fractionBits, 0, false, false, true);
    }

    // ---- Factories for user formats -----------------------------------------------------------

    /** Starts describing a user-defined format; see {@link Builder}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * An IEEE P3109 binary format: {@code k} bits, precision {@code p} (so {@code p - 1} mantissa
     * bits), signed or unsigned, finite or extended (with infinities). Signed formats have bias
     * {@code floor(2^(k-p-1))}, NaN at code {@code 2^(k-1)} (where -0 would be) and, if extended,
     * +-Inf at the top code of each half; unsigned formats have bias {@code 2^(k-p)}, NaN at the
     * all-ones code and, if extended, +Inf just below it. All have subnormals.
     *
     * @throws IllegalArgumentException if {@code k} is outside 2..16 or {@code p} outside 1..k
     */
    public static ElementFormat p3109(int k, int p, boolean signed, boolean extended) {
        if (k < 2 || k > 16 || p < 1 || p > k) {
            throw new IllegalArgumentException("P3109 format K" + k + " P" + p + (signed ? " signed" : " unsigned")
                    + " is not defined (2 <= K <= 16, 1 <= P <= K)");
        }
        String name = String.format(Locale.ROOT, "p3109_k%dp%d%s%s", k, p, signed ? "s" : "u", extended ? "e" : "f");
        int m = p - 1;
        if (signed) {
            int bias = (int) Math.floor(Math.pow(2, k - p - 1));
            return new ElementFormat(name, SignEncoding.SIGN_MAGNITUDE, k - 1 - m, m, bias, 0, extended, false, true);
        }
        return new ElementFormat(name, SignEncoding.UNSIGNED, k - m, m, 1 << (k - p), 1, extended, false, true);
    }

    private static final Pattern P3109_NAME = Pattern.compile("p3109_k(\\d+)p(\\d+)([su])([ef])");

    /**
     * The built-in format with this contract name ({@code e4m3 e5m2 e3m2 e2m3 e2m1 int8 e3m4 e8m0
     * ue4m3 ue5m3}), or a P3109 format named as {@code p3109_k8p3se} (K, P, s/u, e/f).
     *
     * @throws IllegalArgumentException naming the unknown name and the known ones
     */
    public static ElementFormat byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (ElementFormat f : BUILT_IN) {
            if (f.name.equals(n)) {
                return f;
            }
        }
        Matcher mm = P3109_NAME.matcher(n);
        if (mm.matches()) {
            return p3109(Integer.parseInt(mm.group(1)), Integer.parseInt(mm.group(2)),
                    mm.group(3).equals("s"), mm.group(4).equals("e"));
        }
        throw new IllegalArgumentException("unknown format '" + name + "' (expected one of "
                + String.join(" ", BUILT_IN.stream().map(ElementFormat::name).toList()) + ", or p3109_kKpP[s|u][e|f])");
    }

    /** The ten built-in formats of the conformance contract: seven element and three scale formats. */
    public static List<ElementFormat> builtIn() {
        return BUILT_IN;
    }

    // ---- Properties ----------------------------------------------------------------------------

    /** The format's name, such as {@code e4m3}. */
    public String name() { return name; }

    /** Total width in bits, 2 to 16. */
    public int bits() { return bits; }

    /** How codes carry the sign. */
    public SignEncoding signEncoding() { return sign; }

    /** Width of the exponent field (0 for integer formats). */
    public int exponentBits() { return exponentBits; }

    /** Width of the mantissa (fraction) field; for integer formats, the magnitude bits. */
    public int mantissaBits() { return mantissaBits; }

    /** The exponent bias. */
    public int bias() { return bias; }

    /** How many codes at the top of each sign half are NaN. */
    public int nanCodesPerSign() { return nanCodesPerSign; }

    /** Whether the format has infinities. */
    public boolean hasInfinity() { return infinity; }

    /** Whether the format has at least one NaN code. */
    public boolean hasNaN() { return nanCode >= 0; }

    /** Whether the format has a negative zero code. */
    public boolean hasNegativeZero() { return negativeZero; }

    /** Whether exponent field zero holds subnormals (and zero); without them the format has no zero. */
    public boolean hasSubnormals() { return subnormals; }

    /** Whether the format has a zero (every format with subnormals does). */
    public boolean hasZero() { return subnormals; }

    /** Whether codes carry a sign (sign-magnitude or two's complement). */
    public boolean isSigned() { return sign != SignEncoding.UNSIGNED; }

    /** Whether {@link Overflow#NO_SATURATE} is allowed: the format has an infinity or a NaN. */
    public boolean allowsNoSaturate() { return infinity || nanCode >= 0; }

    /** The largest finite value. */
    public double maxFinite() { return values[maxMagnitude]; }

    /** The code of the largest finite value. */
    public int maxFiniteCode() { return maxMagnitude; }

    /** The smallest positive normal value (for integer formats, the smallest positive value). */
    public double minNormal() {
        return sign == SignEncoding.TWOS_COMPLEMENT || exponentBits == 0
                ? values[subnormals ? 1 : 0] : Math.scalb(1.0, minNormalExponent);
    }

    /** The smallest positive value: the least subnormal, or the least normal without subnormals. */
    public double minSubnormal() { return values[subnormals ? 1 : 0]; }

    /** The exponent of the largest finite value: {@code floor(log2(maxFinite()))}. */
    public int emax() { return emax; }

    /** The exponent of the smallest normal value: {@code floor(log2(minNormal()))}. */
    public int emin() { return Math.getExponent(minNormal()); }

    /** A NaN code (the positive one where NaN codes come in pairs). */
    public int nanCode() {
        if (nanCode < 0) {
            throw new IllegalArgumentException(name + " has no NaN");
        }
        return nanCode;
    }

    /** The code of positive or negative infinity. */
    public int infinityCode(boolean negative) {
        if (!infinity || (negative && !isSigned())) {
            throw new IllegalArgumentException(name + " has no " + (negative ? "negative " : "") + "infinity");
        }
        return negative ? signBit | infMagnitude : infMagnitude;
    }

    /** The number of codes, {@code 2^bits}. */
    public int codeCount() { return 1 << bits; }

    /** The value of every code, indexed by code; NaN codes hold {@code Double.NaN}. A fresh copy. */
    public double[] codeValues() { return values.clone(); }

    /** Every distinct non-NaN value in ascending order (one zero, +0, where the format has zeros). */
    public double[] sortedValues() {
        return Arrays.stream(values).filter(v -> !Double.isNaN(v)).map(v -> v == 0 ? 0.0 : v)
                .distinct().sorted().toArray();
    }

    // ---- Decoding ------------------------------------------------------------------------------

    /**
     * The exact value of a code.
     *
     * @throws IllegalArgumentException if the code is outside {@code 0 .. 2^bits - 1}
     */
    public double decode(int code) {
        return values[checkCode(code)];
    }

    /**
     * The value of a code as a float: exact for every format whose values fit float (all built-in
     * formats do), otherwise the nearest float.
     *
     * @throws IllegalArgumentException if the code is outside {@code 0 .. 2^bits - 1}
     */
    public float decodeFloat(int code) {
        return floatValues[checkCode(code)];
    }

    /** Whether a code is NaN. */
    public boolean isNaN(int code) {
        return Double.isNaN(values[checkCode(code)]);
    }

    /** Whether a code is an infinity. */
    public boolean isInfinite(int code) {
        return Double.isInfinite(values[checkCode(code)]);
    }

    /**
     * Decodes {@code length} codes of an 8-bit-or-narrower format, one per byte (high bits ignored),
     * into floats. Allocates nothing.
     */
    public void decode(byte[] codes, int codeOffset, float[] out, int outOffset, int length) {
        Objects.checkFromIndexSize(codeOffset, length, codes.length);
        Objects.checkFromIndexSize(outOffset, length, out.length);
        requireByteCodes();
        Kernels.get().decode(this, codes, codeOffset, out, outOffset, length);
    }

    /** Decodes {@code length} codes held one per short (for formats of up to 16 bits) into floats. */
    public void decode(short[] codes, int codeOffset, float[] out, int outOffset, int length) {
        Objects.checkFromIndexSize(codeOffset, length, codes.length);
        Objects.checkFromIndexSize(outOffset, length, out.length);
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = floatValues[codes[codeOffset + i] & codeMask];
        }
    }

    private int checkCode(int code) {
        if ((code & ~codeMask) != 0) {
            throw new IllegalArgumentException("code 0x" + Integer.toHexString(code) + " is outside the "
                    + bits + "-bit format " + name);
        }
        return code;
    }

    private void requireByteCodes() {
        if (bits > 8) {
            throw new IllegalArgumentException(name + " has " + bits + "-bit codes: use short[] storage");
        }
    }

    // ---- Encoding ------------------------------------------------------------------------------

    /** Encodes a float with a deterministic rounding; the same as {@link #encode(double, Rounding, Overflow)}. */
    public int encode(float x, Rounding rounding, Overflow overflow) {
        return encode((double) x, rounding, overflow, 0);
    }

    /**
     * Encodes a double, rounded once from its exact value, with a deterministic rounding mode.
     *
     * @throws IllegalArgumentException for {@link Rounding#STOCHASTIC} (use the overload with random
     *                                  bits), for NaN into a format without NaN, or for
     *                                  {@link Overflow#NO_SATURATE} on a format with neither
     *                                  infinity nor NaN
     */
    public int encode(double x, Rounding rounding, Overflow overflow) {
        if (rounding == Rounding.STOCHASTIC) {
            throw new IllegalArgumentException("stochastic rounding needs random bits: call encode(x, rounding, overflow, randomBits)");
        }
        return encode(x, rounding, overflow, 0);
    }

    /**
     * Encodes a double, rounded once from its exact value. {@code randomBits} is used only by
     * {@link Rounding#STOCHASTIC}: the value rounds away from zero when the top 32 bits of the
     * discarded fraction plus {@code randomBits} (both read as unsigned) reach 2^32, so with
     * uniform random bits the probability equals the fraction truncated to 32 bits.
     *
     * <p>Formats without subnormals (such as {@code e8m0}) have no zero: magnitudes below the
     * smallest value encode as the smallest value. In unsigned formats a negative non-zero input
     * encodes as the smallest value when saturating and as NaN otherwise.
     *
     * @throws IllegalArgumentException for NaN into a format without NaN, or for
     *                                  {@link Overflow#NO_SATURATE} on a format with neither
     *                                  infinity nor NaN
     */
    public int encode(double x, Rounding rounding, Overflow overflow, int randomBits) {
        if (overflow == Overflow.NO_SATURATE && !allowsNoSaturate()) {
            throw new IllegalArgumentException("overflow nosat is not allowed for " + name
                    + ", which has neither infinity nor NaN");
        }
        long raw = Double.doubleToRawLongBits(x);
        boolean negative = raw < 0;
        long abs = raw & 0x7fff_ffff_ffff_ffffL;
        if (abs > 0x7ff0_0000_0000_0000L) {
            return nanOrThrow(x);
        }
        if (negative && sign == SignEncoding.UNSIGNED && abs != 0) {
            return overflow == Overflow.SATURATE || nanCode < 0 ? 0 : nanCode;
        }
        if (abs == 0x7ff0_0000_0000_0000L) {
            return withSign(negative, overflowMagnitude(negative, rounding, overflow, true));
        }
        // |x| = significand * 2^exponent exactly; one rounding core serves doubles and wider values.
        int rawExp = (int) (abs >>> 52);
        long significand = rawExp == 0 ? abs : (abs & 0x000f_ffff_ffff_ffffL) | 0x0010_0000_0000_0000L;
        return encodeExact(significand, Math.max(rawExp, 1) - 1075, negative, rounding, overflow, randomBits);
    }

    /** Whether an inexact result rounds away from zero (to the next magnitude code). */
    private static boolean roundUp(Rounding rounding, boolean negative, int magnitude, boolean half,
                                   boolean sticky, long fraction32, int randomBits) {
        switch (rounding) {
            case RNE: return half && (sticky || (magnitude & 1) != 0);
            case RNA: return half;
            case RTZ: return false;
            case RUP: return !negative;
            case RDN: return negative;
            case ODD: return (magnitude & 1) == 0;
            case STOCHASTIC: return fraction32 + (randomBits & 0xffff_ffffL) >= 1L << 32;
            default: throw new AssertionError(rounding);
        }
    }

    /** The magnitude code (or a full NaN code, marked by {@code -1 - code}) of an overflow. */
    private int overflowMagnitude(boolean negative, Rounding rounding, Overflow overflow, boolean infiniteInput) {
        boolean toMax = overflow == Overflow.SATURATE
                || (!infiniteInput && (rounding == Rounding.RTZ
                || (rounding == Rounding.RUP && negative) || (rounding == Rounding.RDN && !negative)));
        if (toMax) {
            return maxMagnitude;
        }
        return infinity ? infMagnitude : -1 - nanCode;
    }

    /** Joins a sign and a magnitude code; a negative argument is an already complete NaN code. */
    private int withSign(boolean negative, int magnitude) {
        if (magnitude < 0) {
            int nan = -1 - magnitude;
            return negative && nanCodesPerSign > 0 ? nan | signBit : nan;
        }
        if (!negative || sign == SignEncoding.UNSIGNED) {
            return magnitude;
        }
        if (sign == SignEncoding.TWOS_COMPLEMENT) {
            return -magnitude & codeMask;
        }
        return magnitude == 0 && !negativeZero ? 0 : signBit | magnitude;
    }

    private int nanOrThrow(double x) {
        if (nanCode < 0) {
            throw new IllegalArgumentException("cannot encode " + x + " in " + name + ", which has no NaN");
        }
        return nanCode;
    }

    /**
     * Encodes {@code length} floats into one byte per code (formats of up to 8 bits) with a
     * deterministic rounding. Allocates nothing. On an exception nothing has been written.
     *
     * @throws IllegalArgumentException as {@link #encode(double, Rounding, Overflow)}, before any
     *                                  output is written
     */
    public void encode(float[] in, int inOffset, byte[] codes, int codeOffset, int length,
                       Rounding rounding, Overflow overflow) {
        encode(in, inOffset, codes, codeOffset, length, rounding, overflow, null);
    }

    /**
     * Encodes {@code length} floats into one byte per code (formats of up to 8 bits); {@code random}
     * supplies 32 bits per element for {@link Rounding#STOCHASTIC} (a seeded generator makes the
     * result reproducible) and may be null for the other modes.
     */
    public void encode(float[] in, int inOffset, byte[] codes, int codeOffset, int length,
                       Rounding rounding, Overflow overflow, RandomGenerator random) {
        Objects.checkFromIndexSize(inOffset, length, in.length);
        Objects.checkFromIndexSize(codeOffset, length, codes.length);
        requireByteCodes();
        checkBulk(in, inOffset, length, rounding, overflow, random);
        if (rounding != Rounding.STOCHASTIC) {
            Kernels.get().encode(this, in, inOffset, codes, codeOffset, length, rounding, overflow);
            return;
        }
        for (int i = 0; i < length; i++) {
            codes[codeOffset + i] = (byte) encode(in[inOffset + i], rounding, overflow, random.nextInt());
        }
    }

    /** Encodes {@code length} floats into one short per code; see the byte[] overload. */
    public void encode(float[] in, int inOffset, short[] codes, int codeOffset, int length,
                       Rounding rounding, Overflow overflow, RandomGenerator random) {
        Objects.checkFromIndexSize(inOffset, length, in.length);
        Objects.checkFromIndexSize(codeOffset, length, codes.length);
        checkBulk(in, inOffset, length, rounding, overflow, random);
        for (int i = 0; i < length; i++) {
            int r = random == null ? 0 : random.nextInt();
            codes[codeOffset + i] = (short) encode(in[inOffset + i], rounding, overflow, r);
        }
    }

    /** Validates options and inputs up front so that a bulk call never writes half its output. */
    private void checkBulk(float[] in, int inOffset, int length, Rounding rounding, Overflow overflow,
                           RandomGenerator random) {
        if (overflow == Overflow.NO_SATURATE && !allowsNoSaturate()) {
            throw new IllegalArgumentException("overflow nosat is not allowed for " + name
                    + ", which has neither infinity nor NaN");
        }
        if (rounding == Rounding.STOCHASTIC && random == null) {
            throw new IllegalArgumentException("stochastic rounding needs a random generator");
        }
        if (nanCode < 0) {
            for (int i = 0; i < length; i++) {
                if (Float.isNaN(in[inOffset + i])) {
                    throw new IllegalArgumentException("cannot encode NaN at index " + (inOffset + i)
                            + " in " + name + ", which has no NaN");
                }
            }
        }
    }

    // ---- Code structure ------------------------------------------------------------------------

    private long significand(int magnitude) {
        int e = magnitude >>> mantissaBits;
        long f = magnitude & ((1L << mantissaBits) - 1);
        return e == 0 && subnormals ? f : f | (1L << mantissaBits);
    }

    private int exponentOf(int magnitude) {
        int e = magnitude >>> mantissaBits;
        return (e == 0 && subnormals ? 1 : e) - bias - mantissaBits;
    }

    private double computeValue(int code) {
        boolean negative;
        int magnitude;
        switch (sign) {
            case UNSIGNED:
                negative = false;
                magnitude = code;
                break;
            case TWOS_COMPLEMENT:
                int v = code >= signBit ? code - (1 << bits) : code;
                return Math.scalb((double) v, exponentOf(0));   // -2^(bits-1) decodes too
            default:
                negative = (code & signBit) != 0;
                magnitude = code & ~signBit;
                if (negative && magnitude == 0 && !negativeZero) {
                    return Double.NaN;
                }
        }
        int magnitudeCodes = 1 << (exponentBits + mantissaBits);
        if (magnitude >= magnitudeCodes - nanCodesPerSign) {
            return Double.NaN;
        }
        double value = magnitude == infMagnitude ? Double.POSITIVE_INFINITY
                : Math.scalb((double) significand(magnitude), exponentOf(magnitude));
        return negative ? -value : value;
    }

    // ---- Object ---------------------------------------------------------------------------------

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ElementFormat)) {
            return false;
        }
        ElementFormat f = (ElementFormat) o;
        return name.equals(f.name) && sign == f.sign && exponentBits == f.exponentBits
                && mantissaBits == f.mantissaBits && bias == f.bias && nanCodesPerSign == f.nanCodesPerSign
                && infinity == f.infinity && negativeZero == f.negativeZero && subnormals == f.subnormals;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The format's name. */
    @Override
    public String toString() {
        return name;
    }

    /** A one-line description: widths, bias, range and special codes. */
    public String describe() {
        List<String> specials = new ArrayList<>();
        if (infinity) {
            specials.add("inf=" + hex(infinityCode(false)));
        }
        if (nanCode >= 0) {
            specials.add("nan=" + hex(nanCode) + (nanCodesPerSign > 1 ? " (" + nanCodesPerSign * (isSigned() ? 2 : 1) + " codes)" : ""));
        }
        return String.format(Locale.ROOT, "%s: %d bits, %s E%dM%d bias %d, max %s, min normal %s, min subnormal %s%s",
                name, bits, sign.name().toLowerCase(Locale.ROOT).replace('_', '-'), exponentBits, mantissaBits, bias,
                maxFinite(), minNormal(), minSubnormal(), specials.isEmpty() ? "" : ", " + String.join(", ", specials));
    }

    private String hex(int code) {
        return String.format(Locale.ROOT, "%0" + ((bits + 3) / 4) + "x", code);
    }

    /**
     * Builds a user-defined format. Defaults: sign-magnitude, subnormals, negative zero, no NaN, no
     * infinity (a finite-only format like OCP FP6). Example, an IEEE-like E5M3:
     * <pre>{@code ElementFormat.builder("e5m3").exponentBits(5).mantissaBits(3).bias(15).ieeeSpecials().build()}</pre>
     */
    public static final class Builder {
        private final String name;
        private SignEncoding sign = SignEncoding.SIGN_MAGNITUDE;
        private int exponentBits = -1;
        private int mantissaBits = -1;
        private Integer bias;
        private int nanCodesPerSign;
        private boolean infinity;
        private Boolean negativeZero;
        private boolean subnormals = true;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Exponent field width. */
        public Builder exponentBits(int w) { this.exponentBits = w; return this; }

        /** Mantissa field width. */
        public Builder mantissaBits(int t) { this.mantissaBits = t; return this; }

        /** Exponent bias; defaults to {@code 2^(exponentBits-1) - 1}. */
        public Builder bias(int b) { this.bias = b; return this; }

        /** No sign bit. */
        public Builder unsigned() { this.sign = SignEncoding.UNSIGNED; return this; }

        /** IEEE 754 specials: the top exponent field holds infinity and {@code 2^m - 1} NaN codes. */
        public Builder ieeeSpecials() {
            this.infinity = true;
            this.nanCodesPerSign = (1 << mantissaBitsOrFail()) - 1;
            return this;
        }

        /** E4M3-style specials: only the all-ones magnitude code is NaN, no infinity. */
        public Builder oneNaN() { this.infinity = false; this.nanCodesPerSign = 1; return this; }

        /** Finite only: no NaN, no infinity (the default). */
        public Builder finiteOnly() { this.infinity = false; this.nanCodesPerSign = 0; return this; }

        /** The number of NaN codes at the top of each sign half and whether infinity sits below them. */
        public Builder specials(int nanCodesPerSign, boolean infinity) {
            this.nanCodesPerSign = nanCodesPerSign;
            this.infinity = infinity;
            return this;
        }

        /** Whether the negative zero code is -0 (true, the default) or NaN (P3109 style). */
        public Builder negativeZero(boolean present) { this.negativeZero = present; return this; }

        /** Whether exponent field zero holds subnormals (default) or is an ordinary binade with no zero. */
        public Builder subnormals(boolean present) { this.subnormals = present; return this; }

        private int mantissaBitsOrFail() {
            if (mantissaBits < 0) {
                throw new IllegalStateException(name + ": set mantissaBits before ieeeSpecials()");
            }
            return mantissaBits;
        }

        /**
         * Builds and validates the format.
         *
         * @throws IllegalArgumentException naming the format and what is inconsistent
         */
        public ElementFormat build() {
            if (exponentBits < 0 || mantissaBits < 0) {
                throw new IllegalArgumentException(name + ": exponentBits and mantissaBits must be set");
            }
            int b = bias != null ? bias : (1 << Math.max(exponentBits - 1, 0)) - 1;
            boolean nz = negativeZero != null ? negativeZero : sign == SignEncoding.SIGN_MAGNITUDE;
            return new ElementFormat(name, sign, exponentBits, mantissaBits, b, nanCodesPerSign, infinity, nz, subnormals);
        }
    }

    /**
     * Encodes the exact value {@code (negative ? -1 : 1) * significand * 2^exponent}, rounded once,
     * for callers that hold a value no {@code double} can carry exactly (a quotient with a sticky
     * bit, a wide product). It follows {@link #encode(double, Rounding, Overflow, int)} in every
     * respect (signed zeros, unsigned formats, formats without zero, overflow, stochastic random
     * bits) for any {@code significand >= 0} and any exponent.
     *
     * <p>Rounding a value that carries a sticky bit in its last place (the lowest bit set when
     * lower, discarded bits were non-zero) gives the same result as rounding the exact value in every
     * deterministic mode, as long as the significand has at least two more bits than the format's
     * precision below the rounding point; stochastic rounding reads the top 32 bits of the fraction.
     *
     * @throws IllegalArgumentException if {@code significand < 0}, or for
     *                                  {@link Overflow#NO_SATURATE} on a format with neither
     *                                  infinity nor NaN
     */
    public int encodeExact(long significand, int exponent, boolean negative, Rounding rounding, Overflow overflow,
                           int randomBits) {
        if (significand < 0) {
            throw new IllegalArgumentException("significand " + significand + " is negative (encodeExact into " + name + ")");
        }
        if (overflow == Overflow.NO_SATURATE && !allowsNoSaturate()) {
            throw new IllegalArgumentException("overflow nosat is not allowed for " + name
                    + ", which has neither infinity nor NaN");
        }
        if (negative && sign == SignEncoding.UNSIGNED && significand != 0) {
            return overflow == Overflow.SATURATE || nanCode < 0 ? 0 : nanCode;
        }
        if (significand == 0) {
            return withSign(negative, 0);
        }
        // The value lies in [2^exp, 2^(exp + 1)).
        long exp = (long) exponent + 63 - Long.numberOfLeadingZeros(significand);
        if (exp > emax + 1) {
            return withSign(negative, overflowMagnitude(negative, rounding, overflow, false));
        }
        if (exp < minNormalExponent && !subnormals) {
            return withSign(negative, 0);   // no zero: clamp to the smallest value
        }
        long e = Math.max(exp, minNormalExponent);
        long shift = e - mantissaBits - exponent;   // significand bits below the quantum 2^(e - m)
        long kept;
        boolean half = false;
        boolean sticky = false;
        long fraction32 = 0;
        if (shift <= 0) {
            kept = significand << -shift;           // exact; kept < 2^(m + 2) since exp <= emax + 1
        } else if (shift > 63) {
            kept = 0;                               // below half a quantum: significand < 2^63
            sticky = true;
            fraction32 = shift - 32 < 64 ? significand >>> (shift - 32) : 0;
        } else {
            kept = significand >>> shift;
            long rest = significand & ((1L << shift) - 1);
            long halfway = 1L << (shift - 1);
            half = rest >= halfway;
            sticky = (rest & (halfway - 1)) != 0;
            fraction32 = shift >= 32 ? rest >>> (shift - 32) : rest << (32 - shift);
        }
        int magnitude = (int) (((e + bias) << mantissaBits) + kept - (1L << mantissaBits));
        if (half || sticky) {
            magnitude += roundUp(rounding, negative, magnitude, half, sticky, fraction32, randomBits) ? 1 : 0;
        }
        if (magnitude > maxMagnitude) {
            return withSign(negative, overflowMagnitude(negative, rounding, overflow, false));
        }
        return withSign(negative, magnitude);
    }
}
