package org.mxformats.simd;

import java.util.Optional;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/**
 * The hot loops of the library, in two interchangeable implementations that give identical bits:
 * {@link #scalar()}, plain Java and the reference, and a Vector API one ({@code jdk.incubator.vector})
 * used when that module is present.
 *
 * <p>{@link #get()} is chosen once, when this interface is first used: the Vector API kernels if the
 * JVM was started with {@code --add-modules jdk.incubator.vector} and the system property
 * {@code mx.scalar} is not {@code true}, the scalar kernels otherwise. Callers validate arguments
 * (index ranges, options) before calling a kernel; kernels only compute.
 *
 * <p>The interface is sealed: only this package implements it. Implementations are stateless and
 * thread-safe.
 */
public sealed interface Kernels permits ScalarKernels, VectorKernels {

    /** The kernels selected for this JVM (see the class comment); never null. */
    static Kernels get() {
        return KernelSelection.SELECTED;
    }

    /** The plain-Java reference kernels. */
    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /** The Vector API kernels, or empty when the {@code jdk.incubator.vector} module is absent. */
    static Optional<Kernels> vector() {
        return Optional.ofNullable(KernelSelection.VECTOR);
    }

    /** A short description, {@code scalar} or {@code vector-512} (the preferred vector width in bits). */
    String name();

    /**
     * Decodes {@code length} codes of an 8-bit-or-narrower format, one per byte (bits above the
     * format's width ignored), into their float values, exactly as {@link ElementFormat#decodeFloat}.
     */
    void decode(ElementFormat format, byte[] codes, int codeOffset, float[] out, int outOffset, int length);

    /**
     * Encodes {@code length} floats into one byte per code, exactly as
     * {@link ElementFormat#encode(float, Rounding, Overflow)} would one by one. The rounding is
     * deterministic (not {@link Rounding#STOCHASTIC}); the caller has checked that the overflow
     * policy is allowed and that no NaN goes into a format without NaN.
     */
    void encode(ElementFormat format, float[] in, int inOffset, byte[] codes, int codeOffset, int length,
                Rounding rounding, Overflow overflow);

    // ---- MX blocks --------------------------------------------------------------------------------

    /**
     * Quotients for quantizing with scales that are not powers of two: for element i of block j
     * ({@code blockSize} elements, the last block may be shorter), {@code out[outOffset + i] =
     * (float) ((double) in[inOffset + i] / divisors[j])}; and {@code suspects[j] = 1} when some
     * element of block j is not zero and its quotient's bits under {@code mask} are all zero, or
     * the quotient is zero, subnormal or not finite; else 0. Plain IEEE operations: every kernel
     * gives the same floats.
     */
    void scaledQuotients(float[] in, int inOffset, int length, int blockSize, double[] divisors, int mask,
                         float[] out, int outOffset, byte[] suspects);

    /**
     * The largest magnitude in {@code in[offset .. offset + length)}, chosen by comparing the bits
     * of {@code |x|}: +Infinity if there is an infinity and no NaN, a NaN (the one with the largest
     * payload) if there is a NaN, 0 for an empty range.
     */
    float maxAbs(float[] in, int offset, int length);

    /**
     * Encodes {@code in[i] * 2^-scaleExponent}, computed exactly, into one byte per code,
     * saturating: {@code codes[codeOffset + i] = element.encode(Math.scalb((double) in[inOffset + i],
     * -scaleExponent), rounding, Overflow.SATURATE)}. The element format has at most 8 bits and
     * the rounding is deterministic; the caller has checked that no NaN goes into a format without
     * NaN.
     */
    void encodeScaled(ElementFormat element, float[] in, int inOffset, int length, int scaleExponent,
                      Rounding rounding, byte[] codes, int codeOffset);

    /**
     * {@code out[outOffset + i] = element.decodeFloat(code) * factor}, one float multiplication
     * (codes one per byte, bits above the format's width ignored). When {@code factor} and the
     * element values are exact floats this is the product rounded once to float.
     */
    void decodeScaled(ElementFormat element, byte[] codes, int codeOffset, int length, float factor,
                      float[] out, int outOffset);

    /** {@code maxima[j] = maxAbs} of block j, for the blocks of {@code blockSize} (the last may be shorter). */
    void blockMaxAbs(float[] in, int offset, int length, int blockSize, float[] maxima);

