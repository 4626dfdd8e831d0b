package org.mxformats.dot;

import java.util.Arrays;
import java.util.Objects;
import org.mxformats.format.Rounding;

/**
 * An exact (Kulisch-style) accumulator: a long fixed-point number that holds a sum of
 * {@code double} values and of exact products of two doubles with no rounding at all, and rounds
 * the held value once, to {@code double} or {@code float}, under any deterministic {@link Rounding}.
 *
 * <p><b>Range.</b> The default accumulator covers every {@code double} and every exact product of
 * two doubles: terms that are integer multiples of {@code 2^-2148} (the square of the least
 * subnormal, {@code 2^-1074}) below {@code 2^2048} (the square of the overflow threshold
 * {@code 2^1024}) in magnitude. {@link #ExactAccumulator(int, int)} builds a narrower (cheaper) or
 * wider one; a term outside the range is rejected with an {@link IllegalArgumentException}. The
 * held sum itself may grow beyond {@code 2^maxExponent}: one extra 32-bit digit above the range
 * and a signed 64-bit top digit absorb the carries of up to {@code 2^62} additions.
 *
 * <p><b>Representation.</b> The value is {@code sum(d[k] * 2^(32k + minExponent))} over signed
 * 64-bit "digits" that hold 32 bits each once normalized. An addition touches at most five
 * neighbouring digits and never propagates a carry; carries are propagated ("normalized") before
 * a rounding, a merge, or after {@value #ADDS_BEFORE_NORMALIZE} additions, which is far below the
 * {@code 2^30} additions a digit can absorb (each addition adds less than {@code 2^33} to a digit
 * of magnitude below {@code 2^32} after normalizing, and {@code 2^32 + 2^30 * 2^33 < 2^63}).
 * Because the held value is the exact sum, results never depend on the order of additions (or on
 * how work was split and {@link #merge merged}).
 *
 * <p><b>Special values</b> follow the MX dot contract and IEEE 754: any NaN term, an
 * {@code Inf * 0} product or a sum holding both {@code +Inf} and {@code -Inf} gives NaN; otherwise
 * an infinite term gives that infinity (in every rounding mode: infinities are exact). <b>Zero:</b>
 * an exactly zero sum is {@code +0} in every rounding mode, except {@code -0} when every term
 * added was a negative zero (IEEE's rule for sums of zeros, and the contract's rule for dot
 * products; note that IEEE's {@code x + (-x) = -0} under {@code RDN} is deliberately not
 * followed: the exact sum has no sign). A nonzero sum that rounds to zero keeps its sign.
 *
 * <p>Instances are mutable and not thread-safe: use one per thread and {@link #merge} them.
 */
public final class ExactAccumulator {
    /** The default least exponent: products of two least subnormals, {@code 2^-1074 * 2^-1074}. */
    public static final int DEFAULT_MIN_EXPONENT = -2148;
    /** The default bound: products of two doubles are below {@code 2^1024 * 2^1024}. */
    public static final int DEFAULT_MAX_EXPONENT = 2048;

    private static final int DIGIT_BITS = 32;
    private static final long DIGIT_MASK = 0xFFFF_FFFFL;
    /** Additions between carry propagations; see the class comment for why this is safe. */
    private static final int ADDS_BEFORE_NORMALIZE = 1 << 29;

    private final int minExponent;
    private final int maxExponent;
    private final long[] digits;
    /** Digits outside [lowTouched, highTouched] are zero; empty when lowTouched > highTouched. */
    private int lowTouched;
    private int highTouched;
    private int pendingAdds;

    private boolean nan;
    private boolean positiveInfinity;
    private boolean negativeInfinity;
    private boolean anyTerm;
    private boolean allNegativeZero = true;

    /** An accumulator for any sum of doubles and of exact products of two doubles. */
    public ExactAccumulator() {
        this(DEFAULT_MIN_EXPONENT, DEFAULT_MAX_EXPONENT);
    }

