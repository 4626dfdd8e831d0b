package org.mxformats.block;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.mxformats.format.ElementFormat;
import org.mxformats.simd.Kernels;

/**
 * The quantizer's common case on the {@link Kernels} (Vector API when available): power-of-two
 * scales (UE8M0), no tensor scale, no ties-toward-zero, a deterministic element rounding, float
 * input. There {@code input / 2^k} is exact in any arithmetic, so the kernels' exactly scaled
 * encoding gives the same codes as {@link BlockCodec}, and decoding times an exact float factor is
 * the same single rounding as {@link BlockCodec#dequantizeBlock}. The work goes in groups of whole
 * blocks that fill whole packed bytes, through small scratch arrays.
 */
final class BlockKernels {
    private static final org.mxformats.internal.MxArrayStorage STORAGE = org.mxformats.internal.MxArrayStorage.get();

    private static final int GROUP_ELEMENTS = 4096;

    private BlockKernels() {
    }

    /** Whether {@link #quantize} and {@link #quantizeDequantize} give the exact quantizer's results. */
    static boolean applies(MxFormat f) {
        return f.scaleRule().powerOfTwo() && !f.tensorScale() && !f.tiesTowardZero()
                && f.elementRounding().isDeterministic() && f.element().bits() <= 8;
    }

    /**
     * Whether {@link #dequantize} applies: every scale value (a power of two, UE8M0) is an exact
     * float and there is no tensor scale, or 4-bit elements whose products with every scale value
     * are exact floats (then a tensor scale multiplies once at the end).
     */
    static boolean appliesToDecoding(MxArray a) {
        MxFormat f = a.format();
        return f.scaleRule().powerOfTwo() && a.tensorScale() == 1f && f.element().bits() <= 8
                || f.element().bits() == 4 && exactNibbleFactors(f);
    }

    /** The last format {@link #exactNibbleFactors} answered for, and its answer. */
    private static volatile Object[] lastExactFactors = {null, false};

    /**
     * Whether every finite element value times every finite scale value of this 4-bit format is
     * an exact, normal (or zero) float: then the float product {@code value * scale} is the exact
     * one, and one float multiplication by the tensor scale rounds the exact value once, as
     * {@link BlockCodec#dequantizeBlock} does in double (NVFP4 and MXFP4_UE5M3: e2m1 values have
     * at most 2 significant bits, UE4M3 and UE5M3 scales 4).
     */
    private static boolean exactNibbleFactors(MxFormat f) {
        Object[] last = lastExactFactors;
        if (last[0] == f) {
            return (Boolean) last[1];
        }
        boolean exact = true;
        ElementFormat element = f.element();
        ElementFormat scale = f.scale();
        for (int s = 0; exact && s < scale.codeCount(); s++) {
            double sv = scale.decode(s);
            for (int e = 0; exact && Double.isFinite(sv) && e < element.codeCount(); e++) {
                double p = element.decode(e) * sv;
                exact = !Double.isFinite(p) || p == 0 || (double) (float) p == p && Math.abs(p) >= Float.MIN_NORMAL
                        && (float) sv == sv;
            }
        }
        lastExactFactors = new Object[] {f, exact};
        return exact;
    }

    /** Elements per group: whole blocks, and whole bytes of packed codes. */
    private static int group(MxFormat f) {
        int k = f.blockSize();
        int blocks = Math.max(1, GROUP_ELEMENTS / k);
        return k * blocks * 8;   // a multiple of 8 elements always fills whole bytes
    }

    static MxArray quantize(MxFormat f, float[] in, int offset, int length) {
        byte[] packed = new byte[f.packedBytes(length)];
        byte[] scales = new byte[f.blockCount(length)];
        quantize(f, in, offset, length, packed, 0, scales, 0);
        return MxArray.trusted(f, length, ByteBuffer.wrap(packed), ByteBuffer.wrap(scales), 1f);
    }

