package org.mxformats.block;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A rows x cols matrix in an MX format, with blocks running along rows or along columns
 * ({@link BlockAxis}). Immutable and thread-safe.
 *
 * <p>Storage is a sequence of lines (rows for {@link BlockAxis#ALONG_ROWS}, columns for
 * {@link BlockAxis#ALONG_COLUMNS}); each line is an MX vector of its own, starting a new block and a
 * new byte (so a line is an {@link MxArray} view without copying: {@link #row}, {@link #column}).
 * A line whose length is not a multiple of k ends with a partial block. A per-tensor scale, where
 * the format has one, comes from the whole matrix and is shared by every line.
 *
 * <p>{@link #transpose()} reinterprets the same bytes as the cols x rows transpose with the other
 * axis: its values are exactly the transposed values. {@link #transposeFrom} instead quantizes the
 * transposed source, with blocks along the same axis as this tensor (what a matrix product with the
 * transpose needs: blocks along its reduction dimension); its values differ, because every element
 * then shares its scale with different neighbours. See {@code docs/storage.md}.
 */
public final class MxTensor2d {
    private final MxFormat format;
    private final int rows;
    private final int cols;
    private final BlockAxis axis;
    private final byte[] packed;
    private final byte[] scales;
    private final float tensorScale;
    private final int lineLength;
    private final int lineCount;
    private final int lineBytes;
    private final int lineBlocks;

    private MxTensor2d(MxFormat format, int rows, int cols, BlockAxis axis, byte[] packed, byte[] scales,
                       float tensorScale) {
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        this.axis = axis;
        this.packed = packed;
        this.scales = scales;
        this.tensorScale = tensorScale;
        this.lineLength = axis == BlockAxis.ALONG_ROWS ? cols : rows;
        this.lineCount = axis == BlockAxis.ALONG_ROWS ? rows : cols;
        this.lineBytes = format.packedBytes(lineLength);
        this.lineBlocks = format.blockCount(lineLength);
    }

    /**
     * Quantizes a row-major matrix with a deterministic element rounding.
     *
     * @throws IllegalArgumentException if {@code rowMajor.length != rows * cols}, a dimension is
     *                                  negative, the storage would exceed 2^31 - 1 bytes, or the
     *                                  rounding is stochastic
     */
    public static MxTensor2d quantize(MxFormat f, float[] rowMajor, int rows, int cols, BlockAxis axis) {
        return quantize(f, rowMajor, rows, cols, axis, null);
    }

    /**
     * Quantizes a row-major matrix; {@code random} supplies stochastic rounding bits (lines in
     * storage order, elements in line order), and may be null for a deterministic rounding.
     *
     * @throws IllegalArgumentException as the deterministic overload, or if the rounding is
     *                                  stochastic and {@code random} is null
     */
    public static MxTensor2d quantize(MxFormat f, float[] rowMajor, int rows, int cols, BlockAxis axis,
                                      RandomGenerator random) {
        Objects.requireNonNull(axis, "axis");
        checkShape(rowMajor.length, rows, cols, "input");
        MxQuantizer.checkRandom(f, random);
        int lineLength = axis == BlockAxis.ALONG_ROWS ? cols : rows;
        int lineCount = axis == BlockAxis.ALONG_ROWS ? rows : cols;
        long bytes = (long) f.packedBytes(lineLength) * lineCount;
        long scaleBytes = (long) f.blockCount(lineLength) * lineCount;
        if (bytes > Integer.MAX_VALUE || scaleBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(rows + " x " + cols + " in " + f + " needs " + bytes
                    + " bytes, more than an array holds");
        }
        BlockCodec codec = new BlockCodec(f);
        float ts = f.tensorScale() ? codec.tensorScaleFor(Source.of(rowMajor, 0, 1).amaxFinite(rowMajor.length)) : 1f;
        byte[] packed = new byte[(int) bytes];
        byte[] scales = new byte[(int) scaleBytes];
        MxTensor2d t = new MxTensor2d(f, rows, cols, axis, packed, scales, ts);
        for (int i = 0; i < lineCount; i++) {
            Source src = axis == BlockAxis.ALONG_ROWS ? Source.of(rowMajor, i * cols, 1) : Source.of(rowMajor, i, cols);
            MxQuantizer.quantizeLine(codec, f, src, lineLength, ts, packed, i * t.lineBytes, scales, i * t.lineBlocks, random);
        }
        return t;
    }

    private static void checkShape(int length, int rows, int cols, String what) {
        if (rows < 0 || cols < 0 || (long) rows * cols != length) {
            throw new IllegalArgumentException(what + " of " + length + " floats does not match the shape " + rows
                    + " x " + cols);
        }
    }

    /** The number of rows. */
    public int rows() { return rows; }

    /** The number of columns. */
    public int cols() { return cols; }

    /** Which way the blocks run. */
    public BlockAxis axis() { return axis; }

    /** The MX format. */
    public MxFormat format() { return format; }

    /** The per-tensor scale shared by every line (1 unless the format has one). */
    public float tensorScale() { return tensorScale; }

    /** The packed codes, for MxArrayStorage only (never written, never handed out). */
    byte[] packedArray() { return packed; }

    /** The scale codes, for MxArrayStorage only. */
    byte[] scaleArray() { return scales; }

    /**
     * Row {@code r} as an MX vector view, without copying.
     *
     * @throws IllegalArgumentException if the blocks run along columns (a row then cuts across blocks)
     * @throws IndexOutOfBoundsException if the row does not exist
     */
    public MxArray row(int r) {
        if (axis != BlockAxis.ALONG_ROWS) {
            throw new IllegalArgumentException("row(" + r + ") needs blocks along rows; this tensor has them "
                    + axis + " (use column(), or transpose())");
        }
        return line(Objects.checkIndex(r, rows));
    }

    /**
     * Column {@code c} as an MX vector view, without copying.
     *
     * @throws IllegalArgumentException if the blocks run along rows
     * @throws IndexOutOfBoundsException if the column does not exist
     */
    public MxArray column(int c) {
        if (axis != BlockAxis.ALONG_COLUMNS) {
            throw new IllegalArgumentException("column(" + c + ") needs blocks along columns; this tensor has them "
                    + axis + " (use row(), or transpose())");
        }
        return line(Objects.checkIndex(c, cols));
    }

    private MxArray line(int i) {
        return MxArray.trusted(format, lineLength, ByteBuffer.wrap(packed, i * lineBytes, lineBytes),
                ByteBuffer.wrap(scales, i * lineBlocks, lineBlocks), tensorScale);
    }

    /** The value at (r, c): element x scale x tensor scale, rounded once to float. */
    public float value(int r, int c) {
        Objects.checkIndex(r, rows);
        Objects.checkIndex(c, cols);
        return axis == BlockAxis.ALONG_ROWS ? line(r).value(c) : line(c).value(r);
    }

    /**
     * Writes every value, row-major, to {@code rowMajorOut}.
     *
     * @throws IllegalArgumentException if {@code rowMajorOut.length != rows * cols}; nothing is
     *                                   written then
     */
    public void dequantize(float[] rowMajorOut) {
        checkShape(rowMajorOut.length, rows, cols, "output");
        float[] line = new float[lineLength];
        for (int i = 0; i < lineCount; i++) {
            MxQuantizer.dequantize(line(i), line, 0);
            if (axis == BlockAxis.ALONG_ROWS) {
                System.arraycopy(line, 0, rowMajorOut, i * cols, cols);
            } else {
                for (int r = 0; r < rows; r++) {
                    rowMajorOut[r * cols + i] = line[r];
                }
            }
        }
    }

    /**
     * The exact transpose (cols x rows) of this tensor's values, sharing its bytes: a row-blocked
     * tensor becomes a column-blocked one and vice versa. No rounding happens.
     */
    public MxTensor2d transpose() {
        BlockAxis other = axis == BlockAxis.ALONG_ROWS ? BlockAxis.ALONG_COLUMNS : BlockAxis.ALONG_ROWS;
        return new MxTensor2d(format, cols, rows, other, packed, scales, tensorScale);
    }

    /**
     * Re-quantizes the transpose of {@code source} (the rows x cols row-major data this tensor was
     * made from, or any data of that shape): the result is cols x rows with blocks along the same
     * axis as this tensor, i.e. {@code quantize(format, transpose(source), cols, rows, axis())}.
     *
     * @throws IllegalArgumentException if {@code source.length != rows * cols}
     */
    public MxTensor2d transposeFrom(float[] source) {
        checkShape(source.length, rows, cols, "source");
        float[] t = new float[source.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = source[r * cols + c];
            }
        }
        return quantize(format, t, cols, rows, axis);
    }

    /** Equal when format, shape, axis, tensor scale and every code are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MxTensor2d)) {
            return false;
        }
        MxTensor2d t = (MxTensor2d) o;
        return rows == t.rows && cols == t.cols && axis == t.axis && format.equals(t.format)
                && Float.floatToRawIntBits(tensorScale) == Float.floatToRawIntBits(t.tensorScale)
                && Arrays.equals(packed, t.packed) && Arrays.equals(scales, t.scales);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, rows, cols, axis, tensorScale, Arrays.hashCode(packed), Arrays.hashCode(scales));
    }

    /** Shape, axis and format. */
    @Override
    public String toString() {
        return "MxTensor2d[" + rows + " x " + cols + ", blocks " + axis + ", " + format + "]";
    }
}
