package org.mxformats.format;

import java.util.Locale;

/**
 * What happens to a value whose rounded magnitude exceeds a format's largest finite value.
 */
public enum Overflow {
    /** Results beyond the largest finite value, and infinite inputs, become the signed maximum. */
    SATURATE("sat"),
    /**
     * The OFP8 non-saturating rules, which follow IEEE 754: an overflow becomes infinity where the
     * format has one and NaN where it has only NaN ({@code e4m3}); rounding toward zero, and
     * directed rounding away from the overflow's side, give the signed maximum instead. Allowed only
     * for formats with an infinity or a NaN.
     */
    NO_SATURATE("nosat");

    private final String contractName;

    Overflow(String contractName) {
        this.contractName = contractName;
    }

    /** The short name used by the {@code .mxv} contract: {@code sat} or {@code nosat}. */
    public String contractName() {
        return contractName;
    }

    /**
     * Looks a policy up by its contract name, case-insensitively.
     *
     * @throws IllegalArgumentException naming the unknown value
     */
    public static Overflow byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Overflow o : values()) {
            if (o.contractName.equals(n)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown overflow policy '" + name + "' (expected sat or nosat)");
    }

    @Override
    public String toString() {
        return contractName;
    }
}
