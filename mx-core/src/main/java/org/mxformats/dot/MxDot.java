package org.mxformats.dot;

import java.util.Objects;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
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
        Unpacked a = new Unpacked(elemA, scale, blockSize, codesA, scalesA, 1f);
        Unpacked b = new Unpacked(elemB, scale, blockSize, codesB, scalesB, 1f);
        BlockDotKernel kernel = kernel(a, b);
        return dot(kernel, kernel.newAccumulator(), a, b, rounding, toFloat);
    }

    // ---- MX x MX ---------------------------------------------------------------------------------

    /**
     * The exact dot product of two MX vectors rounded once to float. The element formats and the
     * scale formats of the two may differ (e4m3 x e2m1, e8m0 x ue4m3, ...); per-tensor scales
     * (NVFP4) are included exactly.
     *
     * @throws IllegalArgumentException if the lengths or the block sizes differ, or the rounding is
     *                                  {@link Rounding#STOCHASTIC}
     */
    public static float dot(MxArray a, MxArray b, Rounding rounding) {
        return (float) dot(a, b, rounding, true);
    }

    /**
     * The exact dot product of two MX vectors rounded once to double; see {@link #dot(MxArray, MxArray, Rounding)}.
     *
     * @throws IllegalArgumentException if the lengths or the block sizes differ, or the rounding is
     *                                  {@link Rounding#STOCHASTIC}
     */
    public static double dotDouble(MxArray a, MxArray b, Rounding rounding) {
        return dot(a, b, rounding, false);
    }

    private static double dot(MxArray a, MxArray b, Rounding rounding, boolean toFloat) {
        requireSameShape(a.format(), a.length(), b.format(), b.length());
        requireDeterministic(rounding);
        double streamed = SimdRoutes.exactDot(a, b, rounding, toFloat);
        if (!Double.isNaN(streamed)) {   // else SimdRoutes.NOT_STREAMED
            return streamed;
        }
        Unpacked ua = Unpacked.of(a);
        Unpacked ub = Unpacked.of(b);
        BlockDotKernel kernel = kernel(ua, ub);
        return dot(kernel, kernel.newAccumulator(), ua, ub, rounding, toFloat);
    }

    /** Fails unless two operands have the same length and block size (so their blocks line up). */
    static void requireSameShape(MxFormat fa, int lengthA, MxFormat fb, int lengthB) {
        if (lengthA != lengthB) {
            throw new IllegalArgumentException("dot of MX vectors of lengths " + lengthA + " (" + fa + ") and "
                    + lengthB + " (" + fb + ")");
        }
        if (fa.blockSize() != fb.blockSize()) {
            throw new IllegalArgumentException("dot of MX vectors with block sizes " + fa.blockSize() + " (" + fa
                    + ") and " + fb.blockSize() + " (" + fb + "): blocks must line up");
        }
    }

    static BlockDotKernel kernel(Unpacked a, Unpacked b) {
        // The range always allows for tensor scales, so one kernel serves every row of a matrix.
        return new BlockDotKernel(a.element, a.scale, b.element, b.scale, a.blockSize, true);
    }

    /** The exact dot product with a kernel made for these operands' formats; {@code acc} is reset first. */
    static double dot(BlockDotKernel kernel, ExactAccumulator acc, Unpacked a, Unpacked b, Rounding rounding,
                      boolean toFloat) {
        requireDeterministic(rounding);
        acc.reset();
        int k = a.blockSize;
        double[] sums = SimdRoutes.blockSums(kernel, a, b);   // whole blocks' exact sums, or null
        for (int j = 0; j < a.blocks(); j++) {
            if (sums != null && j < sums.length && Double.isFinite(sums[j])) {
                kernel.addBlockSum(acc, a.scales[j] & 0xFF, b.scales[j] & 0xFF, sums[j]);
                continue;
            }
            kernel.addBlock(acc, a.scales[j] & 0xFF, a.codes, j * k, b.scales[j] & 0xFF, b.codes, j * k, a.blockLength(j));
        }
        // tA * tB is exact in double: two 24-bit significands, exponents within +-300.
        double tensor = (double) a.tensorScale * b.tensorScale;
        return BlockDotKernel.finish(acc, tensor,
                () -> kernel.allProductsNegativeZero(a.codes, 0, b.codes, 0, a.length), rounding, toFloat);
    }

    // ---- MX x float32 ----------------------------------------------------------------------------

    /**
     * The dot product of an MX vector with {@code a.length()} floats of {@code x} from
     * {@code offset}, rounded to float with the given mode.
     *
     * <p>{@link Accumulation#EXACT}: the exact real result, rounded once. {@link Accumulation#FAST}:
     * accumulated in a fixed order, so the result is reproducible bit for bit (every machine, every
     * kernel). Whole blocks of a multiple of 32 elements: float32 fmas in 16 lanes within each block
     * and across blocks, folded in double; before the final rounding the error is at most
     * {@code [(1 + gamma(k/16 + nb, 2^-24))(1 + gamma(5, 2^-53)) - 1] * sum |X_j P_i x_i|} plus a
     * float32 underflow term, assuming no float32 overflow (see docs/dot.md). Other shapes: double,
     * each product exact, error at most {@code gamma(k + nb, 2^-53) * sum |X_j P_i x_i|}. Here k is
     * the block size, nb the number of blocks, {@code gamma(m, u) = m u / (1 - m u)}; the final
     * rounding adds at most one float ulp of the result (half an ulp for RNE and RNA).
     *
     * @throws IllegalArgumentException if {@code x} has fewer than {@code offset + a.length()} values
     *                                  from {@code offset}, or the rounding is {@link Rounding#STOCHASTIC}
     */
    public static float dot(MxArray a, float[] x, int offset, Accumulation mode, Rounding rounding) {
        return (float) dot(a, x, offset, mode, rounding, true);
    }

    /**
     * As {@link #dot(MxArray, float[], int, Accumulation, Rounding)}, with a double result. In
     * {@link Accumulation#FAST} mode the result is the accumulation itself (rounding to nearest at
     * every step), whatever {@code rounding} says.
     *
     * @throws IllegalArgumentException if {@code x} is too short or the rounding is {@link Rounding#STOCHASTIC}
     */
    public static double dotDouble(MxArray a, float[] x, int offset, Accumulation mode, Rounding rounding) {
        return dot(a, x, offset, mode, rounding, false);
    }

    private static double dot(MxArray a, float[] x, int offset, Accumulation mode, Rounding rounding, boolean toFloat) {
        requireFloats(a.length(), x, offset);
        if (mode == Accumulation.FAST && SimdRoutes.fastApplies(a.format(), a.length())) {
            requireDeterministic(rounding);
            double total = SimdRoutes.fastDot(a.format(), a.length() / a.format().blockSize(), new SimdRoutes.Operand().of(a), x, offset);
            return toFloat ? SimdRoutes.toFloat(total, rounding) : total;
        }
        if (mode == Accumulation.EXACT && toFloat) {
            requireDeterministic(rounding);
            float certified = CertifiedFloatDot.dot(a, x, offset, rounding);
            if (Float.isNaN(certified)) {   // undecided: the tighter certificate, then the exact sum
                certified = CertifiedFloatDot.compensated(a, x, offset, rounding);
            }
            if (!Float.isNaN(certified)) {
                return certified;
            }
        }
        Unpacked ua = Unpacked.of(a);
        FloatDotKernel kernel = new FloatDotKernel(ua);
        return dot(kernel, mode == Accumulation.EXACT ? kernel.newAccumulator() : null, ua, x, offset, mode, rounding,
                toFloat);
    }

    static void requireFloats(int length, float[] x, int offset) {
        if (offset < 0 || offset > x.length - length) {
            throw new IllegalArgumentException("dot of an MX vector of length " + length + " needs floats "
                    + offset + " .. " + ((long) offset + length - 1) + ", but the float array has length " + x.length);
        }
    }

    static double dot(FloatDotKernel kernel, ExactAccumulator acc, Unpacked a, float[] x, int offset, Accumulation mode,
                      Rounding rounding, boolean toFloat) {
        requireDeterministic(rounding);
        Objects.requireNonNull(mode, "mode");
        if (mode == Accumulation.EXACT && toFloat) {
            float certified = CertifiedFloatDot.dot(a, x, offset, rounding);
            if (Float.isNaN(certified)) {   // undecided: the tighter certificate, then the exact sum
                certified = CertifiedFloatDot.compensated(a, x, offset, rounding);
            }
            if (!Float.isNaN(certified)) {
                return certified;
            }
        }
        return mode == Accumulation.EXACT ? kernel.exact(acc, a, x, offset, rounding, toFloat)
                : kernel.fast(a, x, offset, rounding, toFloat);
    }

    static void requireDeterministic(Rounding rounding) {
        Objects.requireNonNull(rounding, "rounding");
        if (!rounding.isDeterministic()) {
            throw new IllegalArgumentException("rounding " + rounding + ": dot products round deterministically only");
        }
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
