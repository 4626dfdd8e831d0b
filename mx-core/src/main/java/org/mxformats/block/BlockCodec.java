package org.mxformats.block;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/**
 * The block algorithm of one {@link MxFormat}: scale selection for every {@link ScaleRule}, exact
 * element rounding, and decoding. One instance per quantize call; not shared between threads.
 */
final class BlockCodec {
    private final MxFormat format;
    private final ElementFormat element;
    private final ElementFormat scale;
    private final double[] elementValues;
    private final int elementMask;
    private final double maxF;
    private final int scaleMinExponent;
    private final int scaleMaxExponent;
    private final int evenFractionBits;
    private final Rounding searchRounding;
    private double[] errorScratch;
    private byte[] codeScratch;

    BlockCodec(MxFormat format) {
        this.format = format;
        this.element = format.element();
        this.scale = format.scale();
        this.elementValues = element.codeValues();
        this.elementMask = element.codeCount() - 1;
        this.maxF = element.maxFinite();
        this.scaleMinExponent = floorLog2(scale.minSubnormal());
        this.scaleMaxExponent = scale.emax();
        double below = element.decode(element.maxFiniteCode() - 1);
        this.evenFractionBits = element.emax() - floorLog2(maxF - below);
        this.searchRounding = format.elementRounding().isDeterministic() ? format.elementRounding() : Rounding.RNE;
    }

    /** The exact floor(log2 a) of a positive finite double. */
    static int floorLog2(double a) {
        long sig = ExactQuotient.significand(a);
        return ExactQuotient.exponent(a) + 63 - Long.numberOfLeadingZeros(sig);
    }

    /**
     * The per-tensor float32 scale for a tensor whose largest finite magnitude is {@code amax}:
     * {@code amax / (max(F) * max(S))} rounded once to float32 (NVIDIA's NVFP4 global scale, which
     * maps the tensor's amax onto the largest block scale times the largest element). 1 for
     * {@code amax = 0}; kept within float32's positive finite range.
     */
    float tensorScaleFor(double amax) {
        if (amax == 0) {
            return 1f;
        }
        double top = maxF * scale.maxFinite();   // exact: two short significands
        float t = ExactQuotient.toFloat32(amax, ExactQuotient.oddSignificand(top), ExactQuotient.oddExponent(top));
        return t == 0 ? Float.MIN_VALUE : Math.min(t, Float.MAX_VALUE);
    }

    /**
     * Quantizes {@code buf[0..n)}: writes n element codes to {@code codes} from {@code codeOffset} and
     * returns the scale code. A block with a NaN or an infinity gets the scale's NaN code and zero
     * element codes. {@code random} (may be null unless the rounding is stochastic) gives one
     * {@code nextInt()} per element of a block with a finite non-zero scale, in order.
     */
    int quantizeBlock(double[] buf, int n, float tensorScale, byte[] codes, int codeOffset, RandomGenerator random) {
        double amax = 0;
        for (int i = 0; i < n; i++) {
            double a = Math.abs(buf[i]);
            if (!(a <= Double.MAX_VALUE)) {
                Arrays.fill(codes, codeOffset, codeOffset + n, (byte) 0);
                return scale.nanCode();
            }
            amax = Math.max(amax, a);
        }
        int sc = scaleCode(buf, n, amax, tensorScale);
        encodeElements(buf, n, sc, tensorScale, format.elementRounding(), random, codes, codeOffset);
        return sc;
    }

    private int scaleCode(double[] buf, int n, double amax, float tensorScale) {
        ScaleRule rule = format.scaleRule();
        if (rule.powerOfTwo()) {
            return powerOfTwoScaleCode(amax);
        }
        double divisor = maxF * tensorScale;       // exact: short significands
        int rne = roundedScale(amax, 1, divisor);
        if (scale.decode(rne) == 0 || rule == ScaleRule.RNE) {
            return rne;
        }
        if (rule == ScaleRule.FOUR_OVER_SIX) {
            // amax mapped to 2/3 max(F): amax * 3 / (2 max(F)).
            int other = roundedScale(amax, 3, 2 * divisor);
            return blockError(buf, n, other, tensorScale) < blockError(buf, n, rne, tensorScale) ? other : rne;
        }
        // MSE: one binade of scale codes on each side of the RNE scale, nearest first.
        int radius = 1 << scale.mantissaBits();
        int best = rne;
        double bestError = blockError(buf, n, rne, tensorScale);
        for (int d = 1; d <= radius; d++) {
            for (int c : new int[] {rne - d, rne + d}) {
                if (c < 1 || c > scale.maxFiniteCode() || scale.isNaN(c) || scale.decode(c) == 0) {
                    continue;
                }
                double e = blockError(buf, n, c, tensorScale);
                if (e < bestError) {
                    bestError = e;
                    best = c;
                }
            }
        }
        return best;
    }