    /**
     * {@link #encodeScaled} block by block: block j (of {@code blockSize} elements, the last may be
     * shorter) scaled by {@code 2^-scaleExponents[exponentOffset + j]}.
     */
    void encodeScaledBlocks(ElementFormat element, float[] in, int inOffset, int length, int blockSize,
                            int[] scaleExponents, int exponentOffset, Rounding rounding, byte[] codes, int codeOffset);

    /**
     * {@link #decodeScaled} block by block: block j (of {@code blockSize} elements, the last may be
     * shorter) multiplied by {@code factors[factorOffset + j]}.
     */
    void decodeScaledBlocks(ElementFormat element, byte[] codes, int codeOffset, int length, int blockSize,
                            float[] factors, int factorOffset, float[] out, int outOffset);

    /**
     * Packs {@code count} 4-bit codes (one per byte, high bits ignored) two per byte, the first in
     * the low nibble: {@code (count + 1) / 2} bytes, an odd last code alone in its low nibble.
     */
    void packNibbles(byte[] codes, int codeOffset, byte[] packed, int packedOffset, int count);

    /** Unpacks {@code count} 4-bit codes packed as {@link #packNibbles} writes them, one per byte. */
    void unpackNibbles(byte[] packed, int packedOffset, byte[] codes, int codeOffset, int count);

    /**
     * Packs {@code groups} groups of four 6-bit codes (one per byte, high bits ignored) into three
     * bytes each, as MX packs them: a group is the little-endian 24-bit word
     * {@code c0 | c1 << 6 | c2 << 12 | c3 << 18}. Writes exactly {@code 3 * groups} bytes.
     */
    void packSixBitGroups(byte[] codes, int codeOffset, byte[] packed, int packedOffset, int groups);

    /** Unpacks {@code groups} groups of four 6-bit codes packed as {@link #packSixBitGroups} writes them. */
    void unpackSixBitGroups(byte[] packed, int packedOffset, byte[] codes, int codeOffset, int groups);

    /**
     * The integer table of a 4-bit format whose finite values are all small multiples of one
     * power of two: each code's value divided by {@code 2^integerLsbExponent(element)}, a signed
     * byte (e2m1: twice the value; -0 reads 0), indexed by code; null for other formats (8-bit,
     * NaN or infinity codes, integers beyond a byte). Shared: do not modify.
     */
    static byte[] smallIntegerTable(ElementFormat element) {
        return DotLanes.smallIntegerBytes(element);
    }

    /** {@link #smallIntegerTable}, or an IllegalArgumentException naming the format that has none. */
    static byte[] requireSmallIntegerTable(ElementFormat element) {
        byte[] table = smallIntegerTable(element);
        if (table == null) {
            throw new IllegalArgumentException(element + " has no small-integer table");
        }
        return table;
    }

    /**
     * Unpacks {@code count} 4-bit codes of {@code element}, packed as {@link #packNibbles} writes
     * them, into their {@link #smallIntegerTable} integers one per byte; {@code element} must have
     * that table.
     */
    void unpackSmallIntegers(ElementFormat element, byte[] packed, int packedOffset, byte[] out, int outOffset,
                             int count);

    // ---- fused MX block passes ----------------------------------------------------------------------

    /**
     * The FLOOR rule's scale exponent for a block maximum {@code amax} (finite, at least 0) with an
     * exponent-only scale format such as UE8M0: {@code floor(log2(amax)) - elementEmax} clamped to
     * {@code [minExponent, maxExponent]}, and {@code minExponent} for {@code amax == 0}.
     */
    static int floorScaleExponent(float amax, int elementEmax, int minExponent, int maxExponent) {
        if (amax == 0) {
            return minExponent;
        }
        int bits = Float.floatToRawIntBits(amax);
        int floorLog2 = bits >>> 23 == 0 ? 31 - Integer.numberOfLeadingZeros(bits) - 149 : (bits >>> 23) - 127;
        return Math.max(minExponent, Math.min(maxExponent, floorLog2 - elementEmax));
    }