    /**
     * An accumulator for terms that are integer multiples of {@code 2^minExponent} with magnitude
     * below {@code 2^maxExponent}.
     *
     * @throws IllegalArgumentException if {@code maxExponent <= minExponent} or the span exceeds
     *                                  {@code 2^20} bits
     */
    public ExactAccumulator(int minExponent, int maxExponent) {
        long span = (long) maxExponent - minExponent;
        if (span <= 0 || span > 1 << 20) {
            throw new IllegalArgumentException("accumulator range 2^" + minExponent + " .. 2^" + maxExponent
                    + ": maxExponent must exceed minExponent by 1 to 2^20 bits");
        }
        this.minExponent = minExponent;
        this.maxExponent = maxExponent;
        // ceil(span / 32) digits hold every term; one more, signed, holds carries and the sign.
        this.digits = new long[(int) ((span + DIGIT_BITS - 1) / DIGIT_BITS) + 1];
        this.lowTouched = digits.length;
        this.highTouched = -1;
    }

    /** The least exponent of the range: every term must be an integer multiple of 2 to this power. */
    public int minExponent() {
        return minExponent;
    }

    /** The exclusive bound of the range: every term must be below 2 to this power in magnitude. */
    public int maxExponent() {
        return maxExponent;
    }

    /** Empties the accumulator: value +0, no term seen, no NaN or infinity. */
    public void reset() {
        clearDigits();
        nan = false;
        positiveInfinity = false;
        negativeInfinity = false;
        anyTerm = false;
        allNegativeZero = true;
    }

    // ---- Adding ----------------------------------------------------------------------------------

    /**
     * Adds a double exactly.
     *
     * @throws IllegalArgumentException if x is finite and outside this accumulator's range
     */
    public void add(double x) {
        long bits = Double.doubleToRawLongBits(x);
        boolean negative = bits < 0;
        int biased = (int) (bits >>> 52) & 0x7FF;
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        if (biased == 0x7FF) {
            noteSpecial(fraction != 0, negative);
            return;
        }
        noteZeroSign(fraction == 0 && biased == 0 && negative);
        if (biased == 0 && fraction == 0) {
            return;
        }
        long significand = biased == 0 ? fraction : fraction | 1L << 52;
        int exponent = (biased == 0 ? 1 : biased) - 1075;
        addMagnitude(0, significand, exponent, negative);
    }

    /**
     * Adds a float exactly (the same as {@code add((double) x)}).
     *
     * @throws IllegalArgumentException if x is finite and outside this accumulator's range
     */
    public void add(float x) {
        add((double) x);
    }

    /**
     * Adds the exact product {@code a * b} (not rounded). NaN if either is NaN or the product is
     * {@code Inf * 0}; an infinity if one factor is infinite and the other nonzero; the sign of a
     * zero product is the exclusive or of the factors' signs.
     *
     * @throws IllegalArgumentException if the product is finite and outside this accumulator's range
     */
    public void addProduct(double a, double b) {
        long ba = Double.doubleToRawLongBits(a);
        long bb = Double.doubleToRawLongBits(b);
        boolean negative = (ba ^ bb) < 0;
        int ea = (int) (ba >>> 52) & 0x7FF;
        int eb = (int) (bb >>> 52) & 0x7FF;
        long fa = ba & 0xF_FFFF_FFFF_FFFFL;
        long fb = bb & 0xF_FFFF_FFFF_FFFFL;
        boolean zeroA = ea == 0 && fa == 0;
        boolean zeroB = eb == 0 && fb == 0;
        if (ea == 0x7FF || eb == 0x7FF) {
            boolean nanFactor = (ea == 0x7FF && fa != 0) || (eb == 0x7FF && fb != 0);
            noteSpecial(nanFactor || zeroA || zeroB, negative);
            return;
        }
        noteZeroSign((zeroA || zeroB) && negative);
        if (zeroA || zeroB) {
            return;
        }
        long sa = ea == 0 ? fa : fa | 1L << 52;
        long sb = eb == 0 ? fb : fb | 1L << 52;
        int exponent = (ea == 0 ? 1 : ea) + (eb == 0 ? 1 : eb) - 2 * 1075;
        addMagnitude(Math.multiplyHigh(sa, sb), sa * sb, exponent, negative);
    }