    /** The scale code of a power-of-two rule for a finite amax >= 0 (also used by {@link BlockKernels}). */
    int powerOfTwoScaleCode(double amax) {
        int k = amax == 0 ? scaleMinExponent : powerOfTwoExponent(format.scaleRule(), amax);
        k = Math.max(scaleMinExponent, Math.min(scaleMaxExponent, k));
        return scale.encodeExact(1, k, false, Rounding.RNE, Overflow.SATURATE, 0);
    }

    /** The unclamped power-of-two exponent of a rule for amax > 0. */
    private int powerOfTwoExponent(ScaleRule rule, double amax) {
        int fl = floorLog2(amax);
        int emax = element.emax();
        switch (rule) {
            case FLOOR:
                return fl - emax;
            case CEIL:
                return fl + (Long.bitCount(ExactQuotient.significand(amax)) == 1 ? 0 : 1) - emax;
            case EVEN: {
                // amax rounded to F's top-binade precision (ties away) reaches the next binade.
                double m = Math.scalb(amax, -fl);   // exact, in [1, 2)
                return fl + (m >= 2 - Math.scalb(1.0, -evenFractionBits - 1) ? 1 : 0) - emax;
            }
            case RCEIL: {
                int k = fl - emax;
                return Math.scalb(amax, -k) <= maxF ? k : k + 1;   // exact, in [2^emax, 2^(emax+1))
            }
            default:
                throw new AssertionError(rule);
        }
    }

    /** The {@link ScaleRule#RNE} scale code of a block with finite amax >= 0 (exact, as {@link #quantizeBlock} gives it). */
    int rneScaleCode(double amax, float tensorScale) {
        return roundedScale(amax, 1, maxF * tensorScale);   // exact divisor: short significands
    }

    /**
     * One finite element's code against a finite scale code whose value is not zero: {@code x / (scale
     * * tensorScale)} rounded once with the format's deterministic rounding, as {@link #quantizeBlock}
     * encodes it.
     */
    int encodeElement(double x, int scaleCode, float tensorScale) {
        double divisor = scale.decode(scaleCode) * tensorScale;   // exact: short significands
        return ExactQuotient.encode(element, x, 1, ExactQuotient.oddSignificand(divisor),
                ExactQuotient.oddExponent(divisor), format.elementRounding(), format.tiesTowardZero(), 0);
    }

    /** The scale code of amax * factor / divisor rounded to nearest even, saturating. */
    private int roundedScale(double amax, long factor, double divisor) {
        return ExactQuotient.encode(scale, amax, factor, ExactQuotient.oddSignificand(divisor),
                ExactQuotient.oddExponent(divisor), Rounding.RNE, false, 0);
    }

    /** The sum of squared errors of the block under a scale code, with deterministic rounding. */
    private double blockError(double[] buf, int n, int scaleCode, float tensorScale) {
        if (codeScratch == null || codeScratch.length < n) {
            codeScratch = new byte[n];
            errorScratch = new double[n];
        }
        encodeElements(buf, n, scaleCode, tensorScale, searchRounding, null, codeScratch, 0);
        double factor = scale.decode(scaleCode) * tensorScale;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = buf[i] - elementValues[codeScratch[i] & elementMask] * factor;
            sum += e * e;
        }
        return sum;
    }

    /**
     * Encodes {@code buf[0..n)} against a given scale code (finite) with the format's rounding:
     * for layouts whose scale comes from elsewhere, such as gguf's.
     */
    void encodeWithScale(double[] buf, int n, int scaleCode, byte[] codes, int codeOffset) {
        encodeElements(buf, n, scaleCode, 1f, format.elementRounding(), null, codes, codeOffset);
    }

    private void encodeElements(double[] buf, int n, int scaleCode, float tensorScale, Rounding rounding,
                                RandomGenerator random, byte[] codes, int codeOffset) {
        double x = scale.decode(scaleCode);
        boolean ties = format.tiesTowardZero();
        if (x == 0) {
            for (int i = 0; i < n; i++) {
                boolean negative = Double.doubleToRawLongBits(buf[i]) < 0;
                codes[codeOffset + i] = (byte) element.encodeExact(0, 0, negative, Rounding.RNE, Overflow.SATURATE, 0);
            }
            return;
        }
        double divisor = x * tensorScale;          // exact: short significands
        long dSig = ExactQuotient.oddSignificand(divisor);
        int dExp = ExactQuotient.oddExponent(divisor);
        for (int i = 0; i < n; i++) {
            int bits = random == null ? 0 : random.nextInt();
            codes[codeOffset + i] = (byte) ExactQuotient.encode(element, buf[i], 1, dSig, dExp, rounding, ties, bits);
        }
    }

    /**
     * Decodes n codes of one block: each value is element * scale * tensorScale, computed exactly in
     * double (at most 8 + 8 + 24 significant bits) and rounded once to float.
     */
    void dequantizeBlock(byte[] codes, int codeOffset, int n, int scaleCode, float tensorScale,
                         float[] out, int outOffset) {
        double factor = scale.decode(scaleCode) * tensorScale;
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = (float) (elementValues[codes[codeOffset + i] & elementMask] * factor);
        }
    }
}
