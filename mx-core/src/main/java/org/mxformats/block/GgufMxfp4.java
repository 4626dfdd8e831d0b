package org.mxformats.block;

import java.nio.ByteBuffer;
import org.mxformats.format.ElementFormat;

/**
 * The MXFP4 block layout of GGUF / ggml ({@code block_mxfp4}, tensor type 39): 32 elements in 17
 * bytes, an e8m0 scale byte followed by 16 bytes in which byte j holds element j in its low nibble
 * and element j + 16 in its high nibble. Nibbles are OCP e2m1 codes.
 *
 * <p>{@link #write} and {@link #read} convert between that layout and {@link MxArray} bit-exactly
 * (any e2m1 / e8m0 / k = 32 array). {@link #quantize} and {@link #dequantize} reproduce the bytes
 * and floats of the {@code gguf} Python package's own MXFP4 code (0.19.0, {@code gguf.quants.MXFP4}),
 * which differs from the OCP rules in four ways, all reproduced here:
 * <ul>
 *   <li>the scale exponent is {@code floor(log2(amax)) - 2}, but with {@code log2} computed in float32:
 *       for amax just below a power of two 2^t the float32 logarithm rounds up to t when t is far
 *       enough from zero (|t| >= 3, and t = -2), giving a scale twice the OCP one;</li>
 *   <li>elements are the nearest e2m1 value with ties toward zero (toward the smaller magnitude),
 *       i.e. {@link MxFormat#withTiesTowardZero} rounding, saturating;</li>
 *   <li>a zero result is always code 0 (+0), never the negative zero 8;</li>
 *   <li>the candidates are computed as float32 products, so with the largest scale (e = 253, only
 *       reached through the log2 quirk near float32's maximum) the values 4X and 6X overflow to
 *       infinity and elements stop at 3X.</li>
 * </ul>
 * Where gguf is undefined (a NaN or infinite input; amax below 2^-125, which makes a negative
 * exponent byte) {@link #quantize} throws and clamps the exponent byte to 0 respectively.
 * Stateless.
 */
public final class GgufMxfp4 {
    /** Elements per block. */
    public static final int BLOCK_SIZE = 32;
    /** Bytes per block: one scale byte and 16 bytes of nibbles. */
    public static final int BLOCK_BYTES = 17;
    /** The MX format of gguf MXFP4 data: MXFP4 (e2m1, e8m0, k = 32) with ties toward zero. */
    public static final MxFormat FORMAT = MxFormat.MXFP4.withTiesTowardZero(true);

    private static final ElementFormat E2M1 = ElementFormat.E2M1;
    private static final double LN2 = Math.log(2);

    private GgufMxfp4() {
    }

    /**
     * Quantizes {@code length} floats (a multiple of 32) exactly as gguf's {@code quantize(x, MXFP4)}.
     *
     * @throws IllegalArgumentException if the range is outside the array, the length is not a
     *                                  multiple of 32, or an input is NaN or infinite
     */
    public static byte[] quantize(float[] in, int offset, int length) {
        MxQuantizer.checkRange("input", in.length, offset, length);
        requireWholeBlocks(length);
        for (int i = 0; i < length; i++) {
            if (!Float.isFinite(in[offset + i])) {
                throw new IllegalArgumentException("gguf MXFP4 has no encoding for input " + in[offset + i]
                        + " at index " + (offset + i));
            }
        }
        int blocks = length / BLOCK_SIZE;
        byte[] out = new byte[blocks * BLOCK_BYTES];
        BlockCodec codec = new BlockCodec(FORMAT);
        double[] buf = new double[BLOCK_SIZE];
        byte[] codes = new byte[BLOCK_SIZE];
        for (int b = 0; b < blocks; b++) {
            float amax = 0;
            for (int i = 0; i < BLOCK_SIZE; i++) {
                float v = in[offset + b * BLOCK_SIZE + i];
                buf[i] = v;
                amax = Math.max(amax, Math.abs(v));
            }
            int e = amax == 0 ? 0 : Math.max(0, float32FloorLog2(amax) - E2M1.emax() + 127);
            codec.encodeWithScale(buf, BLOCK_SIZE, e, codes, 0);
            int largest = largestFiniteMagnitude(e);
            for (int i = 0; i < BLOCK_SIZE; i++) {
                int magnitude = Math.min(codes[i] & 7, largest);
                codes[i] = (byte) (magnitude == 0 ? 0 : (codes[i] & 8) | magnitude);
            }
            putBlock(out, b * BLOCK_BYTES, e, codes);
        }
        return out;
    }

    /**
     * {@code floor} of the float32-rounded {@code log2(a)} for a positive float: the exact
     * {@code floor(log2 a)} = t - 1, or t when {@code log2 a} lies within half a float32 gap below t.
     *
     * <p>With a = m * 2^t, m in [1/2, 1), {@code log2 a = t + log2 m}; it rounds to t iff
     * {@code -log2 m <= g/2}, g being the gap between t and the next float32 below it (a tie goes to
     * t, whose significand is even). {@code log1p(m - 1)} is within 1 ulp, and {@code m - 1} is
     * exact; the test checks this decision against a 50-digit series for every t and every float
     * close enough to 2^t to matter.
     */
    static int float32FloorLog2(float a) {
        int floor = BlockCodec.floorLog2(a);
        if (Long.bitCount(ExactQuotient.significand(a)) == 1) {
            return floor;   // a power of two: log2 is exact
        }
        int t = floor + 1;
        if (t == 0) {
            return floor;   // log2 a is a tiny negative number, representable: never rounds to 0
        }
        double gap = t - (double) Math.nextDown((float) t);
        double m = Math.scalb((double) a, -t);
        return -Math.log1p(m - 1) / LN2 <= gap / 2 ? t : floor;
    }

