package org.mxformats.dot;

/**
 * How a dot product with float32 operands is accumulated.
 */
public enum Accumulation {
    /** The exact real result, rounded once: independent of order, thread count and hardware. */
    EXACT,
    /**
     * Double-precision accumulation in a fixed order (element by element within a block, then block
     * by block), so results are still reproducible bit for bit, with the error bound given in
     * {@code docs/dot.md} and {@link MxDot#dot(org.mxformats.block.MxArray, float[], int, Accumulation, org.mxformats.format.Rounding)}.
     * For MX x MX products, where the exact integer form is already the fastest, this is the same as
     * {@link #EXACT}.
     */
    FAST
}