    /**
     * Adds {@code value * 2^exponent} exactly. A zero value counts as a {@code +0} term.
     *
     * @throws IllegalArgumentException if the term is outside this accumulator's range
     */
    public void addScaled(long value, int exponent) {
        noteZeroSign(false);
        addScaledTerm(value, exponent);
    }

    /**
     * Adds {@code a * b * 2^exponent} exactly (the product of the two longs is formed in 128 bits).
     * A zero product counts as a {@code +0} term.
     *
     * @throws IllegalArgumentException if the term is outside this accumulator's range
     */
    public void addProduct(long a, long b, int exponent) {
        noteZeroSign(false);
        addProductTerm(a, b, exponent);
    }

    /** {@link #addScaled} without touching the zero-sign bookkeeping (the caller decides it). */
    void addScaledTerm(long value, int exponent) {
        if (value != 0) {
            // Long.MIN_VALUE negates to itself, which read as unsigned is the right magnitude 2^63.
            addMagnitude(0, value < 0 ? -value : value, exponent, value < 0);
        }
    }

    /** {@link #addProduct(long, long, int)} without the zero-sign bookkeeping. */
    void addProductTerm(long a, long b, int exponent) {
        if (a == 0 || b == 0) {
            return;
        }
        boolean negative = (a ^ b) < 0;
        long ma = a < 0 ? -a : a;
        long mb = b < 0 ? -b : b;
        addMagnitude(unsignedMultiplyHigh(ma, mb), ma * mb, exponent, negative);
    }

    /**
     * Adds {@code S * c * 2^exponent} for a signed 128-bit integer {@code S = hi:lo} and
     * {@code 0 <= c < 2^63}, without the zero-sign bookkeeping: the magnitude of S is split into its
     * low and high 64-bit halves, each multiplied by c in 128 bits.
     */
    void addWideProductTerm(long hi, long lo, long c, int exponent) {
        boolean negative = hi < 0;
        if (negative) {
            lo = -lo;
            hi = lo == 0 ? -hi : ~hi;
        }
        if (c == 0) {
            return;
        }
        if (lo != 0) {
            addMagnitude(unsignedMultiplyHigh(lo, c), lo * c, exponent, negative);
        }
        if (hi != 0) {
            addMagnitude(unsignedMultiplyHigh(hi, c), hi * c, exponent + 64, negative);
        }
    }

    /** The high 64 bits of the unsigned 128-bit product (Math.unsignedMultiplyHigh is Java 18+). */
    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /** Adds a NaN term. */
    void addNaN() {
        nan = true;
        anyTerm = true;
        allNegativeZero = false;
    }

    /** Adds an infinite term of the given sign. */
    void addInfinity(boolean negative) {
        noteSpecial(false, negative);
    }

    private void noteSpecial(boolean isNaN, boolean negative) {
        anyTerm = true;
        allNegativeZero = false;
        if (isNaN) {
            nan = true;
        } else if (negative) {
            negativeInfinity = true;
        } else {
            positiveInfinity = true;
        }
    }

    private void noteZeroSign(boolean negativeZero) {
        anyTerm = true;
        allNegativeZero &= negativeZero;
    }

