package org.mxformats.dot;

import java.util.Objects;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

/**
 * Exact dot products of MX data: the real value {@code sum_j X_Aj * X_Bj * sum_i P_Aji * P_Bji}
 * (times per-tensor scales where a format has them), computed without any rounding and rounded
 * once to float or double. NaN if any scale or element is NaN or the arithmetic is undefined
 * ({@code Inf * 0}, {@code Inf - Inf}); otherwise an infinite element gives that infinity; an
 * exactly zero sum is {@code +0} unless every element product is {@code -0}. Stateless and
 * thread-safe. See {@code docs/dot.md}.
 */
public final class MxDot {
    private MxDot() {
    }

    /**
     * The exact dot product of two MX vectors given as codes, one code per byte, rounded once to
     * float: {@code blocks = scalesA.length} blocks of {@code blockSize} elements each.
     *
     * @param elemA     element format of A
     * @param elemB     element format of B (may differ from A's)
     * @param scale     scale format of both operands
     * @param blockSize elements per block
     * @throws IllegalArgumentException if a length does not match the block structure or a code
     *                                  is outside its format
     */
    public static float dotCodes(ElementFormat elemA, ElementFormat elemB, ElementFormat scale, int blockSize,
                                 byte[] scalesA, byte[] codesA, byte[] scalesB, byte[] codesB, Rounding rounding) {
        return (float) dotCodes(elemA, elemB, scale, blockSize, scalesA, codesA, scalesB, codesB, rounding, true);
    }

    /**
     * As {@link #dotCodes(ElementFormat, ElementFormat, ElementFormat, int, byte[], byte[], byte[], byte[], Rounding)},
     * rounded once to double.
     */
    public static double dotCodesDouble(ElementFormat elemA, ElementFormat elemB, ElementFormat scale, int blockSize,
                                        byte[] scalesA, byte[] codesA, byte[] scalesB, byte[] codesB, Rounding rounding) {
        return dotCodes(elemA, elemB, scale, blockSize, scalesA, codesA, scalesB, codesB, rounding, false);
    }

    private static double dotCodes(ElementFormat elemA, ElementFormat elemB, ElementFormat scale, int blockSize,
                                   byte[] scalesA, byte[] codesA, byte[] scalesB, byte[] codesB, Rounding rounding,
                                   boolean toFloat) {
        Objects.requireNonNull(rounding, "rounding");
        int blocks = scalesA.length;
        if (scalesB.length != blocks) {
            throw new IllegalArgumentException("A has " + blocks + " scales but B has " + scalesB.length);
        }
        if (codesA.length != (long) blocks * blockSize || codesB.length != codesA.length) {
            throw new IllegalArgumentException("expected " + blocks + " blocks of " + blockSize + " codes, got "
                    + codesA.length + " codes for A and " + codesB.length + " for B");
        }
        requireCodes(elemA, codesA, "A");
        requireCodes(elemB, codesB, "B");
        requireCodes(scale, scalesA, "A's scales");
        requireCodes(scale, scalesB, "B's scales");
        BlockDotKernel kernel = new BlockDotKernel(elemA, scale, elemB, scale, blockSize, false);
        ExactAccumulator acc = kernel.newAccumulator();
        for (int j = 0; j < blocks; j++) {
            kernel.addBlock(acc, scalesA[j] & 0xFF, codesA, j * blockSize, scalesB[j] & 0xFF, codesB, j * blockSize,
                    blockSize);
        }
        return BlockDotKernel.finish(acc, 1.0,
                () -> kernel.allProductsNegativeZero(codesA, 0, codesB, 0, codesA.length), rounding, toFloat);
    }

    private static void requireCodes(ElementFormat f, byte[] codes, String what) {
        if (f.bits() > 8) {
            throw new IllegalArgumentException("format " + f + " has " + f.bits() + " bits; codes come one per byte");
        }
        int n = f.codeCount();
        for (int i = 0; i < codes.length; i++) {
            if ((codes[i] & 0xFF) >= n) {
                throw new IllegalArgumentException(what + " code " + Integer.toHexString(codes[i] & 0xFF) + " at index " + i
                        + " is outside the " + f.bits() + "-bit format " + f);
            }
        }
    }
}
