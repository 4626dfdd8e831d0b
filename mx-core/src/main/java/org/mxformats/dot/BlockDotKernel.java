package org.mxformats.dot;

import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;
import org.mxformats.simd.Kernels;

/**
 * The exact MX block dot product for one pairing of element and scale formats and a block size:
 * adds {@code X_A * X_B * sum_i P_Ai * P_Bi} of one block to an {@link ExactAccumulator}, with the
 * contract's NaN/Inf rules. Codes come one per byte (as {@code MxArray.unpackBlock} writes them).
 * Immutable and thread-safe; the accumulators it makes are not.
 *
 * <p>The block sum is formed in the cheapest exact integer form the formats allow, chosen once:
 * <ul>
 * <li>{@link Tier#LONG}: every finite element value is {@code I * 2^lsb} with a fixed-point integer
 *   {@code |I| < 2^bits}. With {@code bitsA + bitsB + ceil(log2 k) <= 63}, each product is below
 *   {@code 2^(bitsA + bitsB)} and the sum of at most k of them is below
 *   {@code k * 2^(bitsA + bitsB) <= 2^63}: the block sum is exact in a signed long. This holds for
 *   every OCP format pairing except those with e5m2 (bits: e4m3 18, e3m2 9, e2m3 6, e2m1 4,
 *   int8 8, e3m4 10, e5m2 32) at k = 32 (e4m3 x e4m3: 18 + 18 + 5 = 41).</li>
 * <li>{@link Tier#INT128}: the same integers with {@code bitsA + bitsB + ceil(log2 k) <= 127}: the
 *   products (up to 124 bits, from {@code Math.multiplyHigh}) are summed in a signed 128-bit pair
 *   of longs, exact by the same argument (e5m2 x e5m2 at k = 32: 32 + 32 + 5 = 69).</li>
 * <li>{@link Tier#PER_ELEMENT}: formats of very wide range (user formats): every product
 *   {@code sA * sB * 2^(eA + eB)} of odd significands (at most 16 bits each) goes straight into the
 *   exact accumulator.</li>
 * </ul>
 * The block sum S is then added as {@code S * sig(X_A) * sig(X_B) * 2^(...)}, where the scale
 * significands have at most 16 bits each, so the multiplier is below 2^32 and the 128-bit (or
 * 160-bit, split in two) product is exact. Across blocks the accumulator widens to its full range.
 */
final class BlockDotKernel {
    /** How a block's element products are summed; see the class comment. */
    enum Tier { LONG, INT128, PER_ELEMENT }

    private final ElementFormat elementA;
    private final ElementFormat elementB;
    private final CodeTable a;
    private final CodeTable b;
    private final CodeTable scaleA;
    private final CodeTable scaleB;
    private final int blockSize;
    private final Tier tier;
    private final int integerExponent;   // lsbA + lsbB: the exponent of one unit of the integer block sum
    private final double toInteger;      // 2^-integerExponent (exact), or 0 when that is not a normal double
    // Per scale code: the exponent of a power-of-two scale, else NOT_A_POWER_OF_TWO (NaN, zero, or
    // a significand above 1), so that one sum of two lookups tells both.
    private final int[] powerExponentA;
    private final int[] powerExponentB;
    private static final int NOT_A_POWER_OF_TWO = -(1 << 30);
    private final int maxBlockSumBits;   // bits of the largest |block sum| in integer units, or 0 when
                                         // Kernels.shiftedProductSum does not count in this kernel's units
    private final boolean e8m0Scales;    // both scale tables: exponent c - 127 for every code but NaN 255
    private final int accumulatorMin;
    private final int accumulatorMax;