    /** The largest e2m1 magnitude code whose value times 2^(e-127) is a finite float32. */
    private static int largestFiniteMagnitude(int e) {
        int c = E2M1.maxFiniteCode();
        while (c > 0 && Math.scalb(E2M1.decode(c), e - 127) > Float.MAX_VALUE) {
            c--;
        }
        return c;
    }

    /**
     * Writes an e2m1 / e8m0 / k = 32 array in {@code block_mxfp4} layout, codes unchanged.
     *
     * @throws IllegalArgumentException if the array's format is not e2m1 / e8m0 / 32, or its length
     *                                  is not a multiple of 32
     */
    public static byte[] write(MxArray a) {
        MxFormat f = a.format();
        if (f.element() != E2M1 || f.scale() != ElementFormat.E8M0 || f.blockSize() != BLOCK_SIZE) {
            throw new IllegalArgumentException("block_mxfp4 holds e2m1 elements with e8m0 scales in blocks of 32, not " + f);
        }
        requireWholeBlocks(a.length());
        byte[] out = new byte[a.blockCount() * BLOCK_BYTES];
        byte[] codes = new byte[BLOCK_SIZE];
        for (int b = 0; b < a.blockCount(); b++) {
            a.unpackBlock(b, codes, 0);
            putBlock(out, b * BLOCK_BYTES, a.scaleCode(b), codes);
        }
        return out;
    }

    /**
     * Reads {@code blockCount} blocks from {@code src} (from its position; the position is not
     * changed) into an {@link MxArray} of format {@link #FORMAT}.
     *
     * @throws IllegalArgumentException if the buffer holds fewer than {@code 17 * blockCount} bytes
     *                                  or {@code blockCount < 0}
     */
    public static MxArray read(ByteBuffer src, int blockCount) {
        if (blockCount < 0 || (long) blockCount * BLOCK_BYTES > src.remaining()) {
            throw new IllegalArgumentException(blockCount + " block_mxfp4 blocks need " + (long) blockCount * BLOCK_BYTES
                    + " bytes, the buffer has " + src.remaining());
        }
        int length = blockCount * BLOCK_SIZE;
        byte[] packed = new byte[FORMAT.packedBytes(length)];
        byte[] scales = new byte[blockCount];
        byte[] codes = new byte[length];
        int base = src.position();
        for (int b = 0; b < blockCount; b++) {
            int p = base + b * BLOCK_BYTES;
            scales[b] = src.get(p);
            for (int j = 0; j < 16; j++) {
                int v = src.get(p + 1 + j) & 0xff;
                codes[b * BLOCK_SIZE + j] = (byte) (v & 0xf);
                codes[b * BLOCK_SIZE + j + 16] = (byte) (v >>> 4);
            }
        }
        Packing.pack(4, codes, 0, packed, 0, length);
        return MxArray.of(FORMAT, length, packed, scales, 1f);
    }

    /** Reads blocks from a byte array; see {@link #read(ByteBuffer, int)}. */
    public static MxArray read(byte[] src, int offset, int blockCount) {
        MxQuantizer.checkRange("block_mxfp4 bytes", src.length, offset, Math.max(0, blockCount) * BLOCK_BYTES);
        return read(ByteBuffer.wrap(src, offset, src.length - offset), blockCount);
    }

    /**
     * Decodes blocks exactly as gguf's {@code dequantize(blocks, MXFP4)}: {@code d * k} in float32
     * with {@code d = 2^(e - 128)} and k the doubled e2m1 value, so code 8 gives +0 and the scale
     * byte {@code ff} is read as 2^127 (gguf has no NaN scale), unlike {@link MxQuantizer#dequantize}.
     *
     * @throws IllegalArgumentException if a range is outside its array; nothing is written then
     */
    public static void dequantize(byte[] src, int offset, int blockCount, float[] out, int outOffset) {
        MxQuantizer.checkRange("block_mxfp4 bytes", src.length, offset, Math.max(0, blockCount) * BLOCK_BYTES);
        MxQuantizer.checkRange("output", out.length, outOffset, Math.max(0, blockCount) * BLOCK_SIZE);
        for (int b = 0; b < blockCount; b++) {
            int p = offset + b * BLOCK_BYTES;
            int e = src[p] & 0xff;
            // ggml's e8m0 "half" conversion: 2^(e-128) as a float32 bit pattern.
            float d = Float.intBitsToFloat(e < 2 ? 0x0020_0000 << e : (e - 1) << 23);
            for (int j = 0; j < 16; j++) {
                int v = src[p + 1 + j] & 0xff;
                out[outOffset + b * BLOCK_SIZE + j] = d * doubledValue(v & 0xf);
                out[outOffset + b * BLOCK_SIZE + j + 16] = d * doubledValue(v >>> 4);
            }
        }
    }

    /** Twice the e2m1 value of a code, with +0 for both zeros (gguf's integer table). */
    private static float doubledValue(int code) {
        return (float) (2 * E2M1.decode(code)) + 0f;   // -0 + 0 = +0
    }

    private static void putBlock(byte[] out, int p, int scaleCode, byte[] codes) {
        out[p] = (byte) scaleCode;
        for (int j = 0; j < 16; j++) {
            out[p + 1 + j] = (byte) ((codes[j] & 0xf) | (codes[j + 16] & 0xf) << 4);
        }
    }

    private static void requireWholeBlocks(int length) {
        if (length % BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("block_mxfp4 stores whole blocks of 32 elements; length " + length
                    + " is not a multiple of 32");
        }
    }
}
