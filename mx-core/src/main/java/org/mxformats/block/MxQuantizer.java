package org.mxformats.block;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.mxformats.format.Rounding;

/**
 * Quantizes float or double vectors of any length into {@link MxArray}s and back. Stateless and
 * thread-safe.
 *
 * <p>The vector is cut into blocks of k elements; when k does not divide the length the last
 * block is shorter and gets its own scale from its own elements. For each block:
 * <ol>
 *   <li>a NaN or an infinity anywhere in the block gives the scale format's NaN code (the element
 *       codes are then zero and carry no meaning);</li>
 *   <li>the scale X is chosen by the format's {@link ScaleRule} from amax = the block's largest
 *       magnitude;</li>
 *   <li>each element is {@code input / X}, computed exactly (never rounded to a double first) and
 *       rounded once to the element format with the format's rounding, saturating at its largest
 *       finite value. A negative input that rounds to zero gives the negative-zero code where the
 *       element format has one. A zero scale (RNE-type rules) makes every element a signed zero.</li>
 * </ol>
 *
 * <p>Formats with a per-tensor scale ({@link MxFormat#tensorScale()}, as NVFP4) first compute
 * {@code T = amax(tensor) / (max(F) * max(S))} rounded once to float32 (1 for an all-zero tensor;
 * non-finite inputs are left out of the tensor amax), then use {@code amax / T} in place of amax for
 * the block scale and {@code X * T} in place of X for the elements. This is NVIDIA's NVFP4
 * two-level scheme with T = amax / (448 * 6); NVIDIA stores the reciprocal
 * {@code 448 * 6 / amax} and divides by it, which differs from T in the last float32 bit at most.
 *
 * <p>Stochastic element rounding draws one {@code nextInt()} from the caller's generator per element
 * of every block whose scale is finite and non-zero, in element order, so a seeded generator gives
 * a reproducible result.
 */
public final class MxQuantizer {
    private MxQuantizer() {
    }

    /**
     * Quantizes {@code in[offset .. offset + length)} with a deterministic element rounding.
     *
     * @throws IllegalArgumentException if the range is outside the array, or the format's rounding is
     *                                  stochastic (use the overload with a generator)
     */
    public static MxArray quantize(MxFormat f, float[] in, int offset, int length) {
        return quantize(f, in, offset, length, null);
    }

    /**
     * Quantizes {@code in[offset .. offset + length)} of doubles (read exactly, not via float).
     *
     * @throws IllegalArgumentException as the float overload
     */
    public static MxArray quantize(MxFormat f, double[] in, int offset, int length) {
        return quantize(f, in, offset, length, null);
    }

    /**
     * Quantizes floats; {@code random} supplies the bits of stochastic element rounding (it may be
     * null for a deterministic rounding, and is not used then).
     *
     * @throws IllegalArgumentException if the range is outside the array, or the rounding is
     *                                  stochastic and {@code random} is null
     */
    public static MxArray quantize(MxFormat f, float[] in, int offset, int length, RandomGenerator random) {
        checkRange("input", in.length, offset, length);
        if (BlockKernels.applies(f)) {
            return BlockKernels.quantize(f, in, offset, length);
        }
        if (RneScaleQuantizer.applies(f)) {
            float ts = f.tensorScale() ? new BlockCodec(f).tensorScaleFor(amaxFinite(in, offset, length)) : 1f;
            byte[] packed = new byte[f.packedBytes(length)];
            byte[] scales = new byte[f.blockCount(length)];
            RneScaleQuantizer.quantize(f, in, offset, length, ts, packed, 0, scales, 0);
            return MxArray.trusted(f, length, ByteBuffer.wrap(packed), ByteBuffer.wrap(scales), ts);
        }
        return quantize(f, Source.of(in, offset, 1), length, random);
    }

    /** The largest finite magnitude of the floats: the kernels' maximum, or a second look past NaN and infinity. */
    private static double amaxFinite(float[] in, int offset, int length) {
        float m = org.mxformats.simd.Kernels.get().maxAbs(in, offset, length);
        return m <= Float.MAX_VALUE ? m : Source.of(in, offset, 1).amaxFinite(length);
    }

    /**
     * Quantizes {@code in[offset .. offset + length)} into the caller's arrays, so that buffers can
     * be reused: the {@code f.packedBytes(length)} packed element bytes go to {@code packed} from
     * {@code packedOffset} and the {@code f.blockCount(length)} scale codes to {@code scales} from
     * {@code scaleOffset}, the bytes {@link #quantize(MxFormat, float[], int, int)} gives (every byte
     * of both ranges is written). Returns a read-only view of them ({@link MxArray#wrap}), which
     * shows any later change the caller makes to those bytes.
     *
     * @throws IllegalArgumentException if a range is outside its array, the rounding is stochastic,
     *                                  or the format has a per-tensor scale (the arrays have no room
     *                                  for it); nothing is written then
     */
    public static MxArray quantize(MxFormat f, float[] in, int offset, int length, byte[] packed, int packedOffset,
                                   byte[] scales, int scaleOffset) {
        checkRange("input", in.length, offset, length);
        checkRandom(f, null);
        if (f.tensorScale()) {
            throw new IllegalArgumentException("format " + f + " has a per-tensor scale: quantize into a new MxArray");
        }
        int packedBytes = f.packedBytes(length);
        int blocks = f.blockCount(length);
        checkRange("packed output", packed.length, packedOffset, packedBytes);
        checkRange("scale output", scales.length, scaleOffset, blocks);
        if (BlockKernels.applies(f)) {
            BlockKernels.quantize(f, in, offset, length, packed, packedOffset, scales, scaleOffset);
        } else if (RneScaleQuantizer.applies(f)) {
            RneScaleQuantizer.quantize(f, in, offset, length, 1f, packed, packedOffset, scales, scaleOffset);
        } else {
            quantizeLine(new BlockCodec(f), f, Source.of(in, offset, 1), length, 1f, packed, packedOffset, scales,
                    scaleOffset, null);
        }
        return MxArray.wrap(f, length, ByteBuffer.wrap(packed, packedOffset, packedBytes),
                ByteBuffer.wrap(scales, scaleOffset, blocks), 1f);
    }

