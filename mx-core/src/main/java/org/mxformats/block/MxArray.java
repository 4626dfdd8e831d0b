package org.mxformats.block;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.mxformats.format.ElementFormat;
import org.mxformats.internal.MxArrayStorage;

/**
 * One MX vector of {@code length} elements: packed element codes ({@link Packing}), one scale code
 * per block of k elements (the last block may be shorter), and a per-tensor float32 scale (1 unless
 * the format has one). The value of element i of block b is
 * {@code element(code_i) * scale(code_b) * tensorScale}.
 *
 * <p>An instance made by {@link #of} or by the quantizer owns its bytes and is immutable. One made
 * by {@link #wrap} is a read-only view of the caller's buffers: it copies nothing and reflects later
 * changes to them. Either is safe to read from many threads.
 */
public final class MxArray {
    private final MxFormat format;
    private final int length;
    private final ByteBuffer elements;   // read-only, position 0, limit = packed bytes
    private final ByteBuffer scales;     // read-only, position 0, limit = block count
    private final float tensorScale;
    // The heap arrays behind elements and scales (null for direct or read-only caller buffers),
    // read in place by the dot kernels through MxArrayStorage; never handed out by the API.
    private final byte[] elementArray;
    private final int elementBase;
    private final byte[] scaleArray;
    private final int scaleBase;

    static {
        MxArrayStorage.register(new Storage());
    }

    /** The library-internal access to the arrays above. */
    private static final class Storage extends MxArrayStorage {
        @Override
        public byte[] elementArray(MxArray a) { return a.elementArray; }

        @Override
        public int elementOffset(MxArray a) { return a.elementBase; }

        @Override
        public byte[] scaleArray(MxArray a) { return a.scaleArray; }

        @Override
        public int scaleOffset(MxArray a) { return a.scaleBase; }

        @Override
        public byte[] elementArray(MxTensor2d t) { return t.packedArray(); }

        @Override
        public byte[] scaleArray(MxTensor2d t) { return t.scaleArray(); }
    }

    /** Over {@code elements} and {@code scales} (position 0, limits set), of which it keeps read-only views. */
    private MxArray(MxFormat format, int length, ByteBuffer elements, ByteBuffer scales, float tensorScale) {
        this.format = format;
        this.length = length;
        this.elements = elements.asReadOnlyBuffer();
        this.scales = scales.asReadOnlyBuffer();
        this.tensorScale = tensorScale;
        this.elementArray = elements.hasArray() ? elements.array() : null;
        this.elementBase = elements.hasArray() ? elements.arrayOffset() + elements.position() : 0;
        this.scaleArray = scales.hasArray() ? scales.array() : null;
        this.scaleBase = scales.hasArray() ? scales.arrayOffset() + scales.position() : 0;
    }

    /**
     * An array holding copies of the given bytes.
     *
     * @param packedElements exactly {@code f.packedBytes(length)} bytes, unused high bits of a last
     *                       partial byte zero
     * @param scaleCodes     exactly {@code f.blockCount(length)} codes of the scale format
     * @param tensorScale    1 for a format without a per-tensor scale, else a positive finite float
     * @throws IllegalArgumentException if a size, a scale code or the tensor scale does not fit
     */
    public static MxArray of(MxFormat f, int length, byte[] packedElements, byte[] scaleCodes, float tensorScale) {
        Objects.requireNonNull(f, "format");
        check(f, length, packedElements.length, scaleCodes.length, tensorScale, true);
        ByteBuffer e = ByteBuffer.wrap(packedElements.clone());
        ByteBuffer s = ByteBuffer.wrap(scaleCodes.clone());
        checkCodes(f, length, e, s);
        return new MxArray(f, length, e, s, tensorScale);
    }

    /**
     * A read-only view, without copying, of {@code f.packedBytes(length)} bytes of
     * {@code packedElements} and {@code f.blockCount(length)} bytes of {@code scaleCodes}, each from
     * the buffer's position (heap or direct buffers; positions and limits are not changed). Longer
     * buffers are allowed; the scale codes are checked once, now.
     *
     * @throws IllegalArgumentException if a buffer is too short, a scale code or the tensor scale
     *                                  does not fit
     */
    public static MxArray wrap(MxFormat f, int length, ByteBuffer packedElements, ByteBuffer scaleCodes,
                               float tensorScale) {
        Objects.requireNonNull(f, "format");
        check(f, length, packedElements.remaining(), scaleCodes.remaining(), tensorScale, false);
        ByteBuffer e = packedElements.slice().limit(f.packedBytes(length));
        ByteBuffer s = scaleCodes.slice().limit(f.blockCount(length));
        checkCodes(f, length, e, s);
        return new MxArray(f, length, e.slice(), s.slice(), tensorScale);
    }

    /** An array over buffers the caller (this package) guarantees are valid and no longer written. */
    static MxArray trusted(MxFormat f, int length, ByteBuffer elements, ByteBuffer scales, float tensorScale) {
        return new MxArray(f, length, elements.slice(), scales.slice(), tensorScale);
    }