    /**
     * Writes the packed codes from byte {@code packedOffset} (every byte of the range, the unused
     * bits of a last partial byte zero) and the scale codes from {@code scaleOffset}.
     */
    static void quantize(MxFormat f, float[] in, int offset, int length, byte[] packed, int packedOffset,
                         byte[] scales, int scaleOffset) {
        Kernels kernels = Kernels.get();
        BlockCodec codec = null;   // both made on first use: the one-pass kernel usually takes every block
        byte[] codes = null;
        int bits = f.element().bits();
        int k = f.blockSize();
        int group = group(f);
        // The one-pass kernel writes codes as MX packs them: one per byte, or nibbles of whole bytes.
        boolean fused = floorUe8m0(f) && (bits == 8 || bits == 4 && k % 2 == 0);
        int wholeBlocks = length / k;
        int start = 0;
        while (start < length) {
            if (fused) {
                int first = start / k;
                int done = kernels.quantizeFloorBlocks(f.element(), f.scale(), f.elementRounding(), in, offset + start,
                        k, wholeBlocks - first, packed, packedOffset + Packing.packedBytes(bits, start), scales,
                        scaleOffset + first);
                start += done * k;
                if (start == length) {
                    break;
                }
            }
            // From a block the one-pass kernel did not take (or all of them): one group in steps.
            int n = Math.min(group, length - start);
            if (codec == null) {
                codec = new BlockCodec(f);
                codes = bits == 8 ? null : new byte[Math.min(group, length)];
            }
            byte[] target = bits == 8 ? packed : codes;
            int targetOffset = bits == 8 ? packedOffset + start : 0;
            quantizeBlocks(kernels, codec, f, in, offset + start, n, target, targetOffset, scales,
                    scaleOffset + start / k);
            if (bits != 8) {   // 8-bit codes were written in place
                packCodes(kernels, bits, codes, packed, packedOffset + Packing.packedBytes(bits, start), n);
            }
            start += n;
        }
    }

    /**
     * Packs {@code codes[0 .. n)} of {@code bits} bits into {@code packed} from byte {@code at}
     * (the first code starting a byte): 4- and 8-bit codes by the kernels or a copy, 6-bit ones
     * whole groups of four in the kernels and the rest by {@link Packing}, other widths by
     * {@link Packing}; the bytes {@link Packing#pack} writes.
     */
    static void packCodes(Kernels kernels, int bits, byte[] codes, byte[] packed, int at, int n) {
        if (bits == 8) {
            System.arraycopy(codes, 0, packed, at, n);
        } else if (bits == 4) {
            kernels.packNibbles(codes, 0, packed, at, n);
        } else if (bits == 6) {
            int groups = n / 4;
            kernels.packSixBitGroups(codes, 0, packed, at, groups);
            Packing.pack(bits, codes, 4 * groups, packed, at + 3 * groups, n - 4 * groups);
        } else {
            Packing.pack(bits, codes, 0, packed, at, n);
        }
    }

    /** The FLOOR rule with an exponent-only scale (UE8M0): {@link Kernels#floorScaleExponent} applies. */
    private static boolean floorUe8m0(MxFormat f) {
        ElementFormat scale = f.scale();
        return f.scaleRule() == ScaleRule.FLOOR && scale.mantissaBits() == 0 && !scale.hasSubnormals()
                && !scale.isSigned();
    }

    /** Quantizes whole blocks (the last may be partial) into one code per byte and scale codes. */
    private static void quantizeBlocks(Kernels kernels, BlockCodec codec, MxFormat f, float[] in, int offset,
                                       int length, byte[] codes, int codeOffset, byte[] scales, int firstBlock) {
        int k = f.blockSize();
        ElementFormat scale = f.scale();
        int blocks = f.blockCount(length);
        float[] maxima = new float[blocks];
        int[] exponents = new int[blocks];
        kernels.blockMaxAbs(in, offset, length, k, maxima);
        boolean floorUe8m0 = floorUe8m0(f);
        int minExponent = Math.getExponent(scale.minSubnormal());
        int maxExponent = scale.emax();
        int emax = f.element().emax();
        boolean anyNaN = false;
        for (int b = 0; b < blocks; b++) {
            if (!(maxima[b] <= Float.MAX_VALUE)) {   // a NaN or an infinity: NaN scale, zero codes
                scales[firstBlock + b] = (byte) scale.nanCode();
                anyNaN = true;
                continue;
            }
            if (floorUe8m0) {   // the FLOOR rule, written out for the common UE8M0 scale
                int e = Kernels.floorScaleExponent(maxima[b], emax, minExponent, maxExponent);
                scales[firstBlock + b] = (byte) (e + scale.bias());
                exponents[b] = e;
                continue;
            }
            int sc = codec.powerOfTwoScaleCode(maxima[b]);
            scales[firstBlock + b] = (byte) sc;
            exponents[b] = Math.getExponent(scale.decode(sc));
        }
        if (anyNaN) {
            for (int b = 0; b < blocks; b++) {   // block by block, so that the encoder never meets the NaN
                int start = b * k;
                if (!(maxima[b] <= Float.MAX_VALUE)) {
                    Arrays.fill(codes, codeOffset + start, codeOffset + start + Math.min(k, length - start), (byte) 0);
                } else {
                    kernels.encodeScaled(f.element(), in, offset + start, Math.min(k, length - start), exponents[b],
                            f.elementRounding(), codes, codeOffset + start);
                }
            }
            return;
        }
        kernels.encodeScaledBlocks(f.element(), in, offset, length, k, exponents, 0, f.elementRounding(), codes,
                codeOffset);
    }

