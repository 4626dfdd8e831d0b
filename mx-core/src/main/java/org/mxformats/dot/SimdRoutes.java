package org.mxformats.dot;

import java.nio.ByteBuffer;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.Packing;
import org.mxformats.format.ElementFormat;
import org.mxformats.simd.Kernels;

/**
 * The dot products' hot loops on the {@link Kernels} (Vector API when available). FAST MX x float
 * products of whole blocks use {@link Kernels#dotFast}, whose fixed lane order is documented in
 * docs/dot.md; exact MX x MX products take each block's exact integer sum from
 * {@link Kernels#blockProductSums} when it fits a double exactly.
 */
final class SimdRoutes {
    private SimdRoutes() {
    }

    /** Whether the FAST product of this shape goes through the kernels: whole blocks only. */
    static boolean fastApplies(MxFormat f, int length) {
        return length > 0 && length % f.blockSize() == 0;
    }

    /** Codes as {@link Kernels#dotFast} reads them: the packed bytes for 4- and 8-bit formats, else one per byte. */
    static byte[] kernelCodes(MxArray a) {
        ByteBuffer view = a.packedElements();
        byte[] packed = new byte[view.remaining()];
        view.get(packed);
        int bits = a.format().element().bits();
        if (bits == 4 || bits == 8) {
            return packed;
        }
        byte[] codes = new byte[a.length()];
        Packing.unpack(bits, packed, 0, codes, 0, a.length());
        return codes;
    }

    static byte[] scaleCodes(MxArray a) {
        ByteBuffer view = a.scales();
        byte[] scales = new byte[view.remaining()];
        view.get(scales);
        return scales;
    }

    /** x in the kernels' lane order for vectors of this format and length. */
    static double[] laneX(MxFormat f, float[] x, int offset, int length) {
        return Kernels.laneOrder(f.element(), f.blockSize(), x, offset, length);
    }

    /** The FAST dot product of whole blocks, tensor scale applied, before the final rounding. */
    static double fastDot(MxArray a, byte[] codes, byte[] scales, double[] laneX, int laneXOffset) {
        MxFormat f = a.format();
        double total = Kernels.get().dotFast(f.element(), codes, 0, f.scale(), scales, 0, f.blockSize(),
                a.length() / f.blockSize(), laneX, laneXOffset);
        return a.tensorScale() != 1 ? total * a.tensorScale() : total;
    }

    /**
     * Each whole block's exact product sum, or null when the kernels cannot give it exactly (the
     * integer sums do not fit 53 bits, or the block kernel does not sum integers).
     */
    static double[] blockSums(BlockDotKernel kernel, Unpacked a, Unpacked b) {
        int k = a.blockSize;
        ElementFormat ea = a.element;
        ElementFormat eb = b.element;
        if (kernel.tier() != BlockDotKernel.Tier.LONG || Kernels.exactProductSumBits(ea, eb, k) > 53) {
            return null;
        }
        int blocks = a.length / k;
        double[] sums = new double[blocks];
        Kernels.get().blockProductSums(ea, a.codes, 0, eb, b.codes, 0, k, blocks, sums);
        return sums;
    }
}