    private static void check(MxFormat f, int length, int elementBytes, int scaleBytes, float tensorScale,
                              boolean exact) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length + " is negative");
        }
        int needElements = f.packedBytes(length);
        int needScales = f.blockCount(length);
        if (exact ? elementBytes != needElements : elementBytes < needElements) {
            throw new IllegalArgumentException(length + " elements of " + f.element() + " take " + needElements
                    + " packed bytes, got " + elementBytes);
        }
        if (exact ? scaleBytes != needScales : scaleBytes < needScales) {
            throw new IllegalArgumentException(length + " elements in blocks of " + f.blockSize() + " need "
                    + needScales + " scale codes, got " + scaleBytes);
        }
        checkTensorScale(f, tensorScale);
    }

    static void checkTensorScale(MxFormat f, float tensorScale) {
        if (f.tensorScale()) {
            if (!(tensorScale > 0) || Float.isInfinite(tensorScale)) {
                throw new IllegalArgumentException("tensor scale " + tensorScale + " must be positive and finite");
            }
        } else if (tensorScale != 1f) {
            throw new IllegalArgumentException("tensor scale " + tensorScale + " given, but format " + f
                    + " has no per-tensor scale (use 1)");
        }
    }

    private static void checkCodes(MxFormat f, int length, ByteBuffer elements, ByteBuffer scales) {
        ElementFormat s = f.scale();
        for (int b = 0; b < scales.limit(); b++) {
            int code = scales.get(b) & 0xff;
            if (code >= s.codeCount()) {
                throw new IllegalArgumentException("scale code 0x" + Integer.toHexString(code) + " of block " + b
                        + " is outside the " + s.bits() + "-bit scale format " + s);
            }
        }
        long usedBits = (long) f.element().bits() * length;
        if ((usedBits & 7) != 0) {
            int last = elements.get(elements.limit() - 1) & 0xff;
            if (last >>> (usedBits & 7) != 0) {
                throw new IllegalArgumentException("the last packed byte 0x" + Integer.toHexString(last)
                        + " has bits set beyond element " + (length - 1));
            }
        }
    }

    /** The format. */
    public MxFormat format() { return format; }

    /** The number of elements. */
    public int length() { return length; }

    /** The number of blocks, {@code ceil(length / k)}. */
    public int blockCount() { return scales.limit(); }

    /** The per-tensor scale; 1 unless the format has one. */
    public float tensorScale() { return tensorScale; }

    /**
     * The code of element {@code i} (unsigned, right-aligned).
     *
     * @throws IndexOutOfBoundsException if {@code i} is outside {@code 0..length-1}
     */
    public int elementCode(int i) {
        Objects.checkIndex(i, length);
        return Packing.code(format.element().bits(), elements, i);
    }

    /**
     * The scale code of block {@code block}.
     *
     * @throws IndexOutOfBoundsException if the block does not exist
     */
    public int scaleCode(int block) {
        return scales.get(Objects.checkIndex(block, scales.limit())) & 0xff;
    }

    /** The decoded scale of a block (NaN for a NaN code); the tensor scale is not applied. */
    public double scaleValue(int block) {
        return format.scale().decode(scaleCode(block));
    }

    /** The number of elements in a block: k, or less for a partial last block. */
    public int blockLength(int block) {
        Objects.checkIndex(block, scales.limit());
        return Math.min(format.blockSize(), length - block * format.blockSize());
    }

    /**
     * Writes the block's element codes, one per byte, to {@code dst} from {@code dstOffset} (only
     * {@link #blockLength} bytes).
     *
     * @throws IndexOutOfBoundsException if the block does not exist
     * @throws IllegalArgumentException  if {@code dst} has no room for the block from
     *                                   {@code dstOffset}; nothing is written then
     */
    public void unpackBlock(int block, byte[] dst, int dstOffset) {
        int n = blockLength(block);
        MxQuantizer.checkRange("destination", dst.length, dstOffset, n);
        int bits = format.element().bits();
        int first = block * format.blockSize();
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = (byte) Packing.code(bits, elements, first + i);
        }
    }

    /** A read-only view of the packed element bytes (a fresh view each call, position 0). */
    public ByteBuffer packedElements() {
        return elements.duplicate();
    }

    /** A read-only view of the scale codes, one byte each (a fresh view each call, position 0). */
    public ByteBuffer scales() {
        return scales.duplicate();
    }

    /** The value of element {@code i} as a float, rounded once from the exact product. */
    public float value(int i) {
        int b = i / format.blockSize();
        return (float) (format.element().decode(elementCode(i)) * (scaleValue(b) * tensorScale));
    }

    /** Equal when format, length, tensor scale, every element code and every scale code are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MxArray)) {
            return false;
        }
        MxArray a = (MxArray) o;
        if (length != a.length || Float.floatToRawIntBits(tensorScale) != Float.floatToRawIntBits(a.tensorScale)
                || !format.equals(a.format)) {
            return false;
        }
        return elements.equals(a.elements) && scales.equals(a.scales);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, length, tensorScale, elements, scales);
    }

    /** A short description: format, length and block count. */
    @Override
    public String toString() {
        return "MxArray[" + length + " x " + format + ", " + blockCount() + " blocks"
                + (format.tensorScale() ? ", tensor scale " + tensorScale : "") + "]";
    }
}
