package org.mxformats.simd;

import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/** The plain-Java kernels: the reference the Vector API kernels must match bit for bit. */
final class ScalarKernels implements Kernels {

    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void decode(ElementFormat format, byte[] codes, int codeOffset, float[] out, int outOffset, int length) {
        float[] table = FormatTables.floatValues(format);
        int mask = table.length - 1;
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = table[codes[codeOffset + i] & mask];
        }
    }

    @Override
    public void encode(ElementFormat format, float[] in, int inOffset, byte[] codes, int codeOffset, int length,
                       Rounding rounding, Overflow overflow) {
        for (int i = 0; i < length; i++) {
            codes[codeOffset + i] = (byte) format.encode(in[inOffset + i], rounding, overflow);
        }
    }

    // ---- MX blocks --------------------------------------------------------------------------------

    @Override
    public float maxAbs(float[] in, int offset, int length) {
        int max = 0;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, Float.floatToRawIntBits(in[offset + i]) & 0x7fff_ffff);
        }
        return Float.intBitsToFloat(max);
    }

    @Override
    public void encodeScaled(ElementFormat element, float[] in, int inOffset, int length, int scaleExponent,
                             Rounding rounding, byte[] codes, int codeOffset) {
        for (int i = 0; i < length; i++) {
            codes[codeOffset + i] = (byte) element.encode(Math.scalb((double) in[inOffset + i], -scaleExponent),
                    rounding, Overflow.SATURATE);
        }
    }

    @Override
    public void decodeScaled(ElementFormat element, byte[] codes, int codeOffset, int length, float factor,
                             float[] out, int outOffset) {
        float[] table = FormatTables.floatValues(element);
        int mask = table.length - 1;
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = table[codes[codeOffset + i] & mask] * factor;
        }
    }

    @Override
    public void packNibbles(byte[] codes, int codeOffset, byte[] packed, int packedOffset, int count) {
        int pairs = count >>> 1;
        for (int j = 0; j < pairs; j++) {
            int c = codeOffset + 2 * j;
            packed[packedOffset + j] = (byte) ((codes[c] & 0xf) | (codes[c + 1] & 0xf) << 4);
        }
        if ((count & 1) != 0) {
            packed[packedOffset + pairs] = (byte) (codes[codeOffset + count - 1] & 0xf);
        }
    }

    @Override
    public void unpackNibbles(byte[] packed, int packedOffset, byte[] codes, int codeOffset, int count) {
        for (int i = 0; i < count; i++) {
            int b = packed[packedOffset + (i >>> 1)];
            codes[codeOffset + i] = (byte) ((i & 1) == 0 ? b & 0xf : (b >>> 4) & 0xf);
        }
    }

    // ---- dot products ------------------------------------------------------------------------------

    @Override
    public double productSum(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB, int length) {
        float[] va = FormatTables.floatValues(a);
        float[] vb = FormatTables.floatValues(b);
        int maskA = va.length - 1;
        int maskB = vb.length - 1;
        double sum = 0;
        for (int i = 0; i < length; i++) {
            sum += (double) va[ca[offA + i] & maskA] * vb[cb[offB + i] & maskB];
        }
        return Double.isNaN(sum) ? Double.NaN : sum;
    }

    @Override
    public float dotFast(ElementFormat element, byte[] codes, int codeOffset, ElementFormat scale, byte[] scaleCodes,
                         int scaleOffset, float tensorScale, int blockSize, int blocks, float[] x, int xOffset) {
        float[] values = FormatTables.floatValues(element);
        float[] scales = FormatTables.floatValues(scale);
        int scaleMask = scales.length - 1;
        if (!DotLanes.lanes(blockSize)) {
            float acc = 0;
            for (int blk = 0; blk < blocks; blk++) {
                float s = 0;
                int first = blk * blockSize;
                for (int i = first; i < first + blockSize; i++) {
                    s = Math.fma(values[DotLanes.code(element, codes, codeOffset, i)], x[xOffset + i], s);
                }
                acc = Math.fma(s, scales[scaleCodes[scaleOffset + blk] & scaleMask] * tensorScale, acc);
            }
            return acc;
        }
        boolean nibbles = DotLanes.nibbles(element);
        float[] acc = new float[DotLanes.LANES];
        float[] s = new float[DotLanes.LANES];
        for (int blk = 0; blk < blocks; blk++) {
            java.util.Arrays.fill(s, 0f);
            for (int chunk = blk * blockSize; chunk < (blk + 1) * blockSize; chunk += DotLanes.CHUNK) {
                for (int l = 0; l < DotLanes.LANES; l++) {
                    int i0 = chunk + (nibbles ? 2 * l : l);
                    int i1 = chunk + (nibbles ? 2 * l + 1 : l + DotLanes.LANES);
                    s[l] = Math.fma(values[DotLanes.code(element, codes, codeOffset, i0)], x[xOffset + i0], s[l]);
                    s[l] = Math.fma(values[DotLanes.code(element, codes, codeOffset, i1)], x[xOffset + i1], s[l]);
                }
            }
            float factor = scales[scaleCodes[scaleOffset + blk] & scaleMask] * tensorScale;
            for (int l = 0; l < DotLanes.LANES; l++) {
                acc[l] = Math.fma(s[l], factor, acc[l]);
            }
        }
        return DotLanes.fold(acc);
    }

    @Override
    public float dotFastInt8(byte[] a, int aOffset, byte[] scalesA, int scalesAOffset, byte[] b, int bOffset,
                             byte[] scalesB, int scalesBOffset, ElementFormat scale, int blockSize, int blocks) {
        float[] scales = FormatTables.floatValues(scale);
        int scaleMask = scales.length - 1;
        boolean lanes = DotLanes.lanes(blockSize);
        float[] acc = new float[DotLanes.LANES];
        int[] s = new int[DotLanes.LANES];
        float single = 0;
        for (int blk = 0; blk < blocks; blk++) {
            float factor = scales[scalesA[scalesAOffset + blk] & scaleMask]
                    * scales[scalesB[scalesBOffset + blk] & scaleMask] * 0x1p-12f;
            int first = blk * blockSize;
            if (!lanes) {
                int sum = 0;
                for (int i = first; i < first + blockSize; i++) {
                    sum += a[aOffset + i] * b[bOffset + i];
                }
                single = Math.fma((float) sum, factor, single);
                continue;
            }
            java.util.Arrays.fill(s, 0);
            for (int chunk = first; chunk < first + blockSize; chunk += DotLanes.CHUNK) {
                for (int l = 0; l < DotLanes.LANES; l++) {
                    int i0 = chunk + l;
                    int i1 = i0 + DotLanes.LANES;
                    s[l] += a[aOffset + i0] * b[bOffset + i0] + a[aOffset + i1] * b[bOffset + i1];
                }
            }
            for (int l = 0; l < DotLanes.LANES; l++) {
                acc[l] = Math.fma((float) s[l], factor, acc[l]);
            }
        }
        return lanes ? DotLanes.fold(acc) : single;
    }

    @Override
    public void matvecFast(ElementFormat element, byte[] codes, int rowBytes, ElementFormat scale, byte[] scaleCodes,
                           float tensorScale, int blockSize, int blocksPerRow, float[] x, int xOffset,
                           float[] y, int yOffset, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) {
            y[yOffset + r] = dotFast(element, codes, r * rowBytes, scale, scaleCodes, r * blocksPerRow, tensorScale,
                    blockSize, blocksPerRow, x, xOffset);
        }
    }
}