    /**
     * Adds the unsigned 128-bit magnitude {@code hi:lo * 2^exponent} (nonzero) with a sign. Splits it
     * into four 32-bit limbs, shifts each by the offset within a digit and adds the (at most 63-bit)
     * result to two neighbouring digits: no carries are propagated here.
     */
    private void addMagnitude(long hi, long lo, int exponent, boolean negative) {
        // Make the magnitude odd so that the range check sees its true lowest bit.
        int shift = lo != 0 ? Long.numberOfTrailingZeros(lo) : 64 + Long.numberOfTrailingZeros(hi);
        if (shift >= 64) {
            lo = hi >>> (shift - 64);
            hi = 0;
        } else if (shift > 0) {
            lo = lo >>> shift | hi << (64 - shift);
            hi = hi >>> shift;
        }
        long low = (long) exponent + shift;
        int bitLength = hi != 0 ? 128 - Long.numberOfLeadingZeros(hi) : 64 - Long.numberOfLeadingZeros(lo);
        if (low < minExponent || low + bitLength > maxExponent) {
            throw new IllegalArgumentException("term " + (negative ? "-" : "") + "(" + bitLength + "-bit integer) * 2^"
                    + low + " is outside the exact accumulator's range 2^" + minExponent + " .. 2^" + maxExponent);
        }
        int offset = (int) (low - minExponent);
        int index = offset >>> 5;
        int bit = offset & (DIGIT_BITS - 1);
        int top = addLimb(index, lo & DIGIT_MASK, bit, negative, index);
        top = addLimb(index + 1, lo >>> 32, bit, negative, top);
        top = addLimb(index + 2, hi & DIGIT_MASK, bit, negative, top);
        top = addLimb(index + 3, hi >>> 32, bit, negative, top);
        if (index < lowTouched) {
            lowTouched = index;
        }
        if (top > highTouched) {
            highTouched = top;
        }
        if (++pendingAdds >= ADDS_BEFORE_NORMALIZE) {
            normalize();
        }
    }

    /**
     * Adds (or subtracts) one 32-bit limb shifted left by {@code bit} (at most 31, so the shifted
     * limb is below 2^63) to digits {@code k} and {@code k + 1}; returns the new highest digit written.
     */
    private int addLimb(int k, long limb, int bit, boolean negative, int top) {
        if (limb == 0) {
            return top;
        }
        long t = limb << bit;
        if (negative) {
            digits[k] -= t & DIGIT_MASK;
            digits[k + 1] -= t >>> 32;
        } else {
            digits[k] += t & DIGIT_MASK;
            digits[k + 1] += t >>> 32;
        }
        return k + 1;
    }

    /** Propagates carries: afterwards every digit but the top one is in [0, 2^32). */
    private void normalize() {
        pendingAdds = 0;
        if (lowTouched > highTouched) {
            return;
        }
        long[] d = digits;
        int last = d.length - 1;
        long carry = 0;
        int k = lowTouched;
        for (; k < last; k++) {
            long v = d[k] + carry;
            d[k] = v & DIGIT_MASK;
            carry = v >> 32;
            if (carry == 0 && k >= highTouched) {
                break;
            }
        }
        if (k == last) {
            d[last] += carry;
        }
        highTouched = Math.max(highTouched, Math.min(k, last));
        // Trim zero digits at both ends so later work only sees the live span.
        while (highTouched >= lowTouched && d[highTouched] == 0) {
            highTouched--;
        }
        while (lowTouched <= highTouched && d[lowTouched] == 0) {
            lowTouched++;
        }
        if (lowTouched > highTouched) {
            lowTouched = d.length;
            highTouched = -1;
        }
    }

    // ---- Combining -------------------------------------------------------------------------------

    /**
     * Adds everything {@code other} holds (its exact value, specials and zero-sign state) to this
     * accumulator; {@code other} is unchanged in value. Used to combine per-thread partial sums.
     *
     * @throws IllegalArgumentException if the two accumulators have different ranges
     */
    public void merge(ExactAccumulator other) {
        Objects.requireNonNull(other, "other");
        if (other.minExponent != minExponent || other.maxExponent != maxExponent) {
            throw new IllegalArgumentException("cannot merge an accumulator of range 2^" + other.minExponent + " .. 2^"
                    + other.maxExponent + " into one of range 2^" + minExponent + " .. 2^" + maxExponent);
        }
        if (other == this) {
            throw new IllegalArgumentException("cannot merge an accumulator into itself");
        }
        normalize();
        other.normalize();
        for (int k = other.lowTouched; k <= other.highTouched; k++) {
            digits[k] += other.digits[k];
        }
        if (other.lowTouched <= other.highTouched) {
            lowTouched = Math.min(lowTouched, other.lowTouched);
            highTouched = Math.max(highTouched, other.highTouched);
            pendingAdds = 1;
        }
        nan |= other.nan;
        positiveInfinity |= other.positiveInfinity;
        negativeInfinity |= other.negativeInfinity;
        if (other.anyTerm) {
            anyTerm = true;
            allNegativeZero &= other.allNegativeZero;
        }
        normalize();
    }

