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
    public void blockMaxAbs(float[] in, int offset, int length, int blockSize, float[] maxima) {
        for (int j = 0; j * blockSize < length; j++) {
            maxima[j] = maxAbs(in, offset + j * blockSize, Math.min(blockSize, length - j * blockSize));
        }
    }

    @Override
    public void encodeScaledBlocks(ElementFormat element, float[] in, int inOffset, int length, int blockSize,
                                   int[] scaleExponents, int exponentOffset, Rounding rounding, byte[] codes,
                                   int codeOffset) {
        for (int j = 0; j * blockSize < length; j++) {
            int start = j * blockSize;
            encodeScaled(element, in, inOffset + start, Math.min(blockSize, length - start),
                    scaleExponents[exponentOffset + j], rounding, codes, codeOffset + start);
        }
    }

    @Override
    public void decodeScaledBlocks(ElementFormat element, byte[] codes, int codeOffset, int length, int blockSize,
                                   float[] factors, int factorOffset, float[] out, int outOffset) {
        for (int j = 0; j * blockSize < length; j++) {
            int start = j * blockSize;
            decodeScaled(element, codes, codeOffset + start, Math.min(blockSize, length - start),
                    factors[factorOffset + j], out, outOffset + start);
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

    @Override
    public void packSixBitGroups(byte[] codes, int codeOffset, byte[] packed, int packedOffset, int groups) {
        for (int g = 0; g < groups; g++) {
            int c = codeOffset + 4 * g;
            int word = codes[c] & 0x3f | (codes[c + 1] & 0x3f) << 6 | (codes[c + 2] & 0x3f) << 12
                    | (codes[c + 3] & 0x3f) << 18;
            int d = packedOffset + 3 * g;
            packed[d] = (byte) word;
            packed[d + 1] = (byte) (word >>> 8);
            packed[d + 2] = (byte) (word >>> 16);
        }
    }

    @Override
    public void unpackSixBitGroups(byte[] packed, int packedOffset, byte[] codes, int codeOffset, int groups) {
        for (int g = 0; g < groups; g++) {
            int d = packedOffset + 3 * g;
            int word = packed[d] & 0xff | (packed[d + 1] & 0xff) << 8 | (packed[d + 2] & 0xff) << 16;
            int c = codeOffset + 4 * g;
            codes[c] = (byte) (word & 0x3f);
            codes[c + 1] = (byte) (word >>> 6 & 0x3f);
            codes[c + 2] = (byte) (word >>> 12 & 0x3f);
            codes[c + 3] = (byte) (word >>> 18);
        }
    }

    @Override
    public void unpackSmallIntegers(ElementFormat element, byte[] packed, int packedOffset, byte[] out, int outOffset,
                                    int count) {
        byte[] table = Kernels.requireSmallIntegerTable(element);
        for (int i = 0; i < count; i++) {
            int b = packed[packedOffset + (i >>> 1)];
            out[outOffset + i] = table[(i & 1) == 0 ? b & 0xf : (b >>> 4) & 0xf];
        }
    }

    // ---- fused MX block passes ----------------------------------------------------------------------

    @Override
    public int quantizeFloorBlocks(ElementFormat element, ElementFormat scale, Rounding rounding, float[] in,
                                   int inOffset, int blockSize, int blocks, byte[] codes, int codeOffset,
                                   byte[] scaleCodes, int scaleOffset) {
        int minExponent = Math.getExponent(scale.minSubnormal());
        boolean nibbles = element.bits() == 4;
        for (int j = 0; j < blocks; j++) {
            int start = inOffset + j * blockSize;
            float amax = maxAbs(in, start, blockSize);
            if (!(amax <= Float.MAX_VALUE)) {
                return j;
            }
            int e = Kernels.floorScaleExponent(amax, element.emax(), minExponent, scale.emax());
            scaleCodes[scaleOffset + j] = (byte) (e + scale.bias());
            for (int i = 0; i < blockSize; i++) {
                int code = element.encode(Math.scalb((double) in[start + i], -e), rounding, Overflow.SATURATE);
                if (!nibbles) {
                    codes[codeOffset + j * blockSize + i] = (byte) code;
                } else if (i % 2 == 0) {
                    codes[codeOffset + (j * blockSize + i) / 2] = (byte) (code & 0xf);
                } else {
                    codes[codeOffset + (j * blockSize + i) / 2] |= (byte) ((code & 0xf) << 4);
                }
            }
        }
        return blocks;
    }

    @Override
    public void decodeNibbleBlocks(ElementFormat element, byte[] packed, int packedOffset, int length, int blockSize,
                                   float[] factors, int factorOffset, float[] out, int outOffset) {
        float[] table = FormatTables.floatValues(element);
        for (int i = 0; i < length; i++) {
            int nibble = packed[packedOffset + (i >>> 1)] >>> ((i & 1) * 4) & 0xf;
            out[outOffset + i] = table[nibble] * factors[factorOffset + i / blockSize];
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
    public double dotFast(ElementFormat element, byte[] codes, int codeOffset, ElementFormat scale, byte[] scaleCodes,
                          int scaleOffset, int blockSize, int blocks, float[] x, int xOffset) {
        float[] values = FormatTables.floatValues(element);
        double[] scales = FormatTables.doubleValues(scale);
        int scaleMask = scales.length - 1;
        if (!DotLanes.fastLanes(blockSize)) {
            double acc = -0.0;
            for (int blk = 0; blk < blocks; blk++) {
                double s = -0.0;
                int first = blk * blockSize;
                for (int i = first; i < first + blockSize; i++) {
                    s += (double) values[DotLanes.code(element, codes, codeOffset, i)] * x[xOffset + i];
                }
                acc += s * scales[scaleCodes[scaleOffset + blk] & scaleMask];
            }
            return acc;
        }
        float[] laneValues = DotLanes.laneValues(element);
        float unit = (float) DotLanes.unit(element);
        float[] scaleFloats = FormatTables.floatValues(scale);
        float[] acc = new float[DotLanes.LANES];
        float[] s = new float[DotLanes.LANES];
        java.util.Arrays.fill(acc, -0.0f);
        for (int blk = 0; blk < blocks; blk++) {
            java.util.Arrays.fill(s, -0.0f);
            // Lane l takes element half + l of each 16-element half in order: in a 32-element
            // chunk, element chunk + l, then chunk + 16 + l.
            for (int half = blk * blockSize; half < (blk + 1) * blockSize; half += DotLanes.LANES) {
                for (int l = 0; l < DotLanes.LANES; l++) {
                    s[l] = Math.fma(laneValues[DotLanes.code(element, codes, codeOffset, half + l)],
                            x[xOffset + half + l], s[l]);
                }
            }
            float factor = scaleFloats[scaleCodes[scaleOffset + blk] & scaleMask] * unit;
            for (int l = 0; l < DotLanes.LANES; l++) {
                acc[l] = Math.fma(s[l], factor, acc[l]);
            }
        }
        double[] wide = new double[DotLanes.LANES];
        for (int l = 0; l < DotLanes.LANES; l++) {
            wide[l] = acc[l];
        }
        return DotLanes.fold(wide);
    }

    @Override
    public void blockProductSums(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB,
                                 int blockSize, int blocks, double[] sums) {
        for (int j = 0; j < blocks; j++) {
            sums[j] = productSum(a, ca, offA + j * blockSize, b, cb, offB + j * blockSize, blockSize);
        }
    }

    @Override
    public void exactDotLanes(float[] values, int valueOffset, float[] x, int xOffset, double[] blockScales,
                              int blockSize, int blocks, double[] lanes) {
        exactLanes(null, 0, values, valueOffset, x, xOffset, blockScales, 0, blockSize, blocks, lanes);
    }

    @Override
    public int exactDotCodeLanes(ElementFormat element, byte[] codes, int codeOffset, float[] x, int xOffset,
                                 double[] blockScales, int blockSize, int blocks, double[] lanes) {
        return exactCodeLanes(element, codes, codeOffset, x, xOffset, blockScales, 0, blockSize, blocks, lanes);
    }

    @Override
    public void scaledQuotients(float[] in, int inOffset, int length, int blockSize, double[] divisors, int mask,
                                float[] out, int outOffset, byte[] suspects) {
        int blocks = requireQuotients(in, inOffset, length, blockSize, divisors, out, outOffset, suspects);
        for (int j = 0; j < blocks; j++) {
            int from = j * blockSize;
            int to = Math.min(length, from + blockSize);
            double d = divisors[j];
            boolean any = false;
            for (int i = from; i < to; i++) {
                float v = in[inOffset + i];
                float q = (float) (v / d);
                out[outOffset + i] = q;
                int bits = Float.floatToRawIntBits(q) & 0x7fff_ffff;
                any |= v != 0 && (bits < 0x0080_0000 || bits >= 0x7f80_0000 || (bits & mask) == 0);
            }
            suspects[j] = (byte) (any ? 1 : 0);
        }
    }

    /** Checks {@link #scaledQuotients}'s arguments; returns the block count. */
    static int requireQuotients(float[] in, int inOffset, int length, int blockSize, double[] divisors, float[] out,
                                int outOffset, byte[] suspects) {
        if (blockSize <= 0 || length < 0) {
            throw new IllegalArgumentException("block size " + blockSize + ", length " + length);
        }
        int blocks = (int) ((length + (long) blockSize - 1) / blockSize);
        java.util.Objects.checkFromIndexSize(inOffset, length, in.length);
        java.util.Objects.checkFromIndexSize(outOffset, length, out.length);
        java.util.Objects.checkFromIndexSize(0, blocks, divisors.length);
        java.util.Objects.checkFromIndexSize(0, blocks, suspects.length);
        return blocks;
    }

    @Override
    public void compensatedDotLanes(float[] values, int valueOffset, float[] x, int xOffset, double[] blockScales,
                                    int scaleOffset, int blockSize, int blocks, double[] lanes) {
        int n = requireCompensated(values, valueOffset, x, xOffset, blockScales, scaleOffset, blockSize, blocks, lanes);
        for (int i = 0; i < n; i++) {
            int lane = i % COMPENSATED_LANES;
            double p = ((double) values[valueOffset + i] * blockScales[scaleOffset + i / blockSize]) * x[xOffset + i];
            double s = lanes[lane];
            double t = s + p;
            double z = t - s;
            double e = (s - (t - z)) + (p - z);
            lanes[lane] = t;
            lanes[COMPENSATED_LANES + lane] += e;
            lanes[2 * COMPENSATED_LANES + lane] += Math.abs(e);
        }
    }

    /** Checks {@link #compensatedDotLanes}'s arguments; returns the element count. */
    static int requireCompensated(float[] values, int valueOffset, float[] x, int xOffset, double[] blockScales,
                                  int scaleOffset, int blockSize, int blocks, double[] lanes) {
        if (blockSize <= 0 || blocks < 0) {
            throw new IllegalArgumentException("block size " + blockSize + ", blocks " + blocks);
        }
        int n = Math.multiplyExact(blockSize, blocks);
        java.util.Objects.checkFromIndexSize(valueOffset, n, values.length);
        java.util.Objects.checkFromIndexSize(xOffset, n, x.length);
        java.util.Objects.checkFromIndexSize(scaleOffset, blocks, blockScales.length);
        java.util.Objects.checkFromIndexSize(0, 3 * COMPENSATED_LANES, lanes.length);
        return n;
    }

    /**
     * {@link #exactDotCodeLanes} with the block scales from {@code blockScales[scaleOffset]}: the
     * vector kernels go on here from a run their loops do not take.
     */
    static int exactCodeLanes(ElementFormat element, byte[] codes, int codeOffset, float[] x, int xOffset,
                              double[] blockScales, int scaleOffset, int blockSize, int blocks, double[] lanes) {
        exactLanes(codes, codeOffset, FormatTables.floatValues(element), 0, x, xOffset, blockScales, scaleOffset,
                blockSize, blocks, lanes);
        int largest = 0;
        for (int i = 0; i < blocks * blockSize; i++) {
            largest = Math.max(largest, DotLanes.magnitudeKey(element, codes[codeOffset + i]));
        }
        return largest;
    }

    /**
     * The lane sums of {@link #exactDotLanes}, run by run; element i's value is
     * {@code values[valueOffset + i]}, or {@code values[codes[codeOffset + i] & mask]} (a format's
     * table) when codes are given; block j's scale is {@code blockScales[scaleOffset + j]}.
     */
    private static void exactLanes(byte[] codes, int codeOffset, float[] values, int valueOffset, float[] x,
                                   int xOffset, double[] blockScales, int scaleOffset, int blockSize, int blocks,
                                   double[] lanes) {
        for (int start = 0; start < blocks; start += EXACT_DOT_RUN) {
            int at = start * blockSize;   // the run's first element; a table is indexed by code, not moved
            exactRun(codes, codeOffset + at, values, codes == null ? valueOffset + at : valueOffset, x, xOffset + at,
                    blockScales, scaleOffset + start, blockSize, Math.min(EXACT_DOT_RUN, blocks - start), lanes);
        }
    }

    /**
     * One run (at most {@link #EXACT_DOT_RUN} blocks) of {@link #exactLanes}; element i's value
     * is {@code values[valueOffset + i]}, or {@code values[codes[codeOffset + i] & mask]} (a
     * format's table) when codes are given; block j's scale is {@code blockScales[scaleOffset + j]}.
     */
    private static void exactRun(byte[] codes, int codeOffset, float[] values, int valueOffset, float[] x,
                                 int xOffset, double[] blockScales, int scaleOffset, int blockSize, int blocks,
                                 double[] lanes) {
        int w = EXACT_DOT_LANES;
        int mask = values.length - 1;
        double[] run = new double[w];
        for (int j = 0; j < blocks; j++) {
            int first = j * blockSize;
            double scaleValue = blockScales[scaleOffset + j];
            lanes[2 * w] += scaleValue * scaleValue;
            for (int l = 0; l < w; l++) {
                double b = 0;
                for (int i = first + l; i < first + blockSize; i += w) {
                    float v = codes == null ? values[valueOffset + i] : values[codes[codeOffset + i] & mask];
                    double p = (double) v * x[xOffset + i];
                    b = i == first + l ? p : b + p;   // the lane's first product as it is
                }
                run[l] = Math.fma(scaleValue, b, run[l]);   // one rounding: the vector loops' fma
            }
        }
        for (int l = 0; l < w; l++) {
            lanes[l] += run[l];
        }
        int n = blocks * blockSize;
        double[] q = new double[4];   // a lane's four quarter sums, reused lane after lane
        for (int l = 0; l < w; l++) {
            q[0] = lanes[w + l];
            q[1] = 0;
            q[2] = 0;
            q[3] = 0;
            for (int i = l; i < n; i += w) {
                double xi = x[xOffset + i];
                q[(i / w) % 4] += xi * xi;   // exact square, one rounding
            }
            lanes[w + l] = (q[0] + q[1]) + (q[2] + q[3]);
        }
    }

    @Override
    public long e8m0ExponentSums(byte[] sa, int offA, byte[] sb, int offB, int count, int[] out) {
        java.util.Objects.checkFromIndexSize(0, count, out.length);
        return e8m0ExponentSums(sa, offA, sb, offB, 0, count, out, Integer.MAX_VALUE, Integer.MIN_VALUE, 0);
    }

    /**
     * {@link #e8m0ExponentSums} for {@code j} from {@code from} to {@code count}, going on from the
     * least and greatest sums and the largest code seen before (a vector kernel's tail).
     */
    static long e8m0ExponentSums(byte[] sa, int offA, byte[] sb, int offB, int from, int count, int[] out, int low,
                                 int high, int top) {
        for (int j = from; j < count; j++) {
            int a = sa[offA + j] & 0xFF;
            int b = sb[offB + j] & 0xFF;
            int e = a + b - 254;
            out[j] = e;
            low = Math.min(low, e);
            high = Math.max(high, e);
            top = Math.max(top, Math.max(a, b));
        }
        return top == 0xFF ? NAN_SCALE : (long) low << 32 | (high & 0xFFFFFFFFL);
    }

    @Override
    public boolean e8m0Values(byte[] codes, int offset, int count, int shift, double[] out, int outOffset) {
        requireScaleShift(shift);
        java.util.Objects.checkFromIndexSize(offset, count, codes.length);
        java.util.Objects.checkFromIndexSize(outOffset, count, out.length);
        return e8m0Values(codes, offset, 0, count, shift, out, outOffset, 0);
    }

    /** Fails unless {@link #e8m0Values}'s shift is within its range. */
    static void requireScaleShift(int shift) {
        if (shift < -800 || shift > 800) {
            throw new IllegalArgumentException("scale shift " + shift + " is outside -800 .. 800");
        }
    }

    /**
     * {@link #e8m0Values} for {@code j} from {@code from} to {@code count}, going on from the largest
     * code seen before (a vector kernel's tail).
     */
    static boolean e8m0Values(byte[] codes, int offset, int from, int count, int shift, double[] out, int outOffset,
                              int top) {
        for (int j = from; j < count; j++) {
            int c = codes[offset + j] & 0xFF;
            // The biased double exponent of 2^(c - 127 + shift): 1023 - 127 = 896.
            out[outOffset + j] = Double.longBitsToDouble((long) (c + 896 + shift) << 52);
            top = Math.max(top, c);
        }
        return top != 0xFF;
    }

    @Override
    public long shiftedProductSum(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB,
                                  int blockSize, int blocks, int[] shifts, int shiftBase) {
        if (DotLanes.signedByteIntegers(a) && DotLanes.signedByteIntegers(b)) {   // MXINT8: the codes themselves
            long total = 0;
            for (int j = 0; j < blocks; j++) {
                long sum = 0;
                for (int i = j * blockSize; i < (j + 1) * blockSize; i++) {
                    sum += ca[offA + i] * cb[offB + i];
                }
                total += sum << (shifts[j] - shiftBase);
            }
            return total;
        }
        long[] ia = integerTable(a);
        long[] ib = integerTable(b);
        long total = 0;
        for (int j = 0; j < blocks; j++) {
            long sum = 0;
            int first = j * blockSize;
            for (int i = 0; i < blockSize; i++) {
                long x = ia[DotLanes.code(a, ca, offA, first + i)];
                long y = ib[DotLanes.code(b, cb, offB, first + i)];
                if (x == NOT_INTEGER || y == NOT_INTEGER) {
                    return NOT_INTEGER;
                }
                sum += x * y;
            }
            total += sum << (shifts[j] - shiftBase);
        }
        return total;
    }

    private static long[] integerTable(ElementFormat f) {
        long[] t = DotLanes.integers(f);
        if (t == null) {
            throw new IllegalArgumentException("the values of " + f + " are not integer multiples of one power of two");
        }
        return t;
    }
}
