package org.mxformats.block;

import java.util.Arrays;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;
import org.mxformats.format.SignEncoding;
import org.mxformats.simd.Kernels;

/**
 * Float quantization under the {@link ScaleRule#RNE} scale rule (NVFP4, MXFP4_UE5M3, any scale
 * that is not a power of two), with {@link BlockCodec}'s codes, without an exact long division per
 * element.
 *
 * <p>{@link BlockCodec} rounds the exact quotients {@code amax / (max(F) t)} (the scale) and
 * {@code x / (X t)} (each element) once into their formats. Here each quotient Q is divided in
 * double and rounded to float, {@code q = fl32(fl64(Q))}, and q is encoded as a float (the
 * kernels' bulk encoder for the elements). Why that is the same code: rounding into a format of at
 * most 8 bits is a monotonic step function of the real argument, constant between consecutive
 * <em>boundaries</em> (the midpoints between adjacent values for the nearest modes, the values
 * themselves for the directed ones), and every boundary is a float with at most {@code P + 1}
 * significant bits (P the format's precision: a binade's values have P bits, its midpoints one
 * more). Both roundings are monotonic and leave floats unchanged, so if Q lies strictly between
 * two boundaries, q lies between them too, or on one; and if q is not a float of at most P + 1
 * significant bits, it is on none, so it rounds as Q does. Quotients whose q has so few bits (Q
 * exactly on a boundary, or within a double's rounding of one, or a multiple of a short power of
 * two), or that are zero, subnormal or not finite, are encoded by {@link BlockCodec} exactly: for
 * Gaussian data about one element in 2^21. Blocks with a NaN or an infinity are the codec's too.
 */
final class RneScaleQuantizer {
    private static final int GROUP_ELEMENTS = 4096;

    private RneScaleQuantizer() {
    }

    /** Whether {@link #quantize} gives the exact quantizer's codes for this format (float input). */
    static boolean applies(MxFormat f) {
        return f.scaleRule() == ScaleRule.RNE && !f.tiesTowardZero() && f.elementRounding().isDeterministic()
                && f.element().bits() <= 8 && f.scale().bits() <= 8;
    }

    /**
     * The float bits below a format's boundaries: a float whose low bits under this mask are all
     * zero has at most P + 1 significant bits (P: the significand bits of the format's values, the
     * magnitude bits of a two's complement one).
     */
    static int boundaryMask(ElementFormat f) {
        int precision = f.signEncoding() == SignEncoding.TWOS_COMPLEMENT ? f.bits() - 1 : f.mantissaBits() + 1;
        return (1 << (23 - precision)) - 1;
    }

    /** Whether q might be a boundary (see the class comment), or is zero, subnormal or not finite. */
    static boolean suspect(float q, int mask) {
        int bits = Float.floatToRawIntBits(q) & 0x7fff_ffff;
        return bits < 0x0080_0000 || bits >= 0x7f80_0000 || (bits & mask) == 0;
    }

    /**
     * Quantizes {@code in[offset .. offset + length)} with tensor scale {@code ts}: the element codes
     * packed into {@code packed} from byte {@code packedOffset} and the scale codes into
     * {@code scales} from {@code scaleOffset}, the codes {@link BlockCodec#quantizeBlock} gives
     * block by block. Group by group (whole blocks, a multiple of 8 elements, so that each group
     * fills whole packed bytes), through group-sized scratch arrays.
     */
    static void quantize(MxFormat f, float[] in, int offset, int length, float ts, byte[] packed, int packedOffset,
                         byte[] scales, int scaleOffset) {
        Kernels kernels = Kernels.get();
        BlockCodec codec = new BlockCodec(f);
        ElementFormat element = f.element();
        ElementFormat scale = f.scale();
        int bits = element.bits();
        int k = f.blockSize();
        int group = Math.max(8, GROUP_ELEMENTS / k / 8 * 8) * k;
        int elementMask = boundaryMask(element);
        int scaleMask = boundaryMask(scale);
        double divisor = element.maxFinite() * (double) ts;   // exact: short significands
        Rounding rounding = f.elementRounding();
        int first = Math.min(group, length);
        byte[] codes = new byte[first];
        float[] quotients = new float[first];
        float[] maxima = new float[f.blockCount(first)];
        int[] redo = new int[maxima.length];           // blocks with a suspect quotient or a NaN
        int[] blockScales = new int[maxima.length];
        float[] scaleQuotients = new float[maxima.length];
        double[] divisors = new double[maxima.length];
        byte[] suspects = new byte[maxima.length];
        byte[] scaleCodes = new byte[maxima.length];
        double[] buf = new double[Math.min(k, length)];
        for (int start = 0; start < length; start += group) {
            int n = Math.min(group, length - start);
            int blocks = f.blockCount(n);
            int at = offset + start;
            kernels.blockMaxAbs(in, at, n, k, maxima);
            for (int b = 0; b < blocks; b++) {   // 0 for a NaN or infinite block, whose code is the codec's
                scaleQuotients[b] = maxima[b] <= Float.MAX_VALUE ? (float) (maxima[b] / divisor) : 0f;
            }
            kernels.encode(scale, scaleQuotients, 0, scaleCodes, 0, blocks, Rounding.RNE, Overflow.SATURATE);
            int redos = 0;
            for (int b = 0; b < blocks; b++) {
                float amax = maxima[b];
                if (!(amax <= Float.MAX_VALUE)) {   // a NaN or an infinity: the codec's NaN block
                    blockScales[b] = -1;
                    redo[redos++] = b;
                    divisors[b] = 1;   // quotients computed, then replaced
                    continue;
                }
                int sc = amax == 0 || suspect(scaleQuotients[b], scaleMask) ? codec.rneScaleCode(amax, ts)
                        : scaleCodes[b] & 0xff;
                blockScales[b] = sc;
                // A zero scale: every element a zero of its own sign, as the codec gives them
                // (finite / infinity), and no redo; else the exact divisor (short significands).
                double x = scale.decode(sc);
                divisors[b] = x == 0 ? Double.POSITIVE_INFINITY : x * ts;
            }
            kernels.scaledQuotients(in, at, n, k, divisors, elementMask, quotients, 0, suspects);
            for (int b = 0; b < blocks; b++) {
                if (blockScales[b] < 0) {   // no NaN or infinity into the encoder: the codec redoes the block
                    Arrays.fill(quotients, b * k, Math.min(n, b * k + k), 0f);
                } else if (suspects[b] != 0 && divisors[b] != Double.POSITIVE_INFINITY) {
                    redo[redos++] = b;
                }
            }
            kernels.encode(element, quotients, 0, codes, 0, n, rounding, Overflow.SATURATE);
            for (int r = 0; r < redos; r++) {
                int b = redo[r];
                int from = b * k;
                int len = Math.min(k, n - from);
                if (blockScales[b] < 0) {
                    for (int i = 0; i < len; i++) {
                        buf[i] = in[at + from + i];
                    }
                    blockScales[b] = codec.quantizeBlock(buf, len, ts, codes, from, null);
                    continue;
                }
                for (int i = 0; i < len; i++) {
                    float v = in[at + from + i];
                    if (v != 0 && suspect(quotients[from + i], elementMask)) {
                        codes[from + i] = (byte) codec.encodeElement(v, blockScales[b], ts);
                    }
                }
            }
            for (int b = 0; b < blocks; b++) {
                scales[scaleOffset + start / k + b] = (byte) blockScales[b];
            }
            // start is a multiple of 8 elements, so the group fills whole bytes
            BlockKernels.packCodes(kernels, bits, codes, packed, packedOffset + Packing.packedBytes(bits, start), n);
        }
    }
}