    /**
     * Multiplies the held value (and its infinities) exactly by {@code factor}, keeping the
     * zero-sign state (which the MX contract defines by the element products alone). A NaN or
     * infinite factor, or a zero factor times a held infinity, gives NaN.
     *
     * @throws IllegalArgumentException if a scaled digit leaves the range
     */
    void multiplyBy(double factor) {
        if (!Double.isFinite(factor)) {
            // Only finite tensor scales are meaningful; a NaN or infinite one gives NaN.
            nan = true;
            return;
        }
        boolean flip = factor < 0 || (factor == 0 && 1 / factor < 0);
        if (flip) {
            boolean p = positiveInfinity;
            positiveInfinity = negativeInfinity;
            negativeInfinity = p;
        }
        normalize();
        boolean zero = lowTouched > highTouched;
        if (factor == 0) {
            if (positiveInfinity || negativeInfinity) {
                nan = true;
            }
            clearDigits();
            return;
        }
        if (zero || factor == 1) {
            return;
        }
        boolean negative = signum() < 0;
        long[] magnitude = magnitude(negative);
        int from = lowTouched;
        int to = highTouched;
        clearDigits();
        long bits = Double.doubleToRawLongBits(factor);
        int biased = (int) (bits >>> 52) & 0x7FF;
        long significand = biased == 0 ? bits & 0xF_FFFF_FFFF_FFFFL : (bits & 0xF_FFFF_FFFF_FFFFL) | 1L << 52;
        int exponent = (biased == 0 ? 1 : biased) - 1075;
        for (int k = from; k <= Math.min(to, magnitude.length - 1); k++) {
            long digit = magnitude[k];
            if (digit != 0) {
                addMagnitude(Math.multiplyHigh(digit, significand), digit * significand,
                        minExponent + DIGIT_BITS * k + exponent, negative != flip);
            }
        }
        normalize();
    }

    private void clearDigits() {
        if (lowTouched <= highTouched) {
            Arrays.fill(digits, lowTouched, highTouched + 1, 0L);
        }
        lowTouched = digits.length;
        highTouched = -1;
        pendingAdds = 0;
    }

    // ---- Reading ---------------------------------------------------------------------------------

    /** Whether a NaN is held: a NaN term, {@code Inf * 0}, or both infinities. */
    public boolean isNaN() {
        return nan || (positiveInfinity && negativeInfinity);
    }

    /** Whether the result is an infinity (and not NaN). */
    public boolean isInfinite() {
        return !isNaN() && (positiveInfinity || negativeInfinity);
    }

    /** Whether the finite part of the held sum is exactly zero (ignores NaN and infinities). */
    public boolean isExactZero() {
        normalize();
        return lowTouched > highTouched;
    }

    /** -1, 0 or 1: the sign of the exact finite sum (NaN and infinities ignored). */
    public int signum() {
        normalize();
        if (lowTouched > highTouched) {
            return 0;
        }
        return digits[highTouched] < 0 ? -1 : 1;
    }

    /** The held value rounded once to the nearest double, ties to even. */
    public double toDouble() {
        return toDouble(Rounding.RNE);
    }

    /** The held value rounded once to the nearest float, ties to even. */
    public float toFloat() {
        return toFloat(Rounding.RNE);
    }

