package org.mxformats.format;

import java.util.Locale;

/**
 * How a real value that falls between two representable values is rounded.
 *
 * <p>The first five are the deterministic modes of the conformance contract and carry its names
 * ({@code rne}, {@code rna}, {@code rtz}, {@code rup}, {@code rdn}). {@link #ODD} (round to odd,
 * also called von Neumann or jamming) keeps a sticky bit in the result's last place so that a later
 * rounding to a narrower format is not a double rounding. {@link #STOCHASTIC} rounds up with a
 * probability equal to the discarded fraction, using random bits the caller supplies.
 */
public enum Rounding {
    /** Nearest, ties to the value whose code is even. IEEE roundTiesToEven. */
    RNE("rne"),
    /** Nearest, ties away from zero. IEEE roundTiesToAway. */
    RNA("rna"),
    /** Toward zero (truncation). */
    RTZ("rtz"),
    /** Toward positive infinity. */
    RUP("rup"),
    /** Toward negative infinity. */
    RDN("rdn"),
    /** Round to odd: an inexact result takes the neighbour whose code is odd. */
    ODD("odd"),
    /**
     * Stochastic: rounds away from zero with probability {@code floor(f * 2^32) / 2^32}, where f is
     * the discarded fraction of an ulp; the 32 random bits come from the caller.
     */
    STOCHASTIC("stochastic");

    private final String contractName;

    Rounding(String contractName) {
        this.contractName = contractName;
    }

    /** The short name used by the {@code .mxv} contract and the CLI, such as {@code rne}. */
    public String contractName() {
        return contractName;
    }

    /** True for every mode except {@link #STOCHASTIC}. */
    public boolean isDeterministic() {
        return this != STOCHASTIC;
    }

    /**
     * Looks a mode up by its contract name ({@code rne}, {@code rna}, {@code rtz}, {@code rup},
     * {@code rdn}, {@code odd}, {@code stochastic}), case-insensitively.
     *
     * @throws IllegalArgumentException naming the unknown value and the accepted names
     */
    public static Rounding byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Rounding r : values()) {
            if (r.contractName.equals(n)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown rounding '" + name
                + "' (expected one of rne, rna, rtz, rup, rdn, odd, stochastic)");
    }

    @Override
    public String toString() {
        return contractName;
    }
}