    /**
     * Quantizes whole MX blocks in one pass each, with the FLOOR scale rule and an exponent-only
     * scale format (unsigned, no mantissa bits, no subnormals: UE8M0), from the first block to the
     * first one this implementation does not cover; returns the number of blocks done.
     *
     * <p>Block j is {@code in[inOffset + j * blockSize ..)} with largest magnitude amax. Its scale
     * exponent is e = {@link #floorScaleExponent}{@code (amax, element.emax(), least exponent of
     * scale, scale.emax())}, written as the code {@code e + scale.bias()} to
     * {@code scaleCodes[scaleOffset + j]}, and its codes are those of {@link #encodeScaled} with e
     * and {@code rounding} (deterministic). Codes are written from byte {@code codeOffset} two per
     * byte, low nibble first ({@link #packNibbles}), for 4-bit elements (blockSize even), and one
     * per byte otherwise.
     *
     * <p>No implementation covers a block holding a NaN or an infinity; the scalar kernels cover
     * every other block; the vector kernels may stop earlier (formats, roundings and inputs they do
     * not handle). The caller quantizes the block where a call stopped some other way.
     */
    int quantizeFloorBlocks(ElementFormat element, ElementFormat scale, Rounding rounding, float[] in, int inOffset,
                            int blockSize, int blocks, byte[] codes, int codeOffset, byte[] scaleCodes,
                            int scaleOffset);

    /**
     * {@link #decodeScaledBlocks} for a 4-bit element format, codes packed two per byte, low nibble first
     * ({@link #packNibbles}), element i at the nibble i from byte {@code packedOffset}:
     * {@code out[outOffset + i] = element.decodeFloat(nibble i) * factors[factorOffset + i / blockSize]},
     * one float multiplication.
     */
    void decodeNibbleBlocks(ElementFormat element, byte[] packed, int packedOffset, int length, int blockSize,
                            float[] factors, int factorOffset, float[] out, int outOffset);

    // ---- dot products ------------------------------------------------------------------------------

    /**
     * The sum of {@code value(ca[offA + i]) * value(cb[offB + i])} over {@code length} codes (one per
     * byte) computed exactly in double when {@link #exactProductSumBits} is at most 53, with any
     * NaN result (a NaN code, or an infinity times zero, or opposite infinities) returned as
     * {@link Double#NaN}. Beyond 53 bits it is the sequential double sum, and is not exact.
     */
    double productSum(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB, int length);

    /**
     * The number of bits that any partial sum of {@code length} products of finite values of
     * {@code a} and {@code b} can span, from the lowest possible bit to the highest: at most 53
     * means {@link #productSum} is exact.
     */
    static int exactProductSumBits(ElementFormat a, ElementFormat b, int length) {
        return DotLanes.spanBits(a, b, length);
    }

    /**
     * The fast dot product of {@code blocks} full blocks of an MX vector with the floats
     * {@code x[xOffset ..]}, before the tensor scale, in the fixed order of {@link DotLanes}
     * (so every kernel gives the same bits): for block sizes that are multiples of 16, float32 fmas
     * in 16 lanes within and across blocks, folded in double; otherwise double arithmetic with
     * exact products, one accumulator. Codes as MX packs them for 4- and 8-bit element formats (two
     * per byte low nibble first, or one per byte) and one per byte for other widths; scale codes one
     * per byte.
     */
    double dotFast(ElementFormat element, byte[] codes, int codeOffset, ElementFormat scale, byte[] scaleCodes,
                   int scaleOffset, int blockSize, int blocks, float[] x, int xOffset);

    /**
     * A form of x that a caller using one x for many rows (a matvec) prepares once with
     * {@link #prepareX} and hands to {@link #dotFastPrepared} and {@link #dotFastRows}, where
     * {@link #preferredXForm} says the kernels read it faster; every form gives the bits of
     * {@link #dotFast} on x itself.
     */
    enum XForm {
        /** x as it is. */
        NATURAL,
        /**
         * Each block of 32 split by parity: its 16 even elements (0, 2, .., 30) in order, then its
         * 16 odd ones (1, 3, .., 31), so that the low and the high nibbles of packed 4-bit codes
         * need no interleaving.
         */
        SPLIT,
        /**
         * Every element times {@link #xScale} of the element format, a power of two, when every
         * such product is exact: the kernels then multiply the raw decoded codes (lane value over
         * xScale) by it, one multiplication per code fewer, and each product is the same real
         * number, so it rounds to the same float.
         */
        SCALED
    }

    /**
     * The form of x that {@link #dotFastPrepared} reads fastest for this format and block size:
     * {@link XForm#SPLIT} for packed 4-bit formats and {@link XForm#SCALED} for 8-bit floating-point
     * ones, in blocks of 32 at 256-bit vector width (docs/performance.md); else
     * {@link XForm#NATURAL}.
     */
    default XForm preferredXForm(ElementFormat element, int blockSize) {
        return XForm.NATURAL;
    }

