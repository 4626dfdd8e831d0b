package org.mxformats.dot;

/**
 * How a dot product with float32 operands is accumulated.
 */
public enum Accumulation {
    /** The exact real result, rounded once: independent of order, thread count and hardware. */
    EXACT,
    /**
     * Accumulation in a fixed order, so results are still reproducible bit for bit: float32 fmas in
     * 16 lanes for whole blocks of a multiple of 32 elements (the speed of a float32 matvec, with
     * its accuracy, and no float32 overflow allowed), double with exact products for other shapes
     * (element by element within a block, then block by block); the error bounds are given in
     * {@code docs/dot.md} and {@link MxDot#dot(org.mxformats.block.MxArray, float[], int, Accumulation, org.mxformats.format.Rounding)}.
     * For MX x MX products, where the exact integer form is already the fastest, this is the same as
     * {@link #EXACT}.
     */
    FAST
}