    /**
     * The held value rounded once to double with the given mode, with IEEE subnormals and overflow
     * ({@code RNE RNA}: Inf; {@code RTZ}: max; {@code RUP}: +Inf or -max; {@code RDN}: +max or -Inf;
     * {@code ODD}: max, whose significand is odd).
     *
     * @throws IllegalArgumentException for {@link Rounding#STOCHASTIC}
     */
    public double toDouble(Rounding rounding) {
        return round(rounding, 53, -1074, 1023);
    }

    /**
     * The held value rounded once to float with the given mode; see {@link #toDouble(Rounding)}.
     *
     * @throws IllegalArgumentException for {@link Rounding#STOCHASTIC}
     */
    public float toFloat(Rounding rounding) {
        // The double holds the float result exactly (it is a float value), so the cast is exact.
        return (float) round(rounding, 24, -149, 127);
    }

    /**
     * Rounds to a binary format with {@code precision} significand bits, least subnormal exponent
     * {@code leastExponent} and largest exponent {@code maxExp}; returns the result as a double.
     */
    private double round(Rounding rounding, int precision, int leastExponent, int maxExp) {
        Objects.requireNonNull(rounding, "rounding");
        if (!rounding.isDeterministic()) {
            throw new IllegalArgumentException("rounding " + rounding + ": the exact accumulator rounds deterministically only");
        }
        if (isNaN()) {
            return Double.NaN;
        }
        if (positiveInfinity || negativeInfinity) {
            return positiveInfinity ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        int sign = signum();
        if (sign == 0) {
            return anyTerm && allNegativeZero ? -0.0 : 0.0;
        }
        boolean negative = sign < 0;
        long[] m = magnitude(negative);
        int hiDigit = highTouched;
        while (m[hiDigit] == 0) {
            hiDigit--;   // the negation of a value can end one digit lower
        }
        int msb = DIGIT_BITS * hiDigit + 63 - Long.numberOfLeadingZeros(m[hiDigit]);   // bit index
        long leadExponent = (long) minExponent + msb;
        // A 64-bit window with the leading bit at bit 63, and whether anything below it is nonzero.
        int windowLow = msb - 63;
        long window = bitsAt(m, windowLow);
        boolean stickyBelow = anyBitBelow(m, windowLow);
        return roundWindow(negative, leadExponent, window, stickyBelow, rounding, precision, leastExponent, maxExp);
    }

    /**
     * The nonzero value {@code value * 2^exponent} rounded once to float ({@code toFloat}; the
     * double returned is then a float value) or double with the given deterministic mode: the
     * same rounding as {@link #toFloat(Rounding)} and {@link #toDouble(Rounding)} of an
     * accumulator holding that value, without building one.
     */
    static double roundScaled(long value, int exponent, Rounding rounding, boolean toFloat) {
        boolean negative = value < 0;
        long magnitude = negative ? -value : value;   // Long.MIN_VALUE: 2^63 read as unsigned
        int zeros = Long.numberOfLeadingZeros(magnitude);
        long leadExponent = (long) exponent + 63 - zeros;
        // Every bit of the value fits the window: nothing lies below it.
        return toFloat ? roundWindow(negative, leadExponent, magnitude << zeros, false, rounding, 24, -149, 127)
                : roundWindow(negative, leadExponent, magnitude << zeros, false, rounding, 53, -1074, 1023);
    }

    /**
     * {@link #roundScaled} of the exact product {@code value * 2^exponent * factor} for a nonzero
     * long and a finite nonzero double factor: the 128-bit product of the magnitudes' significands
     * is exact, and its top 64 bits plus whether any lower bit is set round it as the accumulator
     * would (the same single rounding).
     */
    static double roundScaledProduct(long value, int exponent, double factor, Rounding rounding, boolean toFloat) {
        boolean negative = (value < 0) != (factor < 0);
        long magnitude = value < 0 ? -value : value;   // Long.MIN_VALUE: 2^63 read as unsigned
        long bits = Double.doubleToRawLongBits(Math.abs(factor));
        int biased = (int) (bits >>> 52);
        long significand = biased == 0 ? bits & 0xF_FFFF_FFFF_FFFFL : (bits & 0xF_FFFF_FFFF_FFFFL) | 1L << 52;
        int factorExponent = (biased == 0 ? 1 : biased) - 1075;
        // The unsigned high half (Math.unsignedMultiplyHigh is JDK 18): significand >= 0, and a
        // magnitude of 2^63 (read as unsigned) adds it once more.
        long hi = Math.multiplyHigh(magnitude, significand) + ((magnitude >> 63) & significand);
        long lo = magnitude * significand;
        long lowExponent = (long) exponent + factorExponent;   // of the product's bit 0
        long window;
        boolean sticky;
        long leadExponent;
        if (hi != 0) {
            int zeros = Long.numberOfLeadingZeros(hi);
            window = zeros == 0 ? hi : hi << zeros | lo >>> (64 - zeros);
            sticky = (lo << zeros) != 0;
            leadExponent = lowExponent + 127 - zeros;
        } else {
            int zeros = Long.numberOfLeadingZeros(lo);
            window = lo << zeros;
            sticky = false;
            leadExponent = lowExponent + 63 - zeros;
        }
        return toFloat ? roundWindow(negative, leadExponent, window, sticky, rounding, 24, -149, 127)
                : roundWindow(negative, leadExponent, window, sticky, rounding, 53, -1074, 1023);
    }

    /**
     * Rounds the nonzero magnitude whose leading bit has exponent {@code leadExponent}, given as
     * the 64-bit {@code window} from that bit down (leading bit at bit 63) and whether any bit
     * below the window is set, to {@code precision} bits with least exponent {@code leastExponent}
     * and largest exponent {@code maxExp}; the sign is applied last.
     */
    private static double roundWindow(boolean negative, long leadExponent, long window, boolean stickyBelow,
                                      Rounding rounding, int precision, int leastExponent, int maxExp) {
        long quantum = Math.max(leadExponent - (precision - 1), leastExponent);   // exponent of the result's lsb
        long kept = leadExponent - quantum + 1;   // result bits taken from the window (<= precision)
        long keep;
        boolean roundBit;
        boolean sticky;
        if (kept >= 1) {
            keep = window >>> (64 - kept);
            long rest = window << kept;
            roundBit = rest < 0;
            sticky = (rest << 1) != 0 || stickyBelow;
        } else if (kept == 0) {
            keep = 0;
            roundBit = true;   // the leading bit is the first bit below the quantum
            sticky = (window << 1) != 0 || stickyBelow;
        } else {
            keep = 0;
            roundBit = false;
            sticky = true;
        }
        boolean inexact = roundBit || sticky;
        boolean up;
        switch (rounding) {
            case RNE: up = roundBit && (sticky || (keep & 1) != 0); break;
            case RNA: up = roundBit; break;
            case RTZ: up = false; break;
            case RUP: up = inexact && !negative; break;
            case RDN: up = inexact && negative; break;
            case ODD:
                up = false;
                if (inexact) {
                    keep |= 1;
                }
                break;
            default: throw new IllegalArgumentException("rounding " + rounding + " is not supported");
        }
        if (up) {
            keep++;
            if (keep == 1L << precision) {
                keep >>>= 1;
                quantum++;
            }
        }
        long resultExponent = quantum + 63 - Long.numberOfLeadingZeros(keep);
        double magnitudeValue;
        if (keep != 0 && resultExponent > maxExp) {
            magnitudeValue = overflow(rounding, negative, precision, maxExp);
        } else {
            magnitudeValue = Math.scalb((double) keep, (int) quantum);   // exact: the value is representable
        }
        return negative ? -magnitudeValue : magnitudeValue;
    }

    /** The magnitude of an overflowing result under each mode (its sign is applied by the caller). */
    private static double overflow(Rounding rounding, boolean negative, int precision, int maxExp) {
        double max = Math.scalb((double) ((1L << precision) - 1), maxExp - precision + 1);
        switch (rounding) {
            case RNE: case RNA: return Double.POSITIVE_INFINITY;
            case RUP: return negative ? max : Double.POSITIVE_INFINITY;
            case RDN: return negative ? Double.POSITIVE_INFINITY : max;
            default: return max;   // RTZ, and ODD (the largest finite value has an odd significand)
        }
    }

    /** The magnitude of the (normalized, nonzero) held value as 32-bit digits; a fresh array. */
    private long[] magnitude(boolean negative) {
        long[] m = new long[digits.length];
        if (!negative) {
            System.arraycopy(digits, lowTouched, m, lowTouched, highTouched - lowTouched + 1);
            return m;
        }
        // Two's complement negation over the digits: invert and add one, 32 bits at a time; the
        // signed top digit may be wider than 32 bits and is negated whole.
        int last = digits.length - 1;
        long carry = 1;
        for (int k = 0; k < last; k++) {
            long v = (~digits[k] & DIGIT_MASK) + carry;
            m[k] = v & DIGIT_MASK;
            carry = v >>> 32;
        }
        m[last] = ~digits[last] + carry;
        return m;
    }

    /** The 64 bits of the digit array starting at bit index {@code from} (may be negative). */
    private static long bitsAt(long[] m, int from) {
        long w = 0;
        int first = Math.floorDiv(from, DIGIT_BITS);
        for (int k = first; k <= first + 2; k++) {
            if (k < 0 || k >= m.length) {
                continue;
            }
            int shift = DIGIT_BITS * k - from;
            if (shift >= 0 && shift < 64) {
                w |= m[k] << shift;
            } else if (shift < 0 && shift > -DIGIT_BITS) {
                w |= m[k] >>> -shift;
            }
        }
        return w;
    }

    /** Whether any bit with index below {@code from} is set. */
    private static boolean anyBitBelow(long[] m, int from) {
        if (from <= 0) {
            return false;
        }
        int k = from / DIGIT_BITS;
        int within = from - DIGIT_BITS * k;
        if (k < m.length && within > 0 && (m[k] & ((1L << within) - 1)) != 0) {
            return true;
        }
        for (int j = Math.min(k, m.length) - 1; j >= 0; j--) {
            if (m[j] != 0) {
                return true;
            }
        }
        return false;
    }

    // ---- Whole-array conveniences ------------------------------------------------------------------

    /** The exact sum of {@code x}, rounded once to double with the given mode. */
    public static double sum(double[] x, Rounding rounding) {
        ExactAccumulator acc = new ExactAccumulator();
        for (double v : x) {
            acc.add(v);
        }
        return acc.toDouble(rounding);
    }

    /** The exact sum of {@code x}, rounded once to float with the given mode. */
    public static float sum(float[] x, Rounding rounding) {
        ExactAccumulator acc = new ExactAccumulator();
        for (float v : x) {
            acc.add(v);
        }
        return acc.toFloat(rounding);
    }

    /**
     * The exact dot product of two double arrays of the same length, rounded once to double.
     *
     * @throws IllegalArgumentException if the lengths differ
     */
    public static double dot(double[] a, double[] b, Rounding rounding) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dot of arrays of lengths " + a.length + " and " + b.length);
        }
        ExactAccumulator acc = new ExactAccumulator();
        for (int i = 0; i < a.length; i++) {
            acc.addProduct(a[i], b[i]);
        }
        return acc.toDouble(rounding);
    }

    /**
     * A double rounded once to float with the given mode (IEEE subnormals and overflow as in
     * {@link #toFloat(Rounding)}; NaN, infinities and signed zeros are kept).
     */
    public static float roundToFloat(double x, Rounding rounding) {
        ExactAccumulator acc = new ExactAccumulator(-1074, 1024);
        acc.add(x);
        return acc.toFloat(rounding);
    }

    @Override
    public String toString() {
        return "ExactAccumulator[2^" + minExponent + " .. 2^" + maxExponent + ", " + toDouble() + "]";
    }
}