    /**
     * The power of two of {@link XForm#SCALED} for this element format: {@code 2^(127 - bias)}
     * over the lane unit for sign-magnitude and unsigned formats (the factor from a code's bits,
     * placed at float's fraction, to its value), the weight of a code for two's complement ones.
     */
    static float xScale(ElementFormat element) {
        return DotLanes.laneScale(element);
    }

    /**
     * Writes {@code x[xOffset .. xOffset + length)} in the given form to {@code out[outOffset ..]};
     * false (out partly written) when {@link XForm#SCALED} would round or overflow some element,
     * and the caller keeps x as it is.
     *
     * @throws IllegalArgumentException for {@link XForm#SPLIT} if {@code length} is not a multiple of 32
     */
    static boolean prepareX(XForm form, ElementFormat element, float[] x, int xOffset, int length, float[] out,
                            int outOffset) {
        switch (form) {
            case NATURAL -> System.arraycopy(x, xOffset, out, outOffset, length);
            case SPLIT -> splitX(x, xOffset, length, out, outOffset);
            case SCALED -> {
                float scale = xScale(element);
                float back = 1 / scale;   // exact: the reciprocal of a power of two is one too
                for (int i = 0; i < length; i++) {
                    float v = x[xOffset + i];
                    float scaled = v * scale;
                    // Exact products come back exactly; a rounded or overflowed one does not. NaN stays NaN.
                    if (scaled * back != v && !Float.isNaN(v)) {
                        return false;
                    }
                    out[outOffset + i] = scaled;
                }
            }
        }
        return true;
    }

    /**
     * Writes {@code x[xOffset .. xOffset + length)} ({@code length} a multiple of 32) to
     * {@code out[outOffset ..]} in {@link XForm#SPLIT} form.
     *
     * @throws IllegalArgumentException if {@code length} is not a multiple of 32
     */
    static void splitX(float[] x, int xOffset, int length, float[] out, int outOffset) {
        if (length % DotLanes.CHUNK != 0) {
            throw new IllegalArgumentException("length " + length + " is not a multiple of " + DotLanes.CHUNK);
        }
        for (int b = 0; b < length; b += DotLanes.CHUNK) {
            for (int j = 0; j < DotLanes.LANES; j++) {
                out[outOffset + b + j] = x[xOffset + b + 2 * j];
                out[outOffset + b + DotLanes.LANES + j] = x[xOffset + b + 2 * j + 1];
            }
        }
    }

    /**
     * {@link #dotFast} with x given as {@link #prepareX} wrote it in {@code form}
     * ({@code xs[xsOffset ..]}; block size a multiple of 32 for {@link XForm#SPLIT}): the same bits
     * as {@code dotFast} on x itself.
     */
    default double dotFastPrepared(ElementFormat element, XForm form, byte[] codes, int codeOffset,
                                   ElementFormat scale, byte[] scaleCodes, int scaleOffset, int blockSize, int blocks,
                                   float[] xs, int xsOffset) {
        if (form == XForm.NATURAL) {
            return dotFast(element, codes, codeOffset, scale, scaleCodes, scaleOffset, blockSize, blocks, xs, xsOffset);
        }
        int length = blockSize * blocks;
        float[] x = new float[length];
        if (form == XForm.SPLIT) {
            for (int b = 0; b < length; b += DotLanes.CHUNK) {
                for (int j = 0; j < DotLanes.LANES; j++) {
                    x[b + 2 * j] = xs[xsOffset + b + j];
                    x[b + 2 * j + 1] = xs[xsOffset + b + DotLanes.LANES + j];
                }
            }
        } else {
            float back = 1 / xScale(element);   // undoes an exact scaling exactly
            for (int i = 0; i < length; i++) {
                x[i] = xs[xsOffset + i] * back;
            }
        }
        return dotFast(element, codes, codeOffset, scale, scaleCodes, scaleOffset, blockSize, blocks, x, 0);
    }

