package org.mxformats.block;

import java.util.Locale;
import org.mxformats.format.ElementFormat;

/**
 * How the shared scale X of a block is chosen from the block's values. {@code amax} is the largest
 * magnitude in the block, {@code max(F)} the element format's largest finite value and
 * {@code emax(F)} its exponent. Every rule gives the scale format's NaN code to a block holding a NaN
 * or an infinity.
 *
 * <p>The first four rules give power-of-two scales and need a power-of-two scale format such as
 * {@code e8m0}; their exponent is clamped to the scale format's range (2^-127..2^127 for
 * {@code e8m0}) after it is computed, and {@code amax = 0} gives the smallest scale. The last three
 * need a scale format with mantissa bits ({@code ue4m3}, {@code ue5m3}).
 *
 * <p>CEIL and EVEN are defined here on the exact value of amax. torchao computes them on float32
 * bit fields, which agrees for normal float32 amax; for a float32-subnormal amax torchao reads the
 * exponent as -127, and it clamps to 2^128 (the NaN code) where we clamp to 2^127.
 */
public enum ScaleRule {
    /** OCP MX v1.0: X = 2^(floor(log2 amax) - emax(F)); elements above max(F) saturate. */
    FLOOR("floor", true),
    /**
     * The smallest power of two X with amax / X &lt;= max(F), so nothing saturates (cuBLAS's and
     * torchao's RCEIL).
     */
    RCEIL("rceil", true),
    /** torchao's CEIL: X = 2^(ceil(log2 amax) - emax(F)). */
    CEIL("ceil", true),
    /**
     * torchao's EVEN: amax is first rounded (ties away from zero) to the precision of F's top binade
     * (F's mantissa bits; 6 fraction bits for {@code int8}), then the FLOOR rule is applied, so a block
     * whose amax would round up into the next binade gets the larger scale.
     */
    EVEN("even", true),
    /**
     * X = amax / max(F) rounded once, ties to even, to the scale format, saturating at its maximum.
     * A scale that rounds to zero makes every element a (signed) zero.
     */
    RNE("rne", false),
    /**
     * The scale among the RNE scale and its neighbours (one binade of scale codes on each side,
     * zero excluded) that gives the block the least sum of squared errors (summed in double, in
     * element order, with the element rounding, or round-to-nearest-even when that is stochastic);
     * ties keep the candidate nearest to the RNE scale, the smaller code first.
     */
    MSE("mse", false),
    /**
     * "4 over 6": two candidates, amax mapped to max(F) (the RNE scale) and amax mapped to 2/3 of
     * max(F) (4 for {@code e2m1}), each rounded with ties to even; the one with the smaller sum of
     * squared errors is kept (the max(F) one on a tie).
     */
    FOUR_OVER_SIX("4over6", false);

    private final String contractName;
    private final boolean powerOfTwo;

    ScaleRule(String contractName, boolean powerOfTwo) {
        this.contractName = contractName;
        this.powerOfTwo = powerOfTwo;
    }

    /** The rule's name in {@code .mxv} files and on the command line, such as {@code floor}. */
    public String contractName() {
        return contractName;
    }

    /** Whether the rule produces power-of-two scales (FLOOR, RCEIL, CEIL, EVEN). */
    public boolean powerOfTwo() {
        return powerOfTwo;
    }

    /**
     * Whether {@code scale} can hold this rule's scales: an unsigned format of at most 8 bits with a
     * NaN code, whose values are all powers of two (no mantissa bits, as {@code e8m0}) for the
     * power-of-two rules, and which has mantissa bits and a zero (as {@code ue4m3}, {@code ue5m3})
     * for the others.
     */
    public boolean fits(ElementFormat scale) {
        if (scale.isSigned() || scale.bits() > 8 || !scale.hasNaN()) {
            return false;
        }
        return powerOfTwo ? scale.mantissaBits() == 0 : scale.mantissaBits() > 0 && scale.hasZero();
    }

    /**
     * The rule with this name ({@code floor rceil ceil even rne mse 4over6}), case-insensitively.
     *
     * @throws IllegalArgumentException naming the unknown value and the accepted names
     */
    public static ScaleRule byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (ScaleRule r : values()) {
            if (r.contractName.equals(n)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown scale rule '" + name
                + "' (expected one of floor, rceil, ceil, even, rne, mse, 4over6)");
    }

    @Override
    public String toString() {
        return contractName;
    }
}
