package org.mxformats.vectors;

/** Small helpers shared by the op checks. */
final class Records {
    private Records() {
    }

    /** Fails unless the record has exactly {@code n} fields. */
    static void requireFields(String[] fields, int n) {
        if (fields.length != n) {
            throw new IllegalArgumentException("expected " + n + " space-separated fields, found " + fields.length);
        }
    }
}