    /**
     * @param tensorScales whether the result will be multiplied by per-tensor float32 scales (the
     *                     accumulator's range then includes their exponents)
     */
    BlockDotKernel(ElementFormat elemA, ElementFormat scaleFormatA, ElementFormat elemB, ElementFormat scaleFormatB,
                   int blockSize, boolean tensorScales) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size " + blockSize + " must be >= 1");
        }
        this.elementA = elemA;
        this.elementB = elemB;
        this.a = CodeTable.of(elemA);
        this.b = CodeTable.of(elemB);
        this.scaleA = CodeTable.of(scaleFormatA);
        this.scaleB = CodeTable.of(scaleFormatB);
        this.blockSize = blockSize;
        int log2k = 32 - Integer.numberOfLeadingZeros(blockSize - 1);   // ceil(log2 k)
        int productBits = a.integerBits + b.integerBits + log2k;
        if (a.integer != null && b.integer != null && productBits <= 63) {
            tier = Tier.LONG;
        } else if (a.integer != null && b.integer != null && productBits <= 127) {
            tier = Tier.INT128;
        } else {
            tier = Tier.PER_ELEMENT;
        }
        integerExponent = a.lsbExponent + b.lsbExponent;
        toInteger = Math.abs(integerExponent) < 1000 ? Math.scalb(1.0, -integerExponent) : 0;
        powerExponentA = powerExponents(scaleA);
        powerExponentB = powerExponents(scaleB);
        boolean sameUnits = Kernels.integerLsbExponent(elemA) == a.lsbExponent
                && Kernels.integerLsbExponent(elemB) == b.lsbExponent;
        maxBlockSumBits = tier == Tier.LONG && sameUnits
                ? 64 - Long.numberOfLeadingZeros(blockSize * maxMagnitude(a.integer) * maxMagnitude(b.integer)) : 0;
        e8m0Scales = isE8m0(powerExponentA) && isE8m0(powerExponentB);
        // Every term added is a block sum times the scale product: its lowest bit is at least
        // lsbA + lsbB + lsbXA + lsbXB and its magnitude below 2^(topA + topB + log2k + topXA + topXB).
        // float32 tensor scales span 2^-149 .. 2^128 each and multiply the whole sum at the end.
        int tensorLow = tensorScales ? 2 * -149 : 0;
        int tensorHigh = tensorScales ? 2 * 128 : 0;
        accumulatorMin = a.lsbExponent + b.lsbExponent + scaleA.lsbExponent + scaleB.lsbExponent + tensorLow;
        // 64 more bits: the sum of up to 2^64 such terms, which multiplyBy re-adds digit by digit.
        accumulatorMax = a.topExponent + b.topExponent + log2k + scaleA.topExponent + scaleB.topExponent + tensorHigh + 64;
    }

    /** The largest magnitude in an integer table (specials are 0 there). */
    private static long maxMagnitude(long[] integers) {
        long max = 0;
        for (long v : integers) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static boolean isE8m0(int[] powerExponents) {
        for (int c = 0; c < 255; c++) {
            if (powerExponents[c] != c - 127) {
                return false;
            }
        }
        return powerExponents[255] == NOT_A_POWER_OF_TWO;
    }

    private static int[] powerExponents(CodeTable scale) {
        int[] out = new int[256];   // every byte: codes beyond the format never reach here, but fill them safely
        java.util.Arrays.fill(out, NOT_A_POWER_OF_TWO);
        for (int c = 0; c < Math.min(256, scale.significand.length); c++) {
            if (scale.significand[c] == 1 && Math.abs(scale.exponent[c]) < 1 << 20) {
                out[c] = scale.exponent[c];
            }
        }
        return out;
    }

    Tier tier() {
        return tier;
    }

    int blockSize() {
        return blockSize;
    }

    /** A fresh accumulator whose range holds every term and result of this kernel. */
    ExactAccumulator newAccumulator() {
        return new ExactAccumulator(accumulatorMin, accumulatorMax);
    }

    /**
     * Adds one block: {@code len} codes of A from {@code ca[offA..]} and of B from {@code cb[offB..]}
     * with scale codes {@code sa}, {@code sb}.
     */
    void addBlock(ExactAccumulator acc, int sa, byte[] ca, int offA, int sb, byte[] cb, int offB, int len) {
        double xa = scaleA.value[sa];
        double xb = scaleB.value[sb];
        if (Double.isNaN(xa) || Double.isNaN(xb)) {
            acc.addNaN();
            return;
        }
        long scaleSignificand = scaleA.significand[sa] * scaleB.significand[sb];   // < 2^32: 16-bit significands
        int scaleExponent = scaleA.exponent[sa] + scaleB.exponent[sb];
        boolean specials;
        switch (tier) {
            case LONG: {
                long[] ia = a.integer;
                long[] ib = b.integer;
                byte[] fa = a.special;
                byte[] fb = b.special;
                long sum = 0;
                int flags = 0;
                for (int i = 0; i < len; i++) {
                    int x = ca[offA + i] & 0xFF;
                    int y = cb[offB + i] & 0xFF;
                    sum += ia[x] * ib[y];
                    flags |= fa[x] | fb[y];
                }
                specials = flags != 0;
                if (scaleSignificand != 0) {
                    acc.addProductTerm(sum, scaleSignificand, integerExponent + scaleExponent);
                }
                break;
            }
            case INT128: {
                long[] ia = a.integer;
                long[] ib = b.integer;
                byte[] fa = a.special;
                byte[] fb = b.special;
                long hi = 0;
                long lo = 0;
                int flags = 0;
                for (int i = 0; i < len; i++) {
                    int x = ca[offA + i] & 0xFF;
                    int y = cb[offB + i] & 0xFF;
                    long p = ia[x] * ib[y];
                    long nlo = lo + p;
                    hi += Math.multiplyHigh(ia[x], ib[y]) + (Long.compareUnsigned(nlo, lo) < 0 ? 1 : 0);
                    lo = nlo;
                    flags |= fa[x] | fb[y];
                }
                specials = flags != 0;
                if (scaleSignificand != 0) {
                    acc.addWideProductTerm(hi, lo, scaleSignificand, integerExponent + scaleExponent);
                }
                break;
            }
            default: {
                int flags = 0;
                for (int i = 0; i < len; i++) {
                    int x = ca[offA + i] & 0xFF;
                    int y = cb[offB + i] & 0xFF;
                    flags |= a.special[x] | b.special[y];
                    if (scaleSignificand != 0) {
                        acc.addProductTerm(a.significand[x] * b.significand[y], scaleSignificand,
                                a.exponent[x] + b.exponent[y] + scaleExponent);
                    }
                }
                specials = flags != 0;
            }
        }
        if (specials) {
            addSpecials(acc, xa == 0 || xb == 0, ca, offA, cb, offB, len);
        }
    }

    /** The NaN and infinite products of a block whose finite products were already added. */
    /**
     * {@link #addBlock} for a block of the {@link Tier#LONG} tier whose exact, finite sum of value
     * products is known (from the simd kernels): the same integer term.
     */
    void addBlockSum(ExactAccumulator acc, int sa, int sb, double productSum) {
        if (Double.isNaN(scaleA.value[sa]) || Double.isNaN(scaleB.value[sb])) {
            acc.addNaN();
            return;
        }
        long scaleSignificand = scaleA.significand[sa] * scaleB.significand[sb];
        if (scaleSignificand != 0) {
            long sum = (long) Math.scalb(productSum, -integerExponent);   // exact: an integer below 2^53
            acc.addProductTerm(sum, scaleSignificand, integerExponent + scaleA.exponent[sa] + scaleB.exponent[sb]);
        }
    }

    /**
     * A running exact sum {@code value * 2^(lsbA + lsbB + exponent)} of block sums times their
     * power-of-two scales (a long shifted onto the least scale exponent seen); empty while
     * {@code value} is 0. Mutable: one per call.
     */
    static final class ScaledSum {
        long value;
        int exponent;
        int groupLow;    // scratch: the current group's least and greatest scale exponent sums
        int groupHigh;
    }

    /**
     * {@link #addBlockSum} for {@code count} blocks at once (scale codes from {@code scalesA[offA]}
     * and {@code scalesB[offB]}, exact finite sums {@code sums[0 .. count)}) into {@code into}, when
     * every scale is a power of two, every sum finite and the new total, on the least exponent,
     * provably stays below 2^62 in magnitude: each shifted block sum is below
     * {@code 2^(bits(max |S|) + high - low)}, the old total below {@code 2^(bits(|old|) + its shift)},
     * and {@code count + 1 <= 2^bits(count)} such terms sum below 2^62 when the exponents add up to
     * at most 62. Returns false, changing nothing, otherwise. {@code exponents} is scratch space
     * for {@code count} ints.
     */
    private boolean addPowerOfTwoScaledSums(ScaledSum into, byte[] scalesA, int offA, byte[] scalesB, int offB, double[] sums,
                                    int count, int[] exponents) {
        if (toInteger == 0 || !powerOfTwoExponents(into, scalesA, offA, scalesB, offB, count, exponents)) {
            return false;
        }
        double maxMagnitude = 0;
        for (int j = 0; j < count; j++) {
            maxMagnitude = Math.max(maxMagnitude, Math.abs(sums[j]));   // NaN stays NaN
        }
        if (!(maxMagnitude * toInteger < 0x1p53)) {   // NaN or infinite sums
            return false;
        }
        int newLow = shiftedLow(into, 64 - Long.numberOfLeadingZeros((long) (maxMagnitude * toInteger)), count);
        if (newLow == Integer.MIN_VALUE) {
            return false;
        }
        long total = into.value == 0 ? 0 : into.value << (into.exponent - newLow);
        for (int j = 0; j < count; j++) {
            total += (long) (sums[j] * toInteger) << (exponents[j] - newLow);   // exact: an integer below 2^53
        }
        into.value = total;
        into.exponent = newLow;
        return true;
    }

    /**
     * {@link #addPowerOfTwoScaledSums}, or where its scales are not all powers of two
     * {@link #addShortScaledSums}: the block sums into the running long, or false (nothing changed).
     */
    boolean addScaledSums(ScaledSum into, byte[] scalesA, int offA, byte[] scalesB, int offB, double[] sums,
                          int count, int[] exponents, long[] multipliers) {
        return addPowerOfTwoScaledSums(into, scalesA, offA, scalesB, offB, sums, count, exponents)
                || addShortScaledSums(into, scalesA, offA, scalesB, offB, sums, count, exponents, multipliers);
    }

    /**
     * {@link #addPowerOfTwoScaledSums} for scales that are not all powers of two (UE4M3, UE5M3):
     * each scale value is an odd significand times a power of two ({@link CodeTable}), so block j
     * adds the integer {@code S_j * sigA * sigB} shifted by {@code eA + eB}, into the running long
     * while that provably stays below 2^62 (the same argument, with the largest
     * {@code |S_j| sigA sigB}, rounded up by a bit, in place of the largest |S_j|). False, changing
     * nothing, when a scale is NaN or infinite, a sum is not finite, or the total might not fit.
     * {@code exponents} and {@code multipliers} are scratch space for {@code count} entries.
     */
    private boolean addShortScaledSums(ScaledSum into, byte[] scalesA, int offA, byte[] scalesB, int offB, double[] sums,
                               int count, int[] exponents, long[] multipliers) {
        if (toInteger == 0 || count == 0) {
            return false;
        }
        int low = Integer.MAX_VALUE;
        int high = Integer.MIN_VALUE;
        double largest = 0;
        for (int j = 0; j < count; j++) {
            int ca = scalesA[offA + j] & 0xFF;
            int cb = scalesB[offB + j] & 0xFF;
            if (ca >= scaleA.value.length || cb >= scaleB.value.length || !Double.isFinite(scaleA.value[ca])
                    || !Double.isFinite(scaleB.value[cb]) || !Double.isFinite(sums[j])) {
                return false;   // NaN/Inf scales and special elements: the accumulator applies the rules
            }
            long m = scaleA.significand[ca] * scaleB.significand[cb];   // 0 for a zero scale
            multipliers[j] = m;
            if (m == 0) {
                continue;
            }
            int e = scaleA.exponent[ca] + scaleB.exponent[cb];
            exponents[j] = e;
            low = Math.min(low, e);
            high = Math.max(high, e);
            largest = Math.max(largest, Math.abs(sums[j]) * toInteger * Math.abs(m));
        }
        if (low == Integer.MAX_VALUE) {
            return true;   // every block scaled by zero: nothing to add
        }
        if (!(largest < 0x1p60)) {
            return false;
        }
        into.groupLow = low;
        into.groupHigh = high;
        // Bits of the largest term, one more than its double estimate shows (that product may round down).
        int bits = largest == 0 ? 0 : Math.getExponent(largest) + 2;
        int newLow = shiftedLow(into, bits, count);
        if (newLow == Integer.MIN_VALUE) {
            return false;
        }
        long total = into.value == 0 ? 0 : into.value << (into.exponent - newLow);
        for (int j = 0; j < count; j++) {
            if (multipliers[j] != 0) {   // exact: |S_j sigA sigB| < 2^bits <= 2^62
                total += ((long) (sums[j] * toInteger) * multipliers[j]) << (exponents[j] - newLow);
            }
        }
        into.value = total;
        into.exponent = newLow;
        return true;
    }

    /**
     * {@link #addPowerOfTwoScaledSums} with the block sums shifted and added by
     * {@link Kernels#shiftedProductSum} (no per-block sums), when that kernel counts in this
     * kernel's integer units: the bound uses the largest possible block sum
     * ({@code k * max|A| * max|B|}), so every partial sum of the kernel, in any order, is below 2^62
     * as well. Codes from {@code ca[offA]} and {@code cb[offB]} as MX stores them (4-bit codes two
     * per byte). Returns false,
     * changing nothing, when the bound or the scales do not allow it or a code is a NaN or an
     * infinity.
     */
    boolean addPowerOfTwoScaledProducts(ScaledSum into, Kernels kernels, byte[] ca, int offA, byte[] cb, int offB,
                                        byte[] scalesA, int scaleOffA, byte[] scalesB, int scaleOffB, int count,
                                        int[] exponents) {
        if (maxBlockSumBits == 0
                || !powerOfTwoExponents(into, scalesA, scaleOffA, scalesB, scaleOffB, count, exponents)) {
            return false;
        }
        int newLow = shiftedLow(into, maxBlockSumBits, count);
        if (newLow == Integer.MIN_VALUE) {
            return false;
        }
        long sum = kernels.shiftedProductSum(elementA, ca, offA, elementB, cb, offB, blockSize, count, exponents, newLow);
        if (sum == Kernels.NOT_INTEGER) {
            return false;
        }
        long old = into.value == 0 ? 0 : into.value << (into.exponent - newLow);
        into.value = old + sum;
        into.exponent = newLow;
        return true;
    }

    /**
     * The exact sum of one group of whole blocks with UE8M0 scales on both sides, rounded once
     * (tensor scales 1): what {@link #addPowerOfTwoScaledProducts} into an empty running sum and
     * then {@link #round} give, without the running sum (a short call spent a third of its time on
     * the general path's set-up). NaN when that path would not take the call: a scale that is
     * not UE8M0 or is NaN, a total that might reach 2^62, a NaN or infinite code, or an exact sum
     * of zero (the signed-zero rules stay with the caller); a taken call's result is never NaN.
     * Codes as MX stores them, {@code exponents} scratch space for {@code count} ints.
     */
    double roundE8m0Group(Kernels kernels, byte[] ca, int offA, byte[] cb, int offB, byte[] scalesA, int scaleOffA,
                          byte[] scalesB, int scaleOffB, int count, int[] exponents, Rounding rounding,
                          boolean toFloat) {
        if (maxBlockSumBits == 0 || !e8m0Scales || count == 0) {
            return Double.NaN;
        }
        long range = kernels.e8m0ExponentSums(scalesA, scaleOffA, scalesB, scaleOffB, count, exponents);
        if (range == Kernels.NAN_SCALE) {
            return Double.NaN;
        }
        int low = (int) (range >> 32);
        int high = (int) range;
        // shiftedLow's bound for an empty running sum: each shifted block sum below 2^(bits + high - low).
        if (mayReach2to62((long) maxBlockSumBits + high - low, count)) {
            return Double.NaN;
        }
        long sum = kernels.shiftedProductSum(elementA, ca, offA, elementB, cb, offB, blockSize, count, exponents, low);
        if (sum == Kernels.NOT_INTEGER || sum == 0) {
            return Double.NaN;
        }
        return ExactAccumulator.roundScaledProduct(sum, integerExponent + low, 1.0, rounding, toFloat);
    }

    /**
     * Writes each block's scale exponent sum to {@code exponents} and their least and greatest to
     * {@code into.groupLow/groupHigh}; false if a scale is not a power of two (or count is 0).
     */
    private boolean powerOfTwoExponents(ScaledSum into, byte[] scalesA, int offA, byte[] scalesB, int offB, int count,
                                        int[] exponents) {
        int low = Integer.MAX_VALUE;
        int high = Integer.MIN_VALUE;
        if (e8m0Scales) {   // exponent = code - 127 (no lookups); the NaN code 255 is marked in low
            long range = count > 0 ? Kernels.get().e8m0ExponentSums(scalesA, offA, scalesB, offB, count, exponents)
                    : Kernels.NAN_SCALE;
            low = range == Kernels.NAN_SCALE ? NOT_A_POWER_OF_TWO : (int) (range >> 32);
            high = (int) range;
        } else {
            for (int j = 0; j < count; j++) {
                int e = powerExponentA[scalesA[offA + j] & 0xFF] + powerExponentB[scalesB[offB + j] & 0xFF];
                exponents[j] = e;
                low = Math.min(low, e);
                high = Math.max(high, e);
            }
        }
        into.groupLow = low;
        into.groupHigh = high;
        // A scale that is not a power of two drags low below -2^29.
        return count > 0 && low >= NOT_A_POWER_OF_TWO / 2;
    }

    /**
     * The exponent both the running sum and the group's terms are shifted onto, or
     * {@code Integer.MIN_VALUE} when the new total might not stay below 2^62: each shifted term is
     * below {@code 2^(bits + groupHigh - low)}, the old total below {@code 2^(bits(|old|) + its
     * shift)}, and {@code count + 1 <= 2^bits(count)} such terms sum below 2^62 when the widest
     * plus {@code bits(count)} is at most 62.
     */
    private static int shiftedLow(ScaledSum into, int bits, int count) {
        int newLow = into.value == 0 ? into.groupLow : Math.min(into.groupLow, into.exponent);
        long widest = (long) bits + into.groupHigh - newLow;
        if (into.value != 0) {
            long old = into.value < 0 ? -into.value : into.value;
            widest = Math.max(widest, (long) (64 - Long.numberOfLeadingZeros(old)) + into.exponent - newLow);
        }
        return mayReach2to62(widest, count) ? Integer.MIN_VALUE : newLow;
    }

    /** Whether {@code count + 1} terms each below {@code 2^widest} might sum to {@code 2^62} or more. */
    private static boolean mayReach2to62(long widest, int count) {
        return widest + (32 - Integer.numberOfLeadingZeros(count)) > 62;
    }

    /** Moves the running sum into the accumulator (exact: one integer term) and empties it. */
    void flush(ScaledSum from, ExactAccumulator acc) {
        if (from.value != 0) {
            acc.addProductTerm(from.value, 1, integerExponent + from.exponent);
            from.value = 0;
        }
    }

    /**
     * The nonzero running sum times a finite nonzero factor (1, or the product of two float tensor
     * scales, exact in double) rounded once, as {@link #finish} rounds an accumulator holding the
     * sum after {@code multiplyBy(factor)}.
     */
    double round(ScaledSum sum, double factor, Rounding rounding, boolean toFloat) {
        return ExactAccumulator.roundScaledProduct(sum.value, integerExponent + sum.exponent, factor, rounding, toFloat);
    }

    private void addSpecials(ExactAccumulator acc, boolean zeroScale, byte[] ca, int offA, byte[] cb, int offB, int len) {
        for (int i = 0; i < len; i++) {
            int x = ca[offA + i] & 0xFF;
            int y = cb[offB + i] & 0xFF;
            if (a.special[x] == 0 && b.special[y] == 0) {
                continue;
            }
            double p = a.value[x];
            double q = b.value[y];
            if (Double.isNaN(p) || Double.isNaN(q) || p == 0 || q == 0 || zeroScale) {
                acc.addNaN();   // NaN, or Inf * 0 (a zero scale included)
            } else {
                acc.addInfinity(a.negative[x] != b.negative[y]);
            }
        }
    }

    /**
     * Whether every element product of the given codes is a negative zero (the contract's rule for
     * the sign of an exactly zero result). Only needed when the exact sum is zero.
     */
    boolean allProductsNegativeZero(byte[] ca, int offA, byte[] cb, int offB, int len) {
        if (len == 0) {
            return false;   // an empty sum is +0
        }
        for (int i = 0; i < len; i++) {
            int x = ca[offA + i] & 0xFF;
            int y = cb[offB + i] & 0xFF;
            boolean zero = a.value[x] == 0 || b.value[y] == 0;
            if (!zero || a.negative[x] == b.negative[y]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The final result: the accumulator's exact value times the tensor scales, rounded once.
     * {@code negativeZero} says whether every element product was -0 (asked only for a zero sum).
     */
    static double finish(ExactAccumulator acc, double tensorScale, java.util.function.BooleanSupplier negativeZero,
                         Rounding rounding, boolean toFloat) {
        if (tensorScale != 1) {
            acc.multiplyBy(tensorScale);
        }
        if (!acc.isNaN() && !acc.isInfinite() && acc.isExactZero()) {
            return negativeZero.getAsBoolean() ? -0.0 : 0.0;
        }
        return toFloat ? acc.toFloat(rounding) : acc.toDouble(rounding);
    }
}