    /**
     * Quantizes doubles with an optional generator for stochastic rounding.
     *
     * @throws IllegalArgumentException as the float overload
     */
    public static MxArray quantize(MxFormat f, double[] in, int offset, int length, RandomGenerator random) {
        checkRange("input", in.length, offset, length);
        return quantize(f, Source.of(in, offset, 1), length, random);
    }

    private static MxArray quantize(MxFormat f, Source src, int length, RandomGenerator random) {
        checkRandom(f, random);
        BlockCodec codec = new BlockCodec(f);
        float ts = f.tensorScale() ? codec.tensorScaleFor(src.amaxFinite(length)) : 1f;
        byte[] packed = new byte[f.packedBytes(length)];
        byte[] scales = new byte[f.blockCount(length)];
        quantizeLine(codec, f, src, length, ts, packed, 0, scales, 0, random);
        return MxArray.trusted(f, length, ByteBuffer.wrap(packed), ByteBuffer.wrap(scales), ts);
    }

    /**
     * Quantizes one line (a vector, a row or a column) into {@code packed} from byte
     * {@code packedOffset} and {@code scales} from {@code scaleOffset}.
     */
    static void quantizeLine(BlockCodec codec, MxFormat f, Source src, int length, float ts, byte[] packed,
                             int packedOffset, byte[] scales, int scaleOffset, RandomGenerator random) {
        int k = f.blockSize();
        byte[] codes = new byte[length];
        double[] buf = new double[Math.min(k, length)];
        int blocks = f.blockCount(length);
        for (int b = 0; b < blocks; b++) {
            int start = b * k;
            int n = Math.min(k, length - start);
            src.gather(start, n, buf);
            scales[scaleOffset + b] = (byte) codec.quantizeBlock(buf, n, ts, codes, start, random);
        }
        Packing.pack(f.element().bits(), codes, 0, packed, packedOffset, length);
    }

    /**
     * Writes the values of every element of {@code a} to {@code out} from {@code offset}: element x
     * scale x tensor scale, each rounded once to float (NaN for every element of a block with a NaN
     * scale).
     *
     * @throws IllegalArgumentException if {@code out} has no room for {@code a.length()} values from
     *                                  {@code offset}; nothing is written then
     */
    public static void dequantize(MxArray a, float[] out, int offset) {
        checkRange("output", out.length, offset, a.length());
        if (BlockKernels.appliesToDecoding(a)) {
            BlockKernels.dequantize(a, out, offset);
            return;
        }
        MxFormat f = a.format();
        BlockCodec codec = new BlockCodec(f);
        byte[] codes = new byte[Math.min(f.blockSize(), a.length())];
        for (int b = 0; b < a.blockCount(); b++) {
            int n = a.blockLength(b);
            a.unpackBlock(b, codes, 0);
            codec.dequantizeBlock(codes, 0, n, a.scaleCode(b), a.tensorScale(), out, offset + b * f.blockSize());
        }
    }

    /**
     * Quantizes and dequantizes in one pass (for emulating an MX format in float arithmetic):
     * {@code out[outOffset + i]} becomes the value {@code in[inOffset + i]} takes in format
     * {@code f}. The ranges may be the same array range.
     *
     * @throws IllegalArgumentException if a range is outside its array or the rounding is stochastic
     *                                  (quantize with a generator, then dequantize)
     */
    public static void quantizeDequantize(MxFormat f, float[] in, int inOffset, float[] out, int outOffset, int length) {
        checkRange("input", in.length, inOffset, length);
        checkRange("output", out.length, outOffset, length);
        checkRandom(f, null);
        if (BlockKernels.applies(f)) {
            BlockKernels.quantizeDequantize(f, in, inOffset, out, outOffset, length);
            return;
        }
        if (RneScaleQuantizer.applies(f)) {   // the same codes and values, through the vector paths
            dequantize(quantize(f, in, inOffset, length), out, outOffset);
            return;
        }
        BlockCodec codec = new BlockCodec(f);
        Source src = Source.of(in, inOffset, 1);
        float ts = f.tensorScale() ? codec.tensorScaleFor(src.amaxFinite(length)) : 1f;
        int k = f.blockSize();
        double[] buf = new double[Math.min(k, length)];
        byte[] codes = new byte[buf.length];
        for (int start = 0; start < length; start += k) {
            int n = Math.min(k, length - start);
            src.gather(start, n, buf);
            int sc = codec.quantizeBlock(buf, n, ts, codes, 0, null);
            codec.dequantizeBlock(codes, 0, n, sc, ts, out, outOffset + start);
        }
    }

    static void checkRandom(MxFormat f, RandomGenerator random) {
        Objects.requireNonNull(f, "format");
        if (f.elementRounding() == Rounding.STOCHASTIC && random == null) {
            throw new IllegalArgumentException("format " + f + " rounds elements stochastically: pass a RandomGenerator");
        }
    }

    static void checkRange(String what, int arrayLength, int offset, int length) {
        if (offset < 0 || length < 0 || offset > arrayLength - length) {
            throw new IllegalArgumentException(what + " range [" + offset + ", " + offset + " + " + length
                    + ") is outside an array of " + arrayLength);
        }
    }
}
