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

    /**
     * Packs {@code count} 4-bit codes (one per byte, high bits ignored) two per byte, the first in
     * the low nibble: {@code (count + 1) / 2} bytes, an odd last code alone in its low nibble.
     */
    void packNibbles(byte[] codes, int codeOffset, byte[] packed, int packedOffset, int count);

    /** Unpacks {@code count} 4-bit codes packed as {@link #packNibbles} writes them, one per byte. */
    void unpackNibbles(byte[] packed, int packedOffset, byte[] codes, int codeOffset, int count);

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
     * The fast dot product of an MX vector and floats: {@code blocks} blocks of {@code blockSize}
     * elements, codes as MX packs them for 4- and 8-bit element formats (two per byte low nibble
     * first, or one per byte) and one per byte for other widths, scale codes one per byte; the
     * block factor is {@code decodeFloat(scale) * tensorScale} in float. Float arithmetic in a fixed
     * order (see {@link DotLanes}), so the result is the same bits on every kernel, not the exact
     * dot product.
     */
    float dotFast(ElementFormat element, byte[] codes, int codeOffset, ElementFormat scale, byte[] scaleCodes,
                  int scaleOffset, float tensorScale, int blockSize, int blocks, float[] x, int xOffset);

    /**
     * The fast dot product of two MXINT8 vectors of {@code blocks} blocks: integer sums within a
     * block, then float accumulation in a fixed order (see {@link DotLanes}). Scale factors are
     * {@code decodeFloat(scaleA) * decodeFloat(scaleB) * 2^-12} in float.
     */
    float dotFastInt8(byte[] a, int aOffset, byte[] scalesA, int scalesAOffset, byte[] b, int bOffset,
                      byte[] scalesB, int scalesBOffset, ElementFormat scale, int blockSize, int blocks);

    /**
     * Fast matrix-vector product for rows {@code rowStart .. rowEnd}: {@code y[r] = dotFast(row r, x)},
     * each row {@code blocksPerRow} blocks whose packed codes start at {@code r * rowBytes} and
     * scales at {@code r * blocksPerRow}.
     */
    void matvecFast(ElementFormat element, byte[] codes, int rowBytes, ElementFormat scale, byte[] scaleCodes,
                    float tensorScale, int blockSize, int blocksPerRow, float[] x, int xOffset,
                    float[] y, int yOffset, int rowStart, int rowEnd);
}
