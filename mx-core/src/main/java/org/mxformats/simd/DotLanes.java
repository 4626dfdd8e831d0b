package org.mxformats.simd;

import org.mxformats.format.ElementFormat;

/**
 * The fixed summation order of the fast dot products, which every kernel follows so that the
 * scalar and vector kernels give the same bits on every machine.
 *
 * <p>All arithmetic is in double and every product {@code value * x} of a float element value and a
 * float is exact. When the block size is a multiple of {@value #CHUNK}, the elements are spread over
 * {@value #LANES} accumulators. A chunk of 32 consecutive elements of a block gives each lane
 * {@code L} two elements, "part 0" and "part 1": elements {@code L} and {@code L + 16} for formats
 * stored one code per byte, elements {@code 2L} and {@code 2L + 1} (the low and high nibble of byte
 * {@code L}) for 4-bit formats. Within a block, lane sum {@code s[L]} starts at -0 and adds the
 * part 0 product, then the part 1 product, chunk by chunk; then {@code acc[L] += s[L] * X} (X the
 * block's scale value, acc starting at -0) block by block. At the end lanes are folded pairwise,
 * {@code acc[L] += acc[L + w]} for w = 8, 4, 2, 1, and {@code acc[0]} is the result.
 *
 * <p>Other block sizes use one accumulator: within a block {@code s += value * x} element by
 * element from -0, then {@code acc += s * X}. Every term passes through at most
 * {@code k + blocks} roundings either way.
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

    /** See {@link Kernels#exactProductSumBits}. */
    static int spanBits(ElementFormat a, ElementFormat b, int length) {
        int log2Length = 32 - Integer.numberOfLeadingZeros(Math.max(length, 1) - 1);
        int top = a.emax() + 1 + b.emax() + 1 + log2Length;
        int low = Math.getExponent(a.minSubnormal()) + Math.getExponent(b.minSubnormal());
        return top - low;
    }

    /** See {@link Kernels#laneOrder}. */
    static float[] laneOrder(ElementFormat element, int blockSize, float[] x, int offset, int length) {
        float[] out = new float[length];
        if (!(nibbles(element) && lanes(blockSize))) {
            System.arraycopy(x, offset, out, 0, length);
            return out;
        }
        for (int chunk = 0; chunk < length; chunk += CHUNK) {
            for (int l = 0; l < LANES; l++) {
                out[chunk + l] = x[offset + chunk + 2 * l];
                out[chunk + LANES + l] = x[offset + chunk + 2 * l + 1];
            }
        }
        return out;
    }
}
