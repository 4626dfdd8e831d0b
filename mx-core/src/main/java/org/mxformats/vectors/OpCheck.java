package org.mxformats.vectors;

/**
 * How one {@code @op} of the conformance contract checks its records. Implementations are stateless.
 */
public interface OpCheck {
    /**
     * Checks one record (already split into its space-separated fields).
     *
     * @param d      the directives in force
     * @param fields the record's fields
     * @return null if the library gives the expected result, otherwise {@code "expected X, got Y"}
     * @throws IllegalArgumentException if the record or a directive it needs is malformed or missing
     */
    String check(Directives d, String[] fields);
}