    /**
     * {@link #dotFastPrepared} of {@code rows} rows laid out at a stride, row r's codes from
     * {@code codeOffset + r * codeStride} and its scale codes from {@code scaleOffset + r * scaleStride},
     * into {@code sums[sumOffset + r]}: a matvec's rows of one tensor, with what the format needs
     * looked up once rather than per row.
     */
    default void dotFastRows(ElementFormat element, byte[] codes, int codeOffset, int codeStride, ElementFormat scale,
                             byte[] scaleCodes, int scaleOffset, int scaleStride, int blockSize, int blocks, float[] x,
                             int xOffset, XForm form, int rows, double[] sums, int sumOffset) {
        for (int r = 0; r < rows; r++) {
            sums[sumOffset + r] = dotFastPrepared(element, form, codes, codeOffset + r * codeStride, scale, scaleCodes,
                    scaleOffset + r * scaleStride, blockSize, blocks, x, xOffset);
        }
    }

    /**
     * The exact sum of products of every block: {@code sums[j] = productSum(a, block j of ca, b,
     * block j of cb)} for {@code blocks} blocks of {@code blockSize} codes (one per byte), exact when
     * {@link #exactProductSumBits}{@code (a, b, blockSize)} is at most 53.
     */
    void blockProductSums(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB, int blockSize,
                          int blocks, double[] sums);

    // ---- certified exact MX x float32 dot (added for issue 5) ---------------------------------------

    /** The double lanes of {@link #exactDotLanes}: lane L takes elements {@code i} with {@code i % 8 == L}. */
    int EXACT_DOT_LANES = 8;

    /** Blocks per run of {@link #exactDotLanes}: each run's lane sums start at zero. */
    int EXACT_DOT_RUN = 128;

    /**
     * Running lane sums for a certified exact dot product (the caller bounds their rounding error;
     * see {@code FloatDotKernel}). For {@code blocks} blocks of {@code blockSize} elements (a
     * multiple of {@value #EXACT_DOT_LANES}) with element values {@code values[valueOffset ..]},
     * floats {@code x[xOffset ..]} and block scale values {@code X_j = blockScales[j]}, and for each lane
     * {@code L} in {@code 0 .. 7}: in double, {@code b = p_L}, then {@code b += p_i} for the lane's
     * further elements {@code i = L + 8, L + 16, ..} of the block in index order, where
     * {@code p_i = (double) values[i] * x[i]} (exact); {@code h = fma(X_j, b, h)} (one rounding; X_j b is exact when X_j is a power of two),
     * where h starts at 0 for every run of {@value #EXACT_DOT_RUN} blocks (the last run may be
     * shorter), and {@code lanes[L] += h} after each run. And the
     * squares of x, which bound the sums' error (Cauchy-Schwarz): in each run, with {@code i}
     * counted from the run's first element, four sums per lane, {@code q_m} for
     * {@code m = (i / 8) % 4}, start at {@code lanes[8 + L]} (m = 0) and 0, add {@code x_i * x_i}
     * (exact) for the lane's elements of the run in index order, and end the run as
     * {@code lanes[8 + L] = (q_0 + q_1) + (q_2 + q_3)}. And
     * {@code lanes[16] += X_j * X_j} for the blocks in order (so lanes has at least 17 entries). Each operation is one
     * IEEE double operation, so every kernel gives the same bits. NaN and infinities propagate as
     * IEEE arithmetic makes them.
     */
    void exactDotLanes(float[] values, int valueOffset, float[] x, int xOffset, double[] blockScales, int blockSize,
                       int blocks, double[] lanes);

    /** Lanes of {@link #compensatedDotLanes}: element i of a call goes to lane {@code i % 32}. */
    int COMPENSATED_LANES = 32;

    /**
     * Compensated lane sums (Knuth's TwoSum, as in Ogita, Rump and Oishi's Sum2) for a second,
     * tighter certificate of the exact MX x float32 dot product. For element {@code i} of the call
     * ({@code 0 <= i < blocks * blockSize}, in order; block {@code j = i / blockSize} with scale
     * value {@code X = blockScales[scaleOffset + j]}), lane {@code L = i % 32}, with
     * {@code s = lanes[L]}, {@code c = lanes[32 + L]}, {@code a = lanes[64 + L]}, in double:
     * {@code p = ((double) values[valueOffset + i] * X) * x[xOffset + i]}, {@code t = s + p},
     * {@code z = t - s}, {@code e = (s - (t - z)) + (p - z)} (so {@code t + e == s + p} exactly
     * when nothing overflows), then {@code lanes[L] = t}, {@code lanes[32 + L] = c + e},
     * {@code lanes[64 + L] = a + |e|}. Each operation is one IEEE double operation (no fused
     * multiply-add), so every kernel gives the same bits; lanes has at least 96 entries.
     */
    void compensatedDotLanes(float[] values, int valueOffset, float[] x, int xOffset, double[] blockScales,
                             int scaleOffset, int blockSize, int blocks, double[] lanes);

