package org.mxformats.dot;

import java.nio.ByteBuffer;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxTensor2d;
import org.mxformats.block.Packing;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;
import org.mxformats.internal.MxArrayStorage;
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

    private static final MxArrayStorage STORAGE = MxArrayStorage.get();

    /**
     * An operand's codes (as {@link #kernelCodes(MxArray, byte[])} gives them) and scale codes, each an array and a
     * start: read in place from the MxArray's heap storage when it has one and its codes need no
     * unpacking (4- and 8-bit elements), else copied into buffers this object keeps for the next
     * operand (a matvec reuses one per task, row after row). The arrays must only be read.
     * Mutable: one per thread.
     */
    static final class Operand {
        byte[] codes;
        int codeOffset;
        byte[] scales;
        int scaleOffset;
        float tensorScale;
        private byte[] codeCopy;
        private byte[] scaleCopy;

        /** Points this object at {@code a}'s codes; returns it. */
        Operand of(MxArray a) {
            tensorScale = a.tensorScale();
            int bits = a.format().element().bits();
            byte[] inPlace = bits == 4 || bits == 8 ? STORAGE.elementArray(a) : null;
            if (inPlace != null) {
                codes = inPlace;
                codeOffset = STORAGE.elementOffset(a);
            } else {
                codeCopy = kernelCodes(a, codeCopy);
                codes = codeCopy;
                codeOffset = 0;
            }
            byte[] scaleArray = STORAGE.scaleArray(a);
            if (scaleArray != null) {
                scales = scaleArray;
                scaleOffset = STORAGE.scaleOffset(a);
            } else {
                scaleCopy = scaleCodes(a, scaleCopy);
                scales = scaleCopy;
                scaleOffset = 0;
            }
            return this;
        }
    }

    /**
     * The rows of a tensor with blocks along rows, as {@link #fastDotRows} reads them in place from
     * the tensor's arrays (without the view {@link MxTensor2d#row} makes, which costs more than a
     * short row's dot product); for 4- and 8-bit elements only, whose codes the kernels read as
     * they are stored.
     */
    static final class TensorRows {
        final byte[] codes;   // null: not readable in place (codes that are neither 4 nor 8 bits)
        final byte[] scales;
        final int rowBytes;
        final int rowBlocks;
        final float tensorScale;

        TensorRows(MxTensor2d t) {
            MxFormat f = t.format();
            int bits = f.element().bits();
            codes = bits == 4 || bits == 8 ? STORAGE.elementArray(t) : null;
            scales = STORAGE.scaleArray(t);
            rowBytes = f.packedBytes(t.cols());
            rowBlocks = f.blockCount(t.cols());
            tensorScale = t.tensorScale();
        }
    }

    /** Whether the FAST product of this shape goes through the kernels: whole blocks only. */
    static boolean fastApplies(MxFormat f, int length) {
        return length > 0 && length % f.blockSize() == 0;
    }

    /**
     * A copy of the codes as {@link Kernels#dotFast} reads them (the packed bytes for 4- and 8-bit
     * formats, else one per byte), written into {@code reuse} when that is long enough (the array
     * returned may then be longer than the codes).
     */
    static byte[] kernelCodes(MxArray a, byte[] reuse) {
        ByteBuffer view = a.packedElements();
        int size = view.remaining();
        byte[] packed = reuse != null && reuse.length >= size ? reuse : new byte[size];
        view.get(0, packed, 0, size);
        int bits = a.format().element().bits();
        if (bits == 4 || bits == 8) {
            return packed;
        }
        byte[] codes = new byte[a.length()];
        Packing.unpack(bits, packed, 0, codes, 0, a.length());
        return codes;
    }

    static byte[] scaleCodes(MxArray a) {
        return scaleCodes(a, null);
    }

    /** The scale codes, one per byte, written into {@code reuse} when that is long enough. */
    static byte[] scaleCodes(MxArray a, byte[] reuse) {
        ByteBuffer view = a.scales();
        int size = view.remaining();
        byte[] scales = reuse != null && reuse.length >= size ? reuse : new byte[size];
        view.get(0, scales, 0, size);
        return scales;
    }

    /**
     * {@link ExactAccumulator#roundToFloat}, with RNE done by the double-to-float conversion, which
     * is IEEE round-to-nearest-even (subnormals and overflow included): building an accumulator
     * per result costs more than a short dot product.
     */
    static float toFloat(double x, Rounding rounding) {
        if (rounding == Rounding.RNE) {
            return Double.isNaN(x) ? Float.NaN : (float) x;
        }
        return ExactAccumulator.roundToFloat(x, rounding);
    }

    /**
     * The FAST dot product of {@code blocks} whole blocks of format {@code f} whose codes
     * {@code operand} holds, tensor scale applied, before the final rounding.
     */
    static double fastDot(MxFormat f, int blocks, Operand operand, float[] x, int offset) {
        double total = Kernels.get().dotFast(f.element(), operand.codes, operand.codeOffset, f.scale(), operand.scales,
                operand.scaleOffset, f.blockSize(), blocks, x, offset);
        return operand.tensorScale != 1 ? total * operand.tensorScale : total;
    }

    /**
     * For a product of many rows with the same float columns: the n columns (each {@code inner}
     * floats from {@code offset + j * inner}) in the form the kernels read fastest for this format
     * ({@link Kernels#preferredXForm}), column j from {@code j * inner}; null when that is x as it
     * is, or when the form does not hold these columns exactly.
     */
    static PreparedColumns prepareColumns(MxFormat f, float[] columns, int offset, int inner, int n) {
        Kernels.XForm form = Kernels.get().preferredXForm(f.element(), f.blockSize());
        if (form == Kernels.XForm.NATURAL) {
            return null;
        }
        float[] prepared = new float[Math.multiplyExact(inner, n)];
        for (int j = 0; j < n; j++) {
            if (!Kernels.prepareX(form, f.element(), columns, offset + j * inner, inner, prepared, j * inner)) {
                return null;
            }
        }
        return new PreparedColumns(form, prepared);
    }

    /** Columns as {@link #prepareColumns} wrote them, column j from {@code j * inner}. */
    record PreparedColumns(Kernels.XForm form, float[] values) {
    }

    /** {@link #fastDot} with x as {@link #prepareColumns} gave it: the same value. */
    static double fastDotPrepared(MxFormat f, int blocks, Operand operand, PreparedColumns x, int offset) {
        double total = Kernels.get().dotFastPrepared(f.element(), x.form(), operand.codes, operand.codeOffset, f.scale(),
                operand.scales, operand.scaleOffset, f.blockSize(), blocks, x.values(), offset);
        return operand.tensorScale != 1 ? total * operand.tensorScale : total;
    }

    /**
     * {@link #fastDot} of rows {@code [first, first + count)} of a tensor read in place, into
     * {@code sums[0 .. count)}, x in {@code form} from {@code offset}: the same values, the
     * kernel's lookups done once for all of them.
     */
    static void fastDotRows(MxFormat f, int blocks, TensorRows lines, int first, int count, float[] x, int offset,
                            Kernels.XForm form, double[] sums) {
        Kernels.get().dotFastRows(f.element(), lines.codes, first * lines.rowBytes, lines.rowBytes, f.scale(),
                lines.scales, first * lines.rowBlocks, lines.rowBlocks, f.blockSize(), blocks, x, offset, form, count,
                sums, 0);
        if (lines.tensorScale != 1) {
            for (int r = 0; r < count; r++) {
                sums[r] *= lines.tensorScale;
            }
        }
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

    /**
     * Elements per group of the streamed exact MX x MX product (whole blocks). 16384 was tried: 7%
     * faster for e4m3 at 1M on JDK 25, but JDK 17 ran MXINT8 at half speed (12.5 against 6.8 ms
     * at 64M), so the groups stay at 4096.
     */
    static final int GROUP = 4096;

    /**
     * {@link #exactDot}'s answer when it leaves the call to the full path: a NaN, which it never
     * returns as a result (a primitive, so that a short call allocates no box).
     */
    static final double NOT_STREAMED = Double.NaN;

    /**
     * The exact MX x MX dot product streamed in groups of blocks, for whole blocks of 4- or 8-bit
     * elements whose integer block sums fit 53 bits; {@link #NOT_STREAMED} when that does not apply
     * or the result is an exact zero (whose sign the full path decides) or NaN (left to the full
     * path as well, which finds the same NaN). 8-bit codes and the scales are read in
     * place from the arrays' heap storage (else copied group by group); the block sums of
     * power-of-two scaled blocks are added up in one shifted long while that provably cannot
     * overflow (the kernels shift and add the integer products themselves,
     * {@link BlockDotKernel#addPowerOfTwoScaledProducts}, else {@link BlockDotKernel#addPowerOfTwoScaledSums}) and rounded
     * once from it, so the exact accumulator is built only for other blocks (non-power-of-two or NaN scales, special
     * elements, totals too wide for a long) or tensor scales. Either way the value rounded is
     * the exact sum, so the result is the full path's.
     */
    static double exactDot(MxArray a, MxArray b, Rounding rounding, boolean toFloat) {
        MxFormat fa = a.format();
        MxFormat fb = b.format();
        ElementFormat ea = fa.element();
        ElementFormat eb = fb.element();
        int k = fa.blockSize();
        int n = a.length();
        if (n == 0 || n % k != 0 || !streamable(ea) || !streamable(eb)
                || Kernels.exactProductSumBits(ea, eb, k) > 53) {
            return NOT_STREAMED;
        }
        BlockDotKernel kernel = kernel(ea, fa.scale(), eb, fb.scale(), k);
        if (kernel.tier() != BlockDotKernel.Tier.LONG) {
            return NOT_STREAMED;
        }
        Kernels kernels = Kernels.get();
        int group = k * Math.max(2, GROUP / k / 2 * 2);   // whole blocks, an even count of elements
        int groupLength = Math.min(group, n);
        Scratch scratch = SCRATCH.get().ensure(groupLength, groupLength / k);
        if (n <= group && a.tensorScale() == 1f && b.tensorScale() == 1f) {
            // One group read in place: the loop below's result for it, without its set-up.
            byte[] ca = STORAGE.elementArray(a);
            byte[] cb = STORAGE.elementArray(b);
            byte[] scalesA = STORAGE.scaleArray(a);
            byte[] scalesB = STORAGE.scaleArray(b);
            if (ca != null && cb != null && scalesA != null && scalesB != null) {
                double r = kernel.roundE8m0Group(kernels, ca, STORAGE.elementOffset(a), cb, STORAGE.elementOffset(b),
                        scalesA, STORAGE.scaleOffset(a), scalesB, STORAGE.scaleOffset(b), n / k, scratch.exponents,
                        rounding, toFloat);
                if (!Double.isNaN(r)) {
                    return r;
                }
            }
        }
        Stream sa = new Stream(a, groupLength, scratch.codesA);
        Stream sb = new Stream(b, groupLength, scratch.codesB);
        double[] sums = scratch.sums;
        int[] exponents = scratch.exponents;
        BlockDotKernel.ScaledSum running = new BlockDotKernel.ScaledSum();
        ExactAccumulator acc = null;   // built only when the running long cannot take a group
        for (int start = 0; start < n; start += group) {
            int count = Math.min(group, n - start);
            sa.loadStored(start, count);
            sb.loadStored(start, count);
            int blocks = count / k;
            int first = start / k;
            if (kernel.addPowerOfTwoScaledProducts(running, kernels, sa.stored, sa.storedOffset, sb.stored,
                    sb.storedOffset, sa.scales, sa.scaleOffset + first, sb.scales, sb.scaleOffset + first, blocks,
                    exponents)) {
                continue;   // no per-block sums at all
            }
            sa.unpackStored(kernels);   // the paths below read codes one per byte
            sb.unpackStored(kernels);
            kernels.blockProductSums(ea, sa.codes, sa.codeOffset, eb, sb.codes, sb.codeOffset, k, blocks, sums);
            if (kernel.addScaledSums(running, sa.scales, sa.scaleOffset + first, sb.scales, sb.scaleOffset + first,
                    sums, blocks, exponents, scratch.multipliers)) {
                continue;
            }
            if (acc == null) {
                acc = kernel.newAccumulator();
            }
            kernel.flush(running, acc);   // the group may fit a fresh running sum
            if (kernel.addScaledSums(running, sa.scales, sa.scaleOffset + first, sb.scales, sb.scaleOffset + first,
                    sums, blocks, exponents, scratch.multipliers)) {
                continue;
            }
            for (int j = 0; j < blocks; j++) {
                int scaleA = sa.scales[sa.scaleOffset + first + j] & 0xFF;
                int scaleB = sb.scales[sb.scaleOffset + first + j] & 0xFF;
                if (Double.isFinite(sums[j])) {
                    kernel.addBlockSum(acc, scaleA, scaleB, sums[j]);
                } else {
                    kernel.addBlock(acc, scaleA, sa.codes, sa.codeOffset + j * k, scaleB, sb.codes,
                            sb.codeOffset + j * k, k);
                }
            }
        }
        double tensor = (double) a.tensorScale() * b.tensorScale();   // exact, as in MxDot
        if (acc == null && tensor != 0 && Double.isFinite(tensor)) {   // one rounding of the exact product
            return running.value == 0 ? NOT_STREAMED : kernel.round(running, tensor, rounding, toFloat);
        }
        if (acc == null) {
            acc = kernel.newAccumulator();
        }
        kernel.flush(running, acc);
        if (acc.isNaN() || !acc.isInfinite() && acc.isExactZero()) {
            return NOT_STREAMED;
        }
        return BlockDotKernel.finish(acc, tensor, () -> false, rounding, toFloat);
    }

    /** Per-thread buffers of {@link #exactDot}: allocating them costs as much as a short dot product. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        byte[] codesA = new byte[0];
        byte[] codesB = new byte[0];
        double[] sums = new double[0];
        int[] exponents = new int[0];
        long[] multipliers = new long[0];

        /** Grows the buffers to a group of {@code length} elements in {@code blocks} blocks. */
        Scratch ensure(int length, int blocks) {
            if (codesA.length < length) {
                codesA = new byte[length];
                codesB = new byte[length];
            }
            if (sums.length < blocks) {
                sums = new double[blocks];
                exponents = new int[blocks];
                multipliers = new long[blocks];
            }
            return this;
        }
    }

    /**
     * One operand of a streamed dot product ({@link #exactDot}, {@link CertifiedFloatDot}), a group
     * of elements at a time: its codes as stored (4-bit codes two per byte, {@link #loadStored}) or
     * one per byte ({@link #load}), and its scale codes, each an array and a start, read in place
     * where the storage allows (heap storage, codes already one per byte), else copied or unpacked
     * group by group. Mutable: one per call.
     */
    static final class Stream {
        private final MxArray array;        // null when the codes are already one per byte
        private final boolean nibbles;      // 4-bit codes packed two per byte, unpacked group by group
        private final byte[] inPlace;       // the heap array holding the codes, or null
        private final int inPlaceOffset;
        private byte[] packed;              // a group's packed codes copied out, when not in place
        private final byte[] unpacked;      // the buffer for 4-bit codes one per byte
        private int storedCount;            // elements of the group loadStored last gave
        byte[] stored;                      // the group's codes as MX stores them (loadStored)
        int storedOffset;
        byte[] codes;                       // the group's codes one per byte (load, unpackStored)
        int codeOffset;
        final byte[] scales;
        final int scaleOffset;

        /**
         * The codes of {@code a} (4- or 8-bit elements); {@code unpacked}: a buffer of at least
         * {@code groupLength} bytes for 4-bit codes.
         */
        Stream(MxArray a, int groupLength, byte[] unpacked) {
            array = a;
            this.unpacked = unpacked;
            nibbles = a.format().element().bits() == 4;
            inPlace = STORAGE.elementArray(a);
            inPlaceOffset = STORAGE.elementOffset(a);
            if (inPlace == null) {
                packed = new byte[nibbles ? groupLength / 2 : groupLength];
            }
            byte[] scaleArray = STORAGE.scaleArray(a);
            scales = scaleArray != null ? scaleArray : scaleCodes(a);
            scaleOffset = scaleArray != null ? STORAGE.scaleOffset(a) : 0;
        }

        /** Codes already one per byte (an unpacked operand, a matrix row) and its scale codes: read in place. */
        Stream(byte[] codesOnePerByte, byte[] scaleCodes) {
            array = null;
            unpacked = null;
            nibbles = false;
            inPlace = codesOnePerByte;
            inPlaceOffset = 0;
            scales = scaleCodes;
            scaleOffset = 0;
        }

        /**
         * Makes {@code stored[storedOffset ..]} elements {@code start .. start + count} (start and
         * count even) as MX stores them: 4-bit codes two per byte, others one per byte.
         */
        void loadStored(int start, int count) {
            storedCount = count;
            if (inPlace != null) {
                stored = inPlace;
                storedOffset = inPlaceOffset + (nibbles ? start / 2 : start);
            } else {
                array.packedElements().get(nibbles ? start / 2 : start, packed, 0, nibbles ? count / 2 : count);
                stored = packed;
                storedOffset = 0;
            }
        }

        /** After {@link #loadStored}: makes {@code codes[codeOffset ..]} the same elements one per byte. */
        void unpackStored(Kernels kernels) {
            if (nibbles) {
                kernels.unpackNibbles(stored, storedOffset, unpacked, 0, storedCount);
                codes = unpacked;
                codeOffset = 0;
            } else {
                codes = stored;
                codeOffset = storedOffset;
            }
        }

        /** Makes {@code codes[codeOffset ..]} elements {@code start .. start + count} (start even), one per byte. */
        void load(int start, int count, Kernels kernels) {
            loadStored(start, count);
            unpackStored(kernels);
        }

        /** Whether the codes are 4-bit ones stored two per byte ({@link #loadSmallIntegers} then applies). */
        boolean packsNibbles() {
            return nibbles;
        }

        /**
         * {@link #load} with every 4-bit code replaced by its {@link Kernels#smallIntegerTable}
         * integer of {@code element} (which must have that table); for {@link #packsNibbles} streams.
         */
        void loadSmallIntegers(int start, int count, Kernels kernels, ElementFormat element) {
            loadStored(start, count);
            kernels.unpackSmallIntegers(element, stored, storedOffset, unpacked, 0, storedCount);
            codes = unpacked;
            codeOffset = 0;
        }
    }

    /** The last kernel built, reused when the same format instances come again (the common case). */
    private static volatile KernelEntry lastKernel;

    private static final class KernelEntry {
        final ElementFormat ea;
        final ElementFormat sa;
        final ElementFormat eb;
        final ElementFormat sb;
        final int k;
        final BlockDotKernel kernel;

        KernelEntry(ElementFormat ea, ElementFormat sa, ElementFormat eb, ElementFormat sb, int k,
                    BlockDotKernel kernel) {
            this.ea = ea;
            this.sa = sa;
            this.eb = eb;
            this.sb = sb;
            this.k = k;
            this.kernel = kernel;
        }
    }

    /**
     * A block kernel for these formats: building one looks its code tables up by
     * {@code ElementFormat.hashCode}, which costs more than a whole short dot product.
     */
    private static BlockDotKernel kernel(ElementFormat ea, ElementFormat sa, ElementFormat eb, ElementFormat sb, int k) {
        KernelEntry e = lastKernel;
        if (e != null && e.ea == ea && e.sa == sa && e.eb == eb && e.sb == sb && e.k == k) {
            return e.kernel;
        }
        BlockDotKernel kernel = new BlockDotKernel(ea, sa, eb, sb, k, true);
        lastKernel = new KernelEntry(ea, sa, eb, sb, k, kernel);
        return kernel;
    }

    private static boolean streamable(ElementFormat e) {
        return e.bits() == 4 || e.bits() == 8;
    }
}