    static void dequantize(MxArray a, float[] out, int offset) {
        MxFormat f = a.format();
        Kernels kernels = Kernels.get();
        ElementFormat element = f.element();
        int bits = element.bits();
        int k = f.blockSize();
        int length = a.length();
        int group = group(f);
        float tensor = a.tensorScale();   // 1 unless the 4-bit factors are exact (appliesToDecoding)
        // 8- and 4-bit codes in a heap array are read where they are (no copy, no garbage per call).
        byte[] inPlace = bits == 8 || bits == 4 ? STORAGE.elementArray(a) : null;
        ByteBuffer packedView = a.packedElements();
        byte[] packed = inPlace != null ? inPlace : new byte[Packing.packedBytes(bits, Math.min(group, length))];
        byte[] codes = bits == 8 || bits == 4 ? packed : new byte[Math.min(group, length)];
        float[] factors = new float[f.blockCount(Math.min(group, length))];
        byte[] scaleArray = STORAGE.scaleArray(a);
        ElementFormat scale = f.scale();
        for (int start = 0; start < length; start += group) {
            int n = Math.min(group, length - start);
            int at = 0;   // where the group's packed codes start in packed
            if (inPlace != null) {
                at = STORAGE.elementOffset(a) + Packing.packedBytes(bits, start);
            } else {
                packedView.get(Packing.packedBytes(bits, start), packed, 0, Packing.packedBytes(bits, n));
            }
            int blocks = f.blockCount(n);
            // Each scale is a float (every scale format's values are), its code read where it is
            // stored when that is a heap array: MxArray.scaleValue per block took a sixth of a
            // 1M MXFP4 call. Read-only and direct scale buffers go through scaleCode.
            int first = scaleArray != null ? STORAGE.scaleOffset(a) + start / k : 0;
            for (int b = 0; b < blocks; b++) {
                int code = scaleArray != null ? scaleArray[first + b] & 0xff : a.scaleCode(start / k + b);
                factors[b] = scale.decodeFloat(code);
            }
            if (bits == 4) {   // nibbles decoded where they are, without unpacking them first
                kernels.decodeNibbleBlocks(element, packed, at, n, k, factors, 0, out, offset + start);
                if (tensor != 1f) {   // value * scale is exact (exactNibbleFactors): one rounding here
                    for (int i = offset + start; i < offset + start + n; i++) {
                        out[i] *= tensor;
                    }
                }
                continue;
            }
            if (bits == 6) {   // MX element widths are 4, 6 and 8
                int groups = n / 4;
                kernels.unpackSixBitGroups(packed, 0, codes, 0, groups);
                Packing.unpack(bits, packed, 3 * groups, codes, 4 * groups, n - 4 * groups);
            }
            kernels.decodeScaledBlocks(element, codes, at, n, k, factors, 0, out, offset + start);
        }
    }

    static void quantizeDequantize(MxFormat f, float[] in, int inOffset, float[] out, int outOffset, int length) {
        Kernels kernels = Kernels.get();
        BlockCodec codec = new BlockCodec(f);
        int k = f.blockSize();
        int group = group(f);
        byte[] codes = new byte[Math.min(group, length)];
        byte[] scales = new byte[codes.length / k + 1];
        float[] factors = new float[scales.length];
        for (int start = 0; start < length; start += group) {
            int n = Math.min(group, length - start);
            quantizeBlocks(kernels, codec, f, in, inOffset + start, n, codes, 0, scales, 0);
            int blocks = f.blockCount(n);
            for (int b = 0; b < blocks; b++) {
                factors[b] = (float) f.scale().decode(scales[b] & 0xff);
            }
            kernels.decodeScaledBlocks(f.element(), codes, 0, n, k, factors, 0, out, outOffset + start);
        }
    }
}