    /**
     * {@link #exactDotLanes} with the element values decoded from codes, one per byte (bits above
     * the format's width ignored): {@code values[i] = element.decodeFloat(codes[codeOffset + i])}.
     * The element format has at most 8 bits. Returns the largest {@link #magnitudeKey} among the
     * codes read (0 when there are none), or a larger key of the format: a bound on every
     * element's magnitude for the caller's error bound.
     */
    int exactDotCodeLanes(ElementFormat element, byte[] codes, int codeOffset, float[] x, int xOffset,
                          double[] blockScales, int blockSize, int blocks, double[] lanes);

    /**
     * A code's magnitude key, by which {@link #exactDotCodeLanes} reports the largest magnitude it
     * read: the magnitude bits for sign-magnitude codes, {@code max(c, ~c)} for two's complement
     * codes c (so -1 and 0 share key 0, -128 and 127 key 127), the code itself for unsigned
     * formats. Bits above the format's width are ignored.
     */
    static int magnitudeKey(ElementFormat element, int code) {
        return DotLanes.magnitudeKey(element, code);
    }

    /** {@link #e8m0ExponentSums}'s answer when a scale code is the NaN code 255. */
    long NAN_SCALE = Long.MIN_VALUE;

    /**
     * For UE8M0 scale codes (code c is 2^(c - 127), code 255 NaN): writes
     * {@code out[j] = (sa[offA + j] & 0xFF) + (sb[offB + j] & 0xFF) - 254}, the exponent of the
     * two scales' product, for {@code j < count}, and returns the least and the greatest of them as
     * {@code (long) least << 32 | (greatest & 0xFFFFFFFFL)}, or {@link #NAN_SCALE} when a code is
     * 255 (out is then written but meaningless). {@code count} must be at least 1.
     */
    long e8m0ExponentSums(byte[] sa, int offA, byte[] sb, int offB, int count, int[] out);

    /**
     * UE8M0 scale values times {@code 2^shift}: writes {@code out[outOffset + j] = 2^((codes[offset + j] & 0xFF)
     * - 127 + shift)} for {@code j < count} and returns true, or returns false when a code is the
     * NaN code 255 ({@code out} is then written but meaningless). {@code shift} is within
     * -800 .. 800, so every value is a normal double, built from its bits.
     */
    boolean e8m0Values(byte[] codes, int offset, int count, int shift, double[] out, int outOffset);

    /** {@link #shiftedProductSum}'s answer when a code is a NaN or an infinity. */
    long NOT_INTEGER = Long.MIN_VALUE;

    /**
     * The exponent of the largest power of two that divides every finite value of {@code element}
     * (2^-60 to 1), or {@link Integer#MIN_VALUE} when there is none: the unit of
     * {@link #shiftedProductSum}'s integers (MXINT8: -6, e4m3: -9, e2m1: -1).
     */
    static int integerLsbExponent(ElementFormat element) {
        return DotLanes.integerLsbExponent(element);
    }

    /**
     * Exact block product sums of two formats with {@link #integerLsbExponent}s, shifted and added
     * in one long: with {@code A(c) = value_a(c) / 2^integerLsbExponent(a)} (an integer) and B likewise,
     * the sum over {@code blocks} blocks j of
     * {@code (sum of A(a[i]) * B(b[i]) over the blockSize codes of block j) << (shifts[j] - shiftBase)}
     * (shifts from 0 to 63), codes as {@link #dotFast} reads them (4-bit codes two per byte, low
     * nibble first, element i in nibble i from the offset byte; others one per byte, bits above the
     * format's width ignored), in
     * wrapping long arithmetic: exact when no partial sum, in any order, leaves the long range,
     * which the caller ensures (e.g. when the sum of the terms' magnitudes is below 2^63).
     * {@link #NOT_INTEGER} when a code is a NaN or an infinity. One horizontal reduction per call
     * instead of one per block.
     */
    long shiftedProductSum(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB, int blockSize,
                           int blocks, int[] shifts, int shiftBase);
}
