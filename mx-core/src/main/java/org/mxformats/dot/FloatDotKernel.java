package org.mxformats.dot;

import org.mxformats.format.Rounding;

/**
 * Dot product of an MX vector (element and scale formats, block size) with float32 values: the
 * real value {@code t * sum_j X_j * sum_i P_ji * x_ji}, exact or fast. Immutable, thread-safe.
 */
final class FloatDotKernel {
    private final CodeTable element;
    private final CodeTable scale;
    private final int blockSize;
    /** The widest exponent spread of one block's products that still sums exactly in a long. */
    private final int maxSpread;
    private final int accumulatorMin;
    private final int accumulatorMax;

    FloatDotKernel(Unpacked a) {
        this.element = CodeTable.of(a.element);
        this.scale = CodeTable.of(a.scale);
        this.blockSize = a.blockSize;
        // A block's products sig(P) * sig(x) have at most sigBits(P) + 24 bits; shifted onto the
        // grid of the block's least product exponent by at most `spread` bits, and k of them summed,
        // they stay below 2^(sigBits + 24 + spread + ceil(log2 k)), which fits a signed long when
        // that exponent is at most 63 (e4m3 at k = 32: 4 + 24 + 5 leaves a spread of 30 bits).
        int log2k = 32 - Integer.numberOfLeadingZeros(blockSize - 1);
        this.maxSpread = 63 - (element.significandBits + 24) - log2k;
        // A term sig(P) * sig(x) * sig(X) * 2^(eP + ex + eX): float32 values have their lowest bit
        // at 2^-149 or above and are below 2^128; the tensor scale (a float32) multiplies at the end;
        // 64 more bits hold the carries of up to 2^64 terms.
        accumulatorMin = element.lsbExponent - 149 + scale.lsbExponent - 149;
        accumulatorMax = element.topExponent + 128 + scale.topExponent + 128 + 64;
    }

    ExactAccumulator newAccumulator() {
        return new ExactAccumulator(accumulatorMin, accumulatorMax);
    }

    /**
     * The exact result rounded once. Each product {@code sig(P) * sig(x)} (at most 16 + 24 bits) is
     * exact in a long; a block's products are summed in one long when their exponents allow it, and
     * that sum (or each product) times the scale significand (up to 16 bits) is added to {@code acc}.
     */
    double exact(ExactAccumulator acc, Unpacked a, float[] x, int offset, Rounding rounding, boolean toFloat) {
        acc.reset();
        long[] productSig = new long[blockSize];
        int[] productExp = new int[blockSize];
        for (int j = 0; j < a.blocks(); j++) {
            int sc = a.scales[j] & 0xFF;
            double scaleValue = scale.value[sc];
            if (Double.isNaN(scaleValue)) {
                acc.addNaN();
                return toFloat ? Float.NaN : Double.NaN;
            }
            int base = j * blockSize;
            int len = a.blockLength(j);
            // Pass 1: every finite nonzero product as an exact (significand, exponent) pair.
            int count = 0;
            int low = Integer.MAX_VALUE;
            int high = Integer.MIN_VALUE;
            for (int i = 0; i < len; i++) {
                int c = a.codes[base + i] & 0xFF;
                float v = x[offset + base + i];
                int bits = Float.floatToRawIntBits(v);
                int biased = (bits >>> 23) & 0xFF;
                if (element.special[c] != 0 || biased == 0xFF) {
                    addSpecial(acc, element.value[c], v, scaleValue);
                    continue;
                }
                long sigP = element.significand[c];
                int fraction = bits & 0x7F_FFFF;
                if (sigP == 0 || (biased | fraction) == 0) {
                    continue;
                }
                long sigX = biased == 0 ? fraction : fraction | 1 << 23;
                int e = element.exponent[c] + (biased == 0 ? 1 : biased) - 150;
                productSig[count] = bits < 0 ? -sigP * sigX : sigP * sigX;   // < 2^(16 + 24)
                productExp[count] = e;
                count++;
                low = Math.min(low, e);
                high = Math.max(high, e);
            }
            long scaleSig = scale.significand[sc];
            if (count == 0 || scaleSig == 0) {
                continue;
            }
            int scaleExp = scale.exponent[sc];
            // Pass 2: one long sum when the exponents are close (see maxSpread), else term by term.
            if (high - low <= maxSpread) {
                long sum = 0;
                for (int t = 0; t < count; t++) {
                    sum += productSig[t] << (productExp[t] - low);
                }
                acc.addProductTerm(sum, scaleSig, low + scaleExp);
            } else {
                for (int t = 0; t < count; t++) {
                    acc.addProductTerm(productSig[t], scaleSig, productExp[t] + scaleExp);
                }
            }
        }
        return BlockDotKernel.finish(acc, a.tensorScale, () -> allProductsNegativeZero(a, x, offset), rounding, toFloat);
    }

    /** A product with a NaN or infinite factor (the scale is not NaN). */
    private static void addSpecial(ExactAccumulator acc, double p, float v, double scaleValue) {
        if (Double.isNaN(p) || Float.isNaN(v) || p == 0 || v == 0 || scaleValue == 0) {
            acc.addNaN();
        } else {
            acc.addInfinity((p < 0) != (v < 0));
        }
    }

    private boolean allProductsNegativeZero(Unpacked a, float[] x, int offset) {
        if (a.length == 0) {
            return false;   // an empty sum is +0
        }
        for (int i = 0; i < a.length; i++) {
            int c = a.codes[i] & 0xFF;
            float v = x[offset + i];
            boolean zero = element.value[c] == 0 || v == 0;
            if (!zero || element.negative[c] == (Float.floatToRawIntBits(v) < 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The fast result: in double, {@code s_j = ((-0 + P_1 x_1) + P_2 x_2) + ...} in index order,
     * {@code total = ((-0 + s_1 X_1) + s_2 X_2) + ...}, times the tensor scale, rounded once to
     * the result format. Each product {@code P x} is exact in double (at most 16 + 24 significant
     * bits; no overflow or underflow for formats whose values lie in 2^-900 .. 2^850). Starting the
     * sums at -0 makes IEEE arithmetic give the contract's signed zeros and NaN/Inf results.
     */
    double fast(Unpacked a, float[] x, int offset, Rounding rounding, boolean toFloat) {
        if (a.length == 0) {
            return 0.0;   // an empty sum is +0
        }
        double[] value = element.value;
        double total = -0.0;
        for (int j = 0; j < a.blocks(); j++) {
            double s = -0.0;
            int base = j * blockSize;
            int len = a.blockLength(j);
            for (int i = 0; i < len; i++) {
                s += value[a.codes[base + i] & 0xFF] * x[offset + base + i];
            }
            total += s * scale.value[a.scales[j] & 0xFF];
        }
        if (a.tensorScale != 1) {
            total *= a.tensorScale;
        }
        if (toFloat) {
            return ExactAccumulator.roundToFloat(total, rounding);
        }
        return total;
    }
}
