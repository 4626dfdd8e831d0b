package org.mxformats.simd;

import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;
import org.mxformats.format.SignEncoding;

/**
 * The Vector API kernels. Each kernel works on whole vectors of the preferred width and leaves
 * tails, and any case it does not cover, to {@link ScalarKernels}, so results are always the
 * scalar ones. Loaded only when {@code jdk.incubator.vector} is present (see {@link KernelSelection}).
 */
final class VectorKernels implements Kernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int LANES = I.length();
    /** Bytes for one int vector's lanes: a quarter of the preferred width. */
    static final VectorSpecies<Byte> B_QUARTER = LANES >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;

    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats that widen to one double vector. */
    static final VectorSpecies<Float> F_HALF = FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(D.length() * 32));
    /** Ints that widen to one double vector. */
    static final VectorSpecies<Integer> I_HALF = IntVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(D.length() * 32));
    /** Moves the upper half of a float vector down (then read as {@link #F_HALF}). */
    static final VectorShuffle<Float> UPPER_FLOATS_DOWN = VectorShuffle.iota(F, LANES / 2, 1, true);
    /** Moves the upper half of an int vector down (then read as {@link #I_HALF}). */
    static final VectorShuffle<Integer> UPPER_INTS_DOWN = VectorShuffle.iota(I, LANES / 2, 1, true);
    /** The canonical 16 dot lanes fit one float vector: the dot kernels need it (else scalar). */
    static final boolean DOT_LANES = LANES == DotLanes.LANES && D.length() * 2 == DotLanes.LANES;
    /** 256-bit vectors (AVX2): the 16 dot lanes are two float vectors of 8 (the narrow dot kernels). */
    static final boolean NARROW_DOT_LANES = LANES * 2 == DotLanes.LANES && D.length() * 4 == DotLanes.LANES;
    /** Nibble packing reinterprets byte pairs as little-endian shorts. */
    static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /**
     * Per-thread staging for one chunk's 32 codes in the 256-bit nibble decoding loop, which widens
     * them a quarter at a time from memory: a call then allocates nothing.
     */
    private static final ThreadLocal<byte[]> CHUNK_STAGING = ThreadLocal.withInitial(() -> new byte[DotLanes.CHUNK]);

    /** Null when the preferred vectors have fewer than 8 int lanes: too narrow to pay off. */
    static final VectorKernels INSTANCE = LANES >= 8 ? new VectorKernels() : null;

    private static final ScalarKernels SCALAR = ScalarKernels.INSTANCE;
    private final FormatCache<DecodePlan> decodePlans = new FormatCache<>(DecodePlan::of);
    private final FormatCache<EncodePlan> encodePlans = new FormatCache<>(EncodePlan::new);
    private final FormatCache<FloorPlan> floorPlans = new FormatCache<>(FloorPlan::of);

    private VectorKernels() {
    }

    /** The decoding plan of a format (tests run a plan's loops directly). */
    DecodePlan decodePlan(ElementFormat element) {
        return decodePlans.get(element);
    }

    @Override
    public String name() {
        return "vector-" + I.vectorBitSize();
    }

    // ---- decode ---------------------------------------------------------------------------------

    @Override
    public void decode(ElementFormat format, byte[] codes, int codeOffset, float[] out, int outOffset, int length) {
        DecodePlan plan = decodePlans.get(format);
        if (plan == DecodePlan.NONE) {
            SCALAR.decode(format, codes, codeOffset, out, outOffset, length);
            return;
        }
        int bound = plan.decodeRange(codes, codeOffset, length, 1f, out, outOffset);
        SCALAR.decode(format, codes, codeOffset + bound, out, outOffset + bound, length - bound);
    }

    /**
     * Arithmetic decoding: the magnitude bits shifted into a float's exponent and fraction fields
     * and multiplied by {@code 2^(127 - bias)} give the value, subnormals included; specials are
     * blended in. A plan is checked against every code of its format when built, and a format it
     * does not reproduce exactly (such as one without subnormals) gets {@link #NONE}.
     */
    static final class DecodePlan {
        static final DecodePlan NONE = new DecodePlan();

        private final boolean twosComplement;
        private final int codeMask;
        private final int signBit;
        private final int fractionShift;
        private final float scale;
        private final int maxMagnitude;
        private final int infMagnitude;     // -1 without infinity
        private final int nanSignCode;      // the code that would be -0 but is NaN, or -1
        private final int signShift;        // moves the format's sign bit to bit 31
        private final boolean specials;     // whether any code is an infinity or a NaN
        // The dot loops' decoding of one code per byte into value / DotLanes.unit (see dotBytes32).
        private final boolean laneDecoding; // whether dotBytes32 covers the format
        private final int preShift;         // 8 - bits for signed formats: sign extension from the top bit
        private final int laneShift;        // int shift that puts the fraction at float's
        private final int laneMask;         // sign and magnitude bits of the shifted code
        private final float laneScale;      // 2^(127 - bias) / unit, or the integer code's weight
        private final float valueScale;     // laneScale * unit: a lane-decoded code times this is its value
        private final byte magnitudeByte;   // magnitude bits of a code
        private final byte maxByte;         // largest finite magnitude
        private final byte[] nibbleTable;   // DotLanes.smallIntegerBytes (4-bit lane values, 32 bytes), or null
        private final boolean nibbleLaneDecoding; // whether a byte's two nibbles decode as laneDecoding does one code

        private DecodePlan() {
            twosComplement = false;
            codeMask = signBit = fractionShift = maxMagnitude = infMagnitude = nanSignCode = signShift = 0;
            specials = false;
            scale = 0;
            table = null;
            scaleFactors = null;
            laneDecoding = false;
            preShift = laneShift = laneMask = 0;
            laneScale = valueScale = 0;
            magnitudeByte = maxByte = 0;
            nibbleTable = null;
            nibbleLaneDecoding = false;
        }

        private DecodePlan(ElementFormat f) {
            twosComplement = f.signEncoding() == SignEncoding.TWOS_COMPLEMENT;
            codeMask = f.codeCount() - 1;
            signBit = f.signEncoding() == SignEncoding.SIGN_MAGNITUDE ? 1 << (f.bits() - 1) : 0;
            int m = f.mantissaBits();
            fractionShift = twosComplement ? 32 - f.bits() : 23 - m;
            // Two's complement: value = code * 2^(1 - bias - m); otherwise float bits * 2^(127 - bias).
            scale = (float) Math.scalb(1.0, twosComplement ? 1 - f.bias() - m : 127 - f.bias());
            maxMagnitude = f.maxFiniteCode();
            infMagnitude = f.hasInfinity() ? f.infinityCode(false) : -1;
            nanSignCode = signBit != 0 && !f.hasNegativeZero() ? signBit : -1;
            signShift = 32 - f.bits();
            specials = f.hasNaN() || f.hasInfinity();
            table = FormatTables.floatValues(f);
            double unit = DotLanes.unit(f);
            // Sign-magnitude and two's complement codes are shifted left within their byte so that
            // the sign lands on bit 7, which widening to int then copies up to bit 31.
            preShift = signBit != 0 || twosComplement ? 8 - f.bits() : 0;
            laneShift = twosComplement ? 0 : fractionShift;
            laneMask = signBit != 0 ? 0x8000_0000 | (codeMask & ~signBit) << fractionShift : codeMask << fractionShift;
            laneScale = DotLanes.laneScale(f);
            valueScale = (float) (laneScale * unit);
            // Specials are found by the largest magnitude, so only for sign-magnitude formats
            // whose NaNs and infinities are the top magnitudes (not a NaN in place of -0).
            laneDecoding = (signBit != 0 || twosComplement || !specials) && nanSignCode < 0
                    && fractionShift + f.bits() <= 32 && Float.isFinite(laneScale) && laneScale != 0;
            magnitudeByte = (byte) (codeMask & ~signBit);
            maxByte = (byte) maxMagnitude;
            nibbleTable = DotLanes.smallIntegerBytes(f);
            // 4-bit sign-magnitude codes without specials, their fraction at least 4 bits up.
            nibbleLaneDecoding = laneDecoding && !specials && f.bits() == 4 && signBit == 8 && fractionShift >= 4;
            float unitFloat = (float) unit;
            scaleFactors = new FormatCache<>(scaleFormat -> {
                float[] values = FormatTables.floatValues(scaleFormat);
                float[] scaled = new float[values.length];
                for (int code = 0; code < values.length; code++) {
                    scaled[code] = values[code] * unitFloat;
                }
                return scaled;
            });
        }

        /**
         * Whether {@link #shiftedProducts32} can decode this format's codes two per int lane (as
         * widened shorts): two's complement, or a fraction shift of at least 16, so that the low
         * code's bits fall below {@link #laneMask} when the high one is shifted into place (every
         * format of at most 8 bits with at most 7 fraction bits).
         */
        boolean shortLanes() {
            return twosComplement || laneShift >= 16;
        }

        /** Per scale format: each scale code's float value times this format's lane unit (as a float product). */
        private final FormatCache<float[]> scaleFactors;

        /**
         * The FAST loops' block factors for this scale format, indexed by scale code: the float
         * product {@code value(code) * (float) unit} that the scalar kernel forms per block, formed
         * once, so that a block's factor is one broadcast load.
         */
        float[] factors(ElementFormat scaleFormat) {
            return scaleFactors.get(scaleFormat);
        }

        static DecodePlan of(ElementFormat f) {
            if (f.bits() > 8 || !f.hasSubnormals() || f.mantissaBits() > 23) {
                return NONE;
            }
            DecodePlan plan = new DecodePlan(f);
            return plan.reproduces(f) ? plan : NONE;
        }

        /**
         * Whether the decoding loop ({@link #decodeBlocks}) gives every code the bits of
         * {@code decodeFloat}. The dot loops share its formula for finite codes.
         */
        private boolean reproduces(ElementFormat f) {
            int codes = f.codeCount();
            byte[] all = new byte[(codes + LANES - 1) / LANES * LANES];
            for (int c = 0; c < all.length; c++) {
                all[c] = (byte) (c % codes);
            }
            float[] got = new float[all.length];
            decodeRange(all, 0, all.length, 1f, got, 0);
            for (int c = 0; c < codes; c++) {
                if (Float.floatToRawIntBits(got[c]) != Float.floatToRawIntBits(f.decodeFloat(c))) {
                    return false;
                }
            }
            return true;
        }

        private final float[] table;

        /** The value of one code (bits above the format's width ignored), from the format's table. */
        float value(byte code) {
            return table[code & codeMask];
        }

        /**
         * The 16 lane sums of {@link DotLanes} for blocks of 32 codes one per byte, lanes 0-7 and
         * 8-15 in two double vectors; false (nothing done) for a format it does not decode or when
         * a code is a NaN or an infinity (the scalar kernel then takes the call). The loops live
         * in this class so that no vector crosses a call C2 might not inline, and are flat (one
         * block per iteration) so that none is boxed. Each code becomes {@code value / unit}
         * arithmetically: its fraction and exponent bits shifted into a float's, times
         * {@code laneScale} (subnormals included), or an integer code converted.
         */
        double dotBytes32(byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes, int scaleOffset,
                          int blocks, float[] x, int xOffset) {
            if (!laneDecoding) {
                return Double.NaN;
            }
            int scaleMask = factors.length - 1;
            FloatVector acc = FloatVector.broadcast(F, -0.0f);
            // The largest magnitude seen (a byte vector, not a mask: a mask carried across
            // iterations may be boxed); a NaN or infinity code is above the largest finite one.
            // Before JDK 25 tracked for every format (TRACK_EVERY_FORMAT), used only for those with
            // specials: updated under "if (specials)", a JDK 17 JVM that had run this loop for both
            // kinds of format compiled the carried vector boxed (FAST e4m3 at 1M 191 us and 2.1 MB
            // garbage per call after MXINT8 had run; docs/performance-history.md, twelfth round). JDK 25
            // keeps the test: tracking costs FAST MXINT8 at 1K about 5%, and it boxed nothing there.
            ByteVector largest = ByteVector.zero(B32);
            for (int blk = 0; blk < blocks; blk++) {
                int at = codeOffset + blk * DotLanes.CHUNK;
                if (TRACK_EVERY_FORMAT || specials) {
                    largest = largest.max(ByteVector.fromArray(B32, codes, at).and(magnitudeByte));
                }
                IntVector c0 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector c1 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + DotLanes.LANES)
                        .convertShape(VectorOperators.B2I, I, 0);
                if (preShift != 0) {   // narrower than a byte: sign-extend from the format's top bit
                    c0 = c0.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    c1 = c1.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                }
                FloatVector v0;
                FloatVector v1;
                if (twosComplement) {
                    v0 = ((FloatVector) c0.convert(VectorOperators.I2F, 0)).mul(laneScale);
                    v1 = ((FloatVector) c1.convert(VectorOperators.I2F, 0)).mul(laneScale);
                } else {
                    v0 = ((FloatVector) c0.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats())
                            .mul(laneScale);
                    v1 = ((FloatVector) c1.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats())
                            .mul(laneScale);
                }
                int xo = xOffset + blk * DotLanes.CHUNK;
                FloatVector s = v0.mul(FloatVector.fromArray(F, x, xo));   // fma(v, x, -0) rounds as this does
                s = v1.fma(FloatVector.fromArray(F, x, xo + DotLanes.LANES), s);
                acc = s.fma(FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]), acc);
            }
            if (specials && largest.compare(VectorOperators.GT, maxByte).anyTrue()) {
                return Double.NaN;
            }
            // The fold written out (see FOLDS): s lane j is lanes j and j + 8.
            DoubleVector s = ((DoubleVector) acc.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) acc.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
            return ((s.lane(0) + s.lane(4)) + (s.lane(2) + s.lane(6)))
                    + ((s.lane(1) + s.lane(5)) + (s.lane(3) + s.lane(7)));
        }

        /**
         * {@link #dotBytes32} for 4-bit codes two per byte, low nibble first, for formats whose lane
         * values are small integers without specials (e2m1). Three loops give the same bits for
         * blocks of 32, a fourth takes blocks of 16:
         * <ul>
         * <li>{@link #NIBBLES_WIDE} (16 float lanes, JDK 25: {@link #WIDE_NIBBLE_LOOKUP}): the 16 bytes
         * of a block become 32 nibbles in element order (each byte widened to a short
         * {@code low | high << 8}, read as two bytes), looked up in a 32-byte table and widened to
         * floats, elements 0-15 from part 0 and 16-31 from part 1, so x is read in its own order;
         * <li>{@link #NIBBLES_HALVES} (16 lanes, older JDKs): each half of a block looked up in a
         * 128-bit vector and widened from its part 0;
         * <li>{@link #NIBBLES_NARROW} (8 lanes, AVX2): lanes 0-7 and 8-15 apart as in
         * {@link #dotBytes32Narrow}; the 32 looked-up bytes of a block widen to floats a quarter at
         * a time (elements 0-7, 8-15, 16-23, 24-31), each upper quarter after one byte shuffle
         * brings it down (faster than widening from a staging array: docs/performance-history.md);
         * <li>{@link #NIBBLES_SIXTEEN} (16 lanes, blocks of 16 elements, NVFP4): each block's 8
         * bytes looked up in a 128-bit vector and widened from part 0, one fma with its factor
         * (at 8 lanes, {@link #dotNibbles16Narrow}).
         * </ul>
         *
         * <p>One method for the three loops on purpose: its bytecode stays above C2's limit for inlining
         * a hot callee (FreqInlineSize, 325 bytes), so it is compiled on its own. When the loops were
         * separate methods small enough to inline, a JVM that had run other dot paths first (1K
         * calls, then 1M) often compiled them into their callers with boxed vectors (the Vector
         * API's Java fallback): a 1M-element call took 0.66-0.98 ms and made 1.5 MB of garbage,
         * instead of 60-75 us and none (JDK 25; JDK 17 with AVX2 alike; docs/performance-history.md,
         * twelfth round).
         */
        double dotNibbles32(int loop, byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes,
                            int scaleOffset, int blocks, float[] x, int xOffset) {
            if (nibbleTable == null || !LITTLE_ENDIAN) {
                return Double.NaN;
            }
            int scaleMask = factors.length - 1;
            if (loop == NIBBLES_NARROW) {
                // 128-bit vectors until the widening to floats: a 16-byte table lookup is one shuffle
                // on AVX2, a 32-byte one (or a 256-bit vector split in two) is not.
                ByteVector values = ByteVector.fromArray(B16, nibbleTable, 0);
                FloatVector low = FloatVector.broadcast(F, -0.0f);
                FloatVector high = low;
                for (int blk = 0; blk < blocks; blk++) {
                    // Written out (no helpers): in a JVM that had run other dot paths, JDK 17's C2
                    // left the helpers out of line here and boxed their vectors (MixedHistory,
                    // sixteenth round).
                    int at = codeOffset + blk * DotLanes.LANES;
                    ShortVector p0 = (ShortVector) ByteVector.fromArray(B8, codes, at).convertShape(VectorOperators.B2S, S8, 0);
                    ShortVector p1 = (ShortVector) ByteVector.fromArray(B8, codes, at + 8)
                            .convertShape(VectorOperators.B2S, S8, 0);
                    ByteVector first = ((ByteVector) p0.and((short) 0x000f)                        // elements 0-15
                            .or(p0.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00)).reinterpretAsBytes())
                            .selectFrom(values);
                    ByteVector second = ((ByteVector) p1.and((short) 0x000f)                       // elements 16-31
                            .or(p1.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00)).reinterpretAsBytes())
                            .selectFrom(values);
                    FloatVector v0 = (FloatVector) first.convertShape(VectorOperators.B2F, F, 0);
                    FloatVector v1 = (FloatVector) first.rearrange(UPPER_HALF_DOWN).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector v2 = (FloatVector) second.convertShape(VectorOperators.B2F, F, 0);
                    FloatVector v3 = (FloatVector) second.rearrange(UPPER_HALF_DOWN).convertShape(VectorOperators.B2F, F, 0);
                    int xo = xOffset + blk * DotLanes.CHUNK;
                    FloatVector factor = FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]);
                    low = v2.fma(FloatVector.fromArray(F, x, xo + 16), v0.mul(FloatVector.fromArray(F, x, xo)))
                            .fma(factor, low);
                    high = v3.fma(FloatVector.fromArray(F, x, xo + 24), v1.mul(FloatVector.fromArray(F, x, xo + 8)))
                            .fma(factor, high);
                }
                // The fold written out (see FOLDS): u lane j is t_j + t_(j+4), t_j = low_j + high_j.
                DoubleVector u = ((DoubleVector) low.convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) high.convertShape(VectorOperators.F2D, D, 0))
                        .add(((DoubleVector) low.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0))
                                .add((DoubleVector) high.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0)));
                return nonZero((u.lane(0) + u.lane(2)) + (u.lane(1) + u.lane(3)));
            }
            FloatVector acc = FloatVector.broadcast(F, -0.0f);
            if (loop == NIBBLES_SIXTEEN) {
                // Blocks of 16 (NVFP4): 8 bytes a block, their nibbles in order, one lookup in a
                // 16-byte table, widened from part 0; one fma with the block's factor.
                ByteVector values = ByteVector.fromArray(B16, nibbleTable, 0);
                for (int blk = 0; blk < blocks; blk++) {
                    ShortVector p = (ShortVector) ByteVector.fromArray(B8, codes, codeOffset + blk * 8)
                            .convertShape(VectorOperators.B2S, S8, 0);
                    FloatVector v = (FloatVector) p.and((short) 0x000f)
                            .or(p.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00)).reinterpretAsBytes()
                            .selectFrom(values).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector s = v.mul(FloatVector.fromArray(F, x, xOffset + blk * DotLanes.LANES));
                    acc = s.fma(FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]), acc);
                }
                // The fold written out (see FOLDS): s lane j is lanes j and j + 8.
                DoubleVector s = ((DoubleVector) acc.convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) acc.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
                return nonZero(((s.lane(0) + s.lane(4)) + (s.lane(2) + s.lane(6)))
                        + ((s.lane(1) + s.lane(5)) + (s.lane(3) + s.lane(7))));
            }
            if (loop == NIBBLES_WIDE) {
                ByteVector values = ByteVector.fromArray(B32, nibbleTable, 0);
                for (int blk = 0; blk < blocks; blk++) {
                    ShortVector pairs = (ShortVector) ByteVector
                            .fromArray(B16, codes, codeOffset + blk * DotLanes.LANES)
                            .convertShape(VectorOperators.B2S, S16, 0);
                    ByteVector v = ((ByteVector) pairs.and((short) 0x000f)
                            .or(pairs.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00)).reinterpretAsBytes())
                            .selectFrom(values);
                    FloatVector v0 = (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
                    FloatVector v1 = (FloatVector) v.convertShape(VectorOperators.B2F, F, 1);
                    int xo = xOffset + blk * DotLanes.CHUNK;
                    FloatVector s = v0.mul(FloatVector.fromArray(F, x, xo));   // fma(v, x, -0) rounds as this does
                    s = v1.fma(FloatVector.fromArray(F, x, xo + DotLanes.LANES), s);
                    acc = s.fma(FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]), acc);
                }
                // The fold written out (see FOLDS): s lane j is lanes j and j + 8.
                DoubleVector s = ((DoubleVector) acc.convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) acc.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
                return nonZero(((s.lane(0) + s.lane(4)) + (s.lane(2) + s.lane(6)))
                        + ((s.lane(1) + s.lane(5)) + (s.lane(3) + s.lane(7))));
            }
            ByteVector values = ByteVector.fromArray(B16, nibbleTable, 0);
            for (int blk = 0; blk < blocks; blk++) {
                int at = codeOffset + blk * DotLanes.LANES;
                // The nibble split written out: as a helper call, JDK 17's C2 sometimes compiled it on its
                // own and did not inline it here; its vectors were then boxed and the loop ran the
                // Vector API's Java fallback, 25x slower (1.6-2.0 ms against 75 us at 1M).
                ShortVector p0 = (ShortVector) ByteVector.fromArray(B8, codes, at).convertShape(VectorOperators.B2S, S8, 0);
                ShortVector p1 = (ShortVector) ByteVector.fromArray(B8, codes, at + 8)
                        .convertShape(VectorOperators.B2S, S8, 0);
                FloatVector v0 = (FloatVector) p0.and((short) 0x000f)                                  // elements 0-15
                        .or(p0.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00)).reinterpretAsBytes()
                        .selectFrom(values).convertShape(VectorOperators.B2F, F, 0);
                FloatVector v1 = (FloatVector) p1.and((short) 0x000f)                                  // elements 16-31
                        .or(p1.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00)).reinterpretAsBytes()
                        .selectFrom(values).convertShape(VectorOperators.B2F, F, 0);
                int xo = xOffset + blk * DotLanes.CHUNK;
                FloatVector s = v0.mul(FloatVector.fromArray(F, x, xo));   // fma(v, x, -0) rounds as this does
                s = v1.fma(FloatVector.fromArray(F, x, xo + DotLanes.LANES), s);
                acc = s.fma(FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]), acc);
            }
            // The fold written out (see FOLDS): s lane j is lanes j and j + 8.
            DoubleVector s = ((DoubleVector) acc.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) acc.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
            return nonZero(((s.lane(0) + s.lane(4)) + (s.lane(2) + s.lane(6)))
                    + ((s.lane(1) + s.lane(5)) + (s.lane(3) + s.lane(7))));
        }

        /**
         * {@link #dotNibbles32}'s loop for blocks of 16 (NVFP4) at 8 lanes (AVX2), in a method of its
         * own: inside dotNibbles32, once the MXFP4 loop there had run, JDK 25's C2 compiled it with a
         * vector boxed per block (MixedHistory: 3.1 MB and 0.54 ms per 1M call instead of none and
         * 0.27 ms). A block's 16 looked-up bytes are lanes 0-7 (elements 0-7) and 8-15 (elements
         * 8-15), the upper half brought down by one shuffle; each half the NIBBLES_SIXTEEN step of
         * its lanes. No helper methods (JDK 17's C2 may leave one out of line and box its vectors).
         */
        double dotNibbles16Narrow(byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes, int scaleOffset,
                                  int blocks, float[] x, int xOffset) {
            if (nibbleTable == null || !LITTLE_ENDIAN) {
                return Double.NaN;
            }
            int scaleMask = factors.length - 1;
            ByteVector values = ByteVector.fromArray(B16, nibbleTable, 0);
            FloatVector low = FloatVector.broadcast(F, -0.0f);
            FloatVector high = low;
            for (int blk = 0; blk < blocks; blk++) {
                ShortVector p = (ShortVector) ByteVector.fromArray(B8, codes, codeOffset + blk * 8)
                        .convertShape(VectorOperators.B2S, S8, 0);
                ByteVector v = ((ByteVector) p.and((short) 0x000f)
                        .or(p.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00)).reinterpretAsBytes())
                        .selectFrom(values);
                FloatVector v0 = (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
                FloatVector v1 = (FloatVector) v.rearrange(UPPER_HALF_DOWN).convertShape(VectorOperators.B2F, F, 0);
                int xo = xOffset + blk * DotLanes.LANES;
                FloatVector factor = FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]);
                low = v0.mul(FloatVector.fromArray(F, x, xo)).fma(factor, low);
                high = v1.mul(FloatVector.fromArray(F, x, xo + 8)).fma(factor, high);
            }
            // The fold written out (see FOLDS): u lane j is t_j + t_(j+4), t_j = low_j + high_j.
            DoubleVector u = ((DoubleVector) low.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) high.convertShape(VectorOperators.F2D, D, 0))
                    .add(((DoubleVector) low.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) high.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0)));
            return nonZero((u.lane(0) + u.lane(2)) + (u.lane(1) + u.lane(3)));
        }

        /*
         * FOLDS. Each FAST loop ends by widening its float lane sums to double and adding them in
         * DotLanes.fold's order (acc[L] += acc[L + w] for w = 8, 4, 2, 1), so that every width
         * gives the scalar kernel's bits. The fold is written out where the loop ends, with the
         * Vector API's own methods only: C2 force-inlines those whatever its node budget says, but
         * may leave a helper of ours out once the budget is spent (NodeCountInliningCutoff), and a
         * loop-carried vector passed to a call that is not inlined is boxed on every iteration.
         * Seen in MixedHistory (mxint8, then mxfp8_e4m3, JDK 25, AVX2): FAST MXFP8 made 1.6 MB per
         * 1M call and ran up to 40 times slower; a helper taking the widened vectors instead boxed
         * those once per call (128 B, 140 KB per 1024-row matvec). Upper halves come down by one
         * permute before they widen, as in the loops: widening part 1 is a slice on JDK 17, whose
         * force-inlined chain runs past MaxInlineLevel (FAST NVFP4 then boxed there). See the
         * second and sixth C2 lessons in docs/performance.md.
         */

        /**
         * A sum of the nibble loops, or NaN (not done) for a zero: their byte table holds +0 for a
         * -0 code (a byte has no -0), which can change only a zero sum's sign, so the scalar kernel
         * gives zero sums their sign.
         */
        private static double nonZero(double sum) {
            return sum != 0 ? sum : Double.NaN;
        }

        /**
         * {@link #dotBytes32} on 8-lane vectors (256-bit machines, AVX2): the 16 lanes of
         * {@link DotLanes} are two float vectors, lanes 0-7 ({@code low}: elements 0-7 then
         * 16-23 of a block) and lanes 8-15 ({@code high}: elements 8-15 then 24-31), each
         * operation the one the 16-lane loop does on those lanes, so the bits are the same. With
         * {@code scaledX}, x is in {@link XForm#SCALED} form and the raw floats are not multiplied
         * by {@code laneScale}: each product is the same real number, so it rounds the same.
         *
         * <p>Two loops in two methods, one for two's complement codes (int8) and one for float
         * codes, so that no vector is chosen between branches inside a loop: in one loop, once a
         * JVM had run it for both kinds (MXINT8, then MXFP8), JDK 25's C2 compiled it with vectors
         * boxed at 256 bits (MixedHistory: FAST MXFP8 and MXINT8 at 1M 1.0 ms and 10-11.5 MB per
         * call instead of 0.1-0.2 ms and none, sixteenth round). The float-code loop tracks the
         * largest code for every format (a conditional update carried across iterations is the
         * other case C2 boxed).
         */
        double dotBytes32Narrow(byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes, int scaleOffset,
                                int blocks, float[] x, int xOffset, boolean scaledX) {
            if (!laneDecoding) {
                return Double.NaN;
            }
            return twosComplement && preShift == 0
                    ? integerCodes32Narrow(codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, x, xOffset,
                            scaledX ? 1f : laneScale)
                    : floatCodes32Narrow(codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, x, xOffset, scaledX);
        }

        /** {@link #dotBytes32Narrow} for 8-bit two's complement codes: each converted, times {@code multiplier}. */
        private double integerCodes32Narrow(byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes,
                                            int scaleOffset, int blocks, float[] x, int xOffset, float multiplier) {
            int scaleMask = factors.length - 1;
            boolean scaleLanes = multiplier != 1;   // int8: a lane scale of 1 needs no multiplication
            FloatVector low = FloatVector.broadcast(F, -0.0f);
            FloatVector high = low;
            for (int blk = 0; blk < blocks; blk++) {
                int at = codeOffset + blk * DotLanes.CHUNK;
                FloatVector v0 = (FloatVector) ByteVector.fromArray(B_QUARTER, codes, at)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
                FloatVector v1 = (FloatVector) ByteVector.fromArray(B_QUARTER, codes, at + 8)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
                FloatVector v2 = (FloatVector) ByteVector.fromArray(B_QUARTER, codes, at + 16)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
                FloatVector v3 = (FloatVector) ByteVector.fromArray(B_QUARTER, codes, at + 24)
                        .convertShape(VectorOperators.B2I, I, 0).convert(VectorOperators.I2F, 0);
                if (scaleLanes) {
                    v0 = v0.mul(multiplier);
                    v1 = v1.mul(multiplier);
                    v2 = v2.mul(multiplier);
                    v3 = v3.mul(multiplier);
                }
                int xo = xOffset + blk * DotLanes.CHUNK;
                FloatVector factor = FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]);
                low = v2.fma(FloatVector.fromArray(F, x, xo + 16), v0.mul(FloatVector.fromArray(F, x, xo))).fma(factor, low);
                high = v3.fma(FloatVector.fromArray(F, x, xo + 24), v1.mul(FloatVector.fromArray(F, x, xo + 8))).fma(factor, high);
            }
            // The fold written out (see FOLDS): u lane j is t_j + t_(j+4), t_j = low_j + high_j.
            DoubleVector u = ((DoubleVector) low.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) high.convertShape(VectorOperators.F2D, D, 0))
                    .add(((DoubleVector) low.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) high.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0)));
            return (u.lane(0) + u.lane(2)) + (u.lane(1) + u.lane(3));
        }

        /** {@link #dotBytes32Narrow} for the other codes: fraction and exponent bits shifted into a float's. */
        private double floatCodes32Narrow(byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes,
                                          int scaleOffset, int blocks, float[] x, int xOffset, boolean scaledX) {
            // Scaled x (XForm.SCALED) takes the raw floats as they are.
            boolean scaleLanes = !scaledX && laneScale != 1;
            int scaleMask = factors.length - 1;
            FloatVector low = FloatVector.broadcast(F, -0.0f);
            FloatVector high = low;
            ByteVector largest = ByteVector.zero(B32);
            for (int blk = 0; blk < blocks; blk++) {
                int at = codeOffset + blk * DotLanes.CHUNK;
                largest = largest.max(ByteVector.fromArray(B32, codes, at).and(magnitudeByte));
                IntVector c0 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at).convertShape(VectorOperators.B2I, I, 0);
                IntVector c1 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + 8)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector c2 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + 16)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector c3 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + 24)
                        .convertShape(VectorOperators.B2I, I, 0);
                if (preShift != 0) {   // narrower than a byte: sign-extend from the format's top bit
                    c0 = c0.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    c1 = c1.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    c2 = c2.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    c3 = c3.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                }
                FloatVector v0;
                FloatVector v1;
                FloatVector v2;
                FloatVector v3;
                if (twosComplement) {   // narrower two's complement codes (none of the built-in formats)
                    v0 = (FloatVector) c0.convert(VectorOperators.I2F, 0);
                    v1 = (FloatVector) c1.convert(VectorOperators.I2F, 0);
                    v2 = (FloatVector) c2.convert(VectorOperators.I2F, 0);
                    v3 = (FloatVector) c3.convert(VectorOperators.I2F, 0);
                } else {
                    v0 = (FloatVector) c0.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    v1 = (FloatVector) c1.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    v2 = (FloatVector) c2.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    v3 = (FloatVector) c3.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                }
                if (scaleLanes) {
                    v0 = v0.mul(laneScale);
                    v1 = v1.mul(laneScale);
                    v2 = v2.mul(laneScale);
                    v3 = v3.mul(laneScale);
                }
                int xo = xOffset + blk * DotLanes.CHUNK;
                FloatVector factor = FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]);
                low = v2.fma(FloatVector.fromArray(F, x, xo + 16), v0.mul(FloatVector.fromArray(F, x, xo))).fma(factor, low);
                high = v3.fma(FloatVector.fromArray(F, x, xo + 24), v1.mul(FloatVector.fromArray(F, x, xo + 8))).fma(factor, high);
            }
            if (specials && largest.compare(VectorOperators.GT, maxByte).anyTrue()) {
                return Double.NaN;
            }
            // The fold written out (see FOLDS): u lane j is t_j + t_(j+4), t_j = low_j + high_j.
            DoubleVector u = ((DoubleVector) low.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) high.convertShape(VectorOperators.F2D, D, 0))
                    .add(((DoubleVector) low.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0))
                            .add((DoubleVector) high.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0)));
            return (u.lane(0) + u.lane(2)) + (u.lane(1) + u.lane(3));
        }

        /**
         * The 8-lane loop of {@link #dotNibbles32} reading x split by parity within each block of 32 ({@code xs}:
         * a block's 16 even elements, then its 16 odd ones), so that the low and the high nibbles
         * of the packed bytes need no interleaving: lane L of the 16 is {@code even} lane L / 2
         * for even L and {@code odd} lane (L - 1) / 2 for odd L, each computed as the natural-order
         * loop computes it, so the sum has the same bits.
         *
         * <p>The nibbles are looked up in the byte table, which holds +0 for a -0 code (a byte has
         * no -0). A zero's sign can change only the sign of a zero sum, so a zero sum is computed
         * again with the codes decoded arithmetically ({@link #nibbleLaneDecoding}), -0 included;
         * that decoding is slower wherever codes are subnormal (float32 subnormals cost a
         * microcode assist), which is why it is not the first pass.
         */
        double dotNibbles32Split(byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes, int scaleOffset,
                                 int blocks, float[] xs, int xOffset) {
            if (nibbleTable == null || !nibbleLaneDecoding) {
                return Double.NaN;
            }
            double sum = splitByTable(codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, xs, xOffset);
            return sum != 0 ? sum : splitByShifts(codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, xs, xOffset);
        }

        /** {@link #dotNibbles32Split} with the nibbles looked up in the table: -0 codes count as +0. */
        private double splitByTable(byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes, int scaleOffset,
                                    int blocks, float[] xs, int xOffset) {
            int scaleMask = factors.length - 1;
            ByteVector values = ByteVector.fromArray(B16, nibbleTable, 0);
            FloatVector even = FloatVector.broadcast(F, -0.0f);
            FloatVector odd = even;
            for (int blk = 0; blk < blocks; blk++) {
                ByteVector packed = ByteVector.fromArray(B16, codes, codeOffset + blk * DotLanes.LANES);
                ByteVector low = packed.and((byte) 0x0f).selectFrom(values);   // elements 0, 2, .., 30
                ByteVector high = packed.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                        .and((byte) 0x0f).selectFrom(values);                      // elements 1, 3, .., 31
                FloatVector v0 = lowerHalfToFloats(low);
                FloatVector v1 = upperHalfToFloats(low);
                FloatVector v2 = lowerHalfToFloats(high);
                FloatVector v3 = upperHalfToFloats(high);
                int xo = xOffset + blk * DotLanes.CHUNK;
                FloatVector factor = FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]);
                even = laneStep(v0, v1, xs, xo, xo + 8, factor, even);
                odd = laneStep(v2, v3, xs, xo + 16, xo + 24, factor, odd);
            }
            // The fold written out (see FOLDS): even lane j is lane 2j, odd lane j lane 2j + 1,
            // so e lane j is lanes 2j and 2j + 8, o lane j lanes 2j + 1 and 2j + 9.
            DoubleVector e = ((DoubleVector) even.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) even.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
            DoubleVector o = ((DoubleVector) odd.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) odd.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
            return ((e.lane(0) + e.lane(2)) + (e.lane(1) + e.lane(3)))
                    + ((o.lane(0) + o.lane(2)) + (o.lane(1) + o.lane(3)));
        }

        /**
         * {@link #dotNibbles32Split} with the nibbles decoded arithmetically from the bytes
         * sign-extended to ints: the low nibble goes to the top and back down by an arithmetic
         * shift, which copies its sign up; the high nibble's sign is bit 7, already copied up by
         * the widening, so one left shift places it. Then as {@link #dotBytes32Narrow}.
         */
        private double splitByShifts(byte[] codes, int codeOffset, float[] factors, byte[] scaleCodes, int scaleOffset,
                                     int blocks, float[] xs, int xOffset) {
            int scaleMask = factors.length - 1;
            int lowDown = 28 - fractionShift;
            int highUp = fractionShift - 4;
            FloatVector even = FloatVector.broadcast(F, -0.0f);
            FloatVector odd = even;
            for (int blk = 0; blk < blocks; blk++) {
                int at = codeOffset + blk * DotLanes.LANES;
                IntVector c0 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at).convertShape(VectorOperators.B2I, I, 0);
                IntVector c1 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + 8)
                        .convertShape(VectorOperators.B2I, I, 0);
                FloatVector v0 = ((FloatVector) c0.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, lowDown)
                        .and(laneMask).reinterpretAsFloats()).mul(laneScale);
                FloatVector v1 = ((FloatVector) c1.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, lowDown)
                        .and(laneMask).reinterpretAsFloats()).mul(laneScale);
                FloatVector v2 = ((FloatVector) c0.lanewise(VectorOperators.LSHL, highUp).and(laneMask).reinterpretAsFloats())
                        .mul(laneScale);
                FloatVector v3 = ((FloatVector) c1.lanewise(VectorOperators.LSHL, highUp).and(laneMask).reinterpretAsFloats())
                        .mul(laneScale);
                int xo = xOffset + blk * DotLanes.CHUNK;
                FloatVector factor = FloatVector.broadcast(F, factors[scaleCodes[scaleOffset + blk] & scaleMask]);
                even = laneStep(v0, v1, xs, xo, xo + 8, factor, even);
                odd = laneStep(v2, v3, xs, xo + 16, xo + 24, factor, odd);
            }
            // The fold written out (see FOLDS): even lane j is lane 2j, odd lane j lane 2j + 1,
            // so e lane j is lanes 2j and 2j + 8, o lane j lanes 2j + 1 and 2j + 9.
            DoubleVector e = ((DoubleVector) even.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) even.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
            DoubleVector o = ((DoubleVector) odd.convertShape(VectorOperators.F2D, D, 0))
                    .add((DoubleVector) odd.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
            return ((e.lane(0) + e.lane(2)) + (e.lane(1) + e.lane(3)))
                    + ((o.lane(0) + o.lane(2)) + (o.lane(1) + o.lane(3)));
        }

        /** Bytes 0-7 of a 128-bit vector widened to 8 floats. */
        private static FloatVector lowerHalfToFloats(ByteVector bytes) {
            return (FloatVector) bytes.convertShape(VectorOperators.B2F, F, 0);
        }

        /**
         * Bytes 8-15 of a 128-bit vector widened to 8 floats, after one byte shuffle brings them
         * down (faster than widening them from a staging array, or in place: docs/performance-history.md).
         */
        private static FloatVector upperHalfToFloats(ByteVector bytes) {
            return (FloatVector) bytes.rearrange(UPPER_HALF_DOWN).convertShape(VectorOperators.B2F, F, 0);
        }

        /**
         * One block's step of 8 lanes at 256 bits: {@code fma(fma(vb, x[xb..], va * x[xa..]), factor, acc)}
         * (the part 0 element, the part 1 element, then the block's factor; docs/dot.md).
         */
        private static FloatVector laneStep(FloatVector va, FloatVector vb, float[] x, int xa, int xb, FloatVector factor,
                                            FloatVector acc) {
            return vb.fma(FloatVector.fromArray(F, x, xb), va.mul(FloatVector.fromArray(F, x, xa))).fma(factor, acc);
        }

        /**
         * {@link Kernels#exactDotCodeLanes} for blocks of 32 codes one per byte, decoded as
         * {@link #dotBytes32} decodes them but without the multiplication by {@code laneScale}
         * (raw floats {@code value / (unit * laneScale)}; that power of two moves into the block
         * scale: the same bits, as scaling by a power of two commutes with every rounding in double's
         * normal range, where every product lies); returns the largest magnitude key (for 8-bit two's
         * complement codes {@code max(c, ~c)}, else the magnitude bits; the format's largest key
         * for other unsigned or two's complement formats), or -1 (nothing written) for a format it
         * does not decode or when a code is a NaN or an infinity. One run: at most
         * {@link Kernels#EXACT_DOT_RUN} blocks, whose block scales start at {@code scaleOffset}
         * ({@link #exactRuns} splits a call). Flat loop, one block per iteration, for the reasons
         * given at dotBytes32, and no run inside: with the run's sum reset in the loop, a JVM that
         * had run quantize, dequantize and the FAST dot first compiled this loop with its sum
         * vector boxed, 81 bytes of garbage per block and twice the time (docs/performance-history.md,
         * twelfth round).
         */
        int exactBytes32(byte[] codes, int codeOffset, float[] x, int xOffset, double[] blockScales,
                         int scaleOffset, int blocks, double unit, double[] lanes) {
            if (!laneDecoding) {
                return -1;
            }
            // Keys are tracked as signed bytes, so from 0 to 127: magnitude bits below a sign bit,
            // or max(c, ~c) of an 8-bit two's complement code.
            boolean signedBytes = twosComplement && preShift == 0;
            boolean keys = signBit != 0 || signedBytes;
            int half = DotLanes.LANES;
            // The codes' raw floats (value / (unit * laneScale), float subnormals for subnormal codes,
            // exact in double) times the scale times this power of two: the products stay in
            // double's normal range, so the scaling leaves every rounding's bits unchanged.
            double factor = unit * laneScale;
            DoubleVector total = DoubleVector.fromArray(D, lanes, 0);
            DoubleVector sums = DoubleVector.zero(D);   // the run's
            DoubleVector q0 = DoubleVector.fromArray(D, lanes, EXACT_DOT_LANES);
            DoubleVector q1 = DoubleVector.zero(D);
            DoubleVector q2 = q1;
            DoubleVector q3 = q1;
            double scaleSquares = lanes[2 * EXACT_DOT_LANES];
            ByteVector largest = ByteVector.zero(B32);
            for (int blk = 0; blk < blocks; blk++) {
                int at = codeOffset + blk * DotLanes.CHUNK;
                if (signedBytes) {
                    ByteVector c = ByteVector.fromArray(B32, codes, at);
                    largest = largest.max(c.max(c.not()));
                } else if (keys) {
                    largest = largest.max(ByteVector.fromArray(B32, codes, at).and(magnitudeByte));
                }
                // The four eighths' values in double (part-0 conversions only: on JDK 17 a part-1
                // widening may run the Vector API's Java fallback). Integers: each eighth widens
                // from its own 8 bytes and converts directly. Raw floats: each half block (16 codes)
                // is shifted and masked once as 16 ints, and its upper 8 floats come down by one
                // permute (side test, JDK 25, e4m3 at 1K: 3.4 -> 3.2 ns per block; for integers
                // the permutes cost more than the loads they save). Written out, not in a helper:
                // in JDK 17's compilation of a long call a helper was left out of line and its
                // vectors boxed (3x slower at 64M).
                DoubleVector v00;
                DoubleVector v01;
                DoubleVector v10;
                DoubleVector v11;
                if (twosComplement) {
                    IntVector c00 = (IntVector) ByteVector.fromArray(B8, codes, at).convertShape(VectorOperators.B2I, I_HALF, 0);
                    IntVector c01 = (IntVector) ByteVector.fromArray(B8, codes, at + 8)
                            .convertShape(VectorOperators.B2I, I_HALF, 0);
                    IntVector c10 = (IntVector) ByteVector.fromArray(B8, codes, at + half)
                            .convertShape(VectorOperators.B2I, I_HALF, 0);
                    IntVector c11 = (IntVector) ByteVector.fromArray(B8, codes, at + half + 8)
                            .convertShape(VectorOperators.B2I, I_HALF, 0);
                    if (preShift != 0) {   // narrower than a byte: sign-extend from the format's top bit
                        c00 = c00.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                        c01 = c01.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                        c10 = c10.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                        c11 = c11.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    }
                    v00 = (DoubleVector) c00.convertShape(VectorOperators.I2D, D, 0);
                    v01 = (DoubleVector) c01.convertShape(VectorOperators.I2D, D, 0);
                    v10 = (DoubleVector) c10.convertShape(VectorOperators.I2D, D, 0);
                    v11 = (DoubleVector) c11.convertShape(VectorOperators.I2D, D, 0);
                } else {
                    IntVector c0 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector c1 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + half)
                            .convertShape(VectorOperators.B2I, I, 0);
                    if (preShift != 0) {
                        c0 = c0.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                        c1 = c1.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    }
                    FloatVector r0 = c0.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    FloatVector r1 = c1.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    v00 = (DoubleVector) r0.convertShape(VectorOperators.F2D, D, 0);
                    v01 = (DoubleVector) r0.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0);
                    v10 = (DoubleVector) r1.convertShape(VectorOperators.F2D, D, 0);
                    v11 = (DoubleVector) r1.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0);
                }
                int xo = xOffset + blk * DotLanes.CHUNK;
                // Elements 0-7, 8-15, 16-23, 24-31: each lane's products in index order (fma adds an
                // exact product with one rounding, as the scalar kernel's add does), each quarter's
                // squares of x into its own sum. x is read a quarter at a time, widened straight from memory.
                DoubleVector x0 = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x1 = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 8)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x2 = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + half)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x3 = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + half + 8)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector b = v00.mul(x0);
                b = v01.fma(x1, b);
                b = v10.fma(x2, b);
                b = v11.fma(x3, b);
                q0 = x0.fma(x0, q0);
                q1 = x1.fma(x1, q1);
                q2 = x2.fma(x2, q2);
                q3 = x3.fma(x3, q3);
                double blockScale = blockScales[scaleOffset + blk];
                // Beside the vector work, so that this chain of additions costs no time of its own.
                scaleSquares += blockScale * blockScale;
                // fma rounds once, as the scalar kernel's add does: the product by a power of two is exact.
                DoubleVector scaleVector = DoubleVector.broadcast(D, blockScale * factor);
                sums = b.fma(scaleVector, sums);
            }
            total = total.add(sums);
            if (specials && largest.compare(VectorOperators.GT, maxByte).anyTrue()) {
                return -1;
            }
            total.intoArray(lanes, 0);
            q0.add(q1).add(q2.add(q3)).intoArray(lanes, EXACT_DOT_LANES);
            lanes[2 * EXACT_DOT_LANES] = scaleSquares;
            return keys ? largest.reduceLanes(VectorOperators.MAX) : codeMask >> (twosComplement ? 1 : 0);
        }

        /**
         * {@link #exactBytes32} for blocks of 16 signed-byte codes (NVFP4's e2m1 read as MXINT8
         * integers): each step takes 32 codes, two blocks, whose lane sums b (elements L and L + 8)
         * are added to the run's sums by one fma each, in block order, with the same squares of x
         * (eighth m of the step into q_m); the scalar kernel's operations lane by lane. -1 (nothing
         * written) for other codes and for an odd number of blocks (the scalar kernel takes the run).
         */
        int exactIntegers16(byte[] codes, int codeOffset, float[] x, int xOffset, double[] blockScales,
                            int scaleOffset, int blocks, double unit, double[] lanes) {
            if (!laneDecoding || !twosComplement || preShift != 0 || blocks % 2 != 0) {
                return -1;
            }
            double factor = unit * laneScale;
            DoubleVector total = DoubleVector.fromArray(D, lanes, 0);
            DoubleVector sums = DoubleVector.zero(D);   // the run's
            DoubleVector q0 = DoubleVector.fromArray(D, lanes, EXACT_DOT_LANES);
            DoubleVector q1 = DoubleVector.zero(D);
            DoubleVector q2 = q1;
            DoubleVector q3 = q1;
            double scaleSquares = lanes[2 * EXACT_DOT_LANES];
            ByteVector largest = ByteVector.zero(B32);
            int pairs = blocks / 2;
            for (int c = 0; c < pairs; c++) {
                int at = codeOffset + c * DotLanes.CHUNK;
                ByteVector all = ByteVector.fromArray(B32, codes, at);
                largest = largest.max(all.max(all.not()));
                // Each eighth widened from its own 8 bytes, as exactBytes32 does (written out: see there).
                DoubleVector v00 = (DoubleVector) ByteVector.fromArray(B8, codes, at)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector v01 = (DoubleVector) ByteVector.fromArray(B8, codes, at + 8)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector v10 = (DoubleVector) ByteVector.fromArray(B8, codes, at + 16)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector v11 = (DoubleVector) ByteVector.fromArray(B8, codes, at + 24)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                int xo = xOffset + c * DotLanes.CHUNK;
                DoubleVector x0 = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo).convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x1 = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 8)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x2 = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 16)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x3 = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 24)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector first = v01.fma(x1, v00.mul(x0));    // block 2c: elements L, then L + 8
                DoubleVector second = v11.fma(x3, v10.mul(x2));   // block 2c + 1
                q0 = x0.fma(x0, q0);
                q1 = x1.fma(x1, q1);
                q2 = x2.fma(x2, q2);
                q3 = x3.fma(x3, q3);
                double scaleFirst = blockScales[scaleOffset + 2 * c];
                double scaleSecond = blockScales[scaleOffset + 2 * c + 1];
                scaleSquares += scaleFirst * scaleFirst;
                scaleSquares += scaleSecond * scaleSecond;
                sums = first.fma(DoubleVector.broadcast(D, scaleFirst * factor), sums);
                sums = second.fma(DoubleVector.broadcast(D, scaleSecond * factor), sums);
            }
            total = total.add(sums);
            total.intoArray(lanes, 0);
            q0.add(q1).add(q2.add(q3)).intoArray(lanes, EXACT_DOT_LANES);
            lanes[2 * EXACT_DOT_LANES] = scaleSquares;
            return largest.reduceLanes(VectorOperators.MAX);
        }

        /**
         * {@link #exactBytes32} on 4-lane double vectors (256-bit machines, AVX2): the 8 lanes of
         * {@link Kernels#exactDotLanes} are two vectors, lanes 0-3 ({@code ..l}) and 4-7
         * ({@code ..h}), and each quarter of a block (8 codes) is one int vector; every
         * operation is the one the 8-lane loop does on those lanes, so the bits are the same. The
         * upper half of a quarter's raw floats comes down by one permute and converts as a
         * 128-bit vector (side test, JDK 25, e4m3 at 1M: 17.9 against 15.3 ns per block; JDK 17
         * the same either way); done so for the integers too, JDK 17's C2 boxed the loop, which
         * is why two's complement codes keep {@code convertShape(I2D, D, 1)} here (JDK 25 takes
         * {@link #exactIntegers32Narrow} for them).
         */
        int exactBytes32Narrow(byte[] codes, int codeOffset, float[] x, int xOffset, double[] blockScales,
                               int scaleOffset, int blocks, double unit, double[] lanes) {
            if (!laneDecoding) {
                return -1;
            }
            boolean signedBytes = twosComplement && preShift == 0;
            boolean keys = signBit != 0 || signedBytes;
            double factor = unit * laneScale;
            DoubleVector totalL = DoubleVector.fromArray(D, lanes, 0);
            DoubleVector totalH = DoubleVector.fromArray(D, lanes, 4);
            DoubleVector sumsL = DoubleVector.zero(D);
            DoubleVector sumsH = sumsL;
            DoubleVector q0l = DoubleVector.fromArray(D, lanes, EXACT_DOT_LANES);
            DoubleVector q0h = DoubleVector.fromArray(D, lanes, EXACT_DOT_LANES + 4);
            DoubleVector q1l = sumsL;
            DoubleVector q1h = sumsL;
            DoubleVector q2l = sumsL;
            DoubleVector q2h = sumsL;
            DoubleVector q3l = sumsL;
            DoubleVector q3h = sumsL;
            double scaleSquares = lanes[2 * EXACT_DOT_LANES];
            ByteVector largest = ByteVector.zero(B32);
            for (int blk = 0; blk < blocks; blk++) {
                int at = codeOffset + blk * DotLanes.CHUNK;
                int xo = xOffset + blk * DotLanes.CHUNK;
                if (signedBytes) {
                    ByteVector c = ByteVector.fromArray(B32, codes, at);
                    largest = largest.max(c.max(c.not()));
                } else if (keys) {
                    largest = largest.max(ByteVector.fromArray(B32, codes, at).and(magnitudeByte));
                }
                IntVector c0 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at)
                        .convertShape(VectorOperators.B2I, I, 0);
                if (preShift != 0) {
                    c0 = c0.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                }
                DoubleVector v0l;
                DoubleVector v0h;
                if (twosComplement) {
                    v0l = (DoubleVector) c0.convertShape(VectorOperators.I2D, D, 0);
                    v0h = (DoubleVector) c0.convertShape(VectorOperators.I2D, D, 1);
                } else {
                    FloatVector raw = (FloatVector) c0.lanewise(VectorOperators.LSHL, laneShift).and(laneMask)
                            .reinterpretAsFloats();
                    v0l = (DoubleVector) raw.convertShape(VectorOperators.F2D, D, 0);
                    v0h = (DoubleVector) raw.rearrange(UPPER_FLOATS_DOWN).reinterpretShape(F_HALF, 0)
                            .convertShape(VectorOperators.F2D, D, 0);
                }
                DoubleVector x0l = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x0h = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 4)
                        .convertShape(VectorOperators.F2D, D, 0);
                IntVector c1 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + 8)
                        .convertShape(VectorOperators.B2I, I, 0);
                if (preShift != 0) {
                    c1 = c1.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                }
                DoubleVector v1l;
                DoubleVector v1h;
                if (twosComplement) {
                    v1l = (DoubleVector) c1.convertShape(VectorOperators.I2D, D, 0);
                    v1h = (DoubleVector) c1.convertShape(VectorOperators.I2D, D, 1);
                } else {
                    FloatVector raw = (FloatVector) c1.lanewise(VectorOperators.LSHL, laneShift).and(laneMask)
                            .reinterpretAsFloats();
                    v1l = (DoubleVector) raw.convertShape(VectorOperators.F2D, D, 0);
                    v1h = (DoubleVector) raw.rearrange(UPPER_FLOATS_DOWN).reinterpretShape(F_HALF, 0)
                            .convertShape(VectorOperators.F2D, D, 0);
                }
                DoubleVector x1l = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 8)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x1h = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 12)
                        .convertShape(VectorOperators.F2D, D, 0);
                IntVector c2 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + 16)
                        .convertShape(VectorOperators.B2I, I, 0);
                if (preShift != 0) {
                    c2 = c2.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                }
                DoubleVector v2l;
                DoubleVector v2h;
                if (twosComplement) {
                    v2l = (DoubleVector) c2.convertShape(VectorOperators.I2D, D, 0);
                    v2h = (DoubleVector) c2.convertShape(VectorOperators.I2D, D, 1);
                } else {
                    FloatVector raw = (FloatVector) c2.lanewise(VectorOperators.LSHL, laneShift).and(laneMask)
                            .reinterpretAsFloats();
                    v2l = (DoubleVector) raw.convertShape(VectorOperators.F2D, D, 0);
                    v2h = (DoubleVector) raw.rearrange(UPPER_FLOATS_DOWN).reinterpretShape(F_HALF, 0)
                            .convertShape(VectorOperators.F2D, D, 0);
                }
                DoubleVector x2l = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 16)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x2h = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 20)
                        .convertShape(VectorOperators.F2D, D, 0);
                IntVector c3 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + 24)
                        .convertShape(VectorOperators.B2I, I, 0);
                if (preShift != 0) {
                    c3 = c3.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                }
                DoubleVector v3l;
                DoubleVector v3h;
                if (twosComplement) {
                    v3l = (DoubleVector) c3.convertShape(VectorOperators.I2D, D, 0);
                    v3h = (DoubleVector) c3.convertShape(VectorOperators.I2D, D, 1);
                } else {
                    FloatVector raw = (FloatVector) c3.lanewise(VectorOperators.LSHL, laneShift).and(laneMask)
                            .reinterpretAsFloats();
                    v3l = (DoubleVector) raw.convertShape(VectorOperators.F2D, D, 0);
                    v3h = (DoubleVector) raw.rearrange(UPPER_FLOATS_DOWN).reinterpretShape(F_HALF, 0)
                            .convertShape(VectorOperators.F2D, D, 0);
                }
                DoubleVector x3l = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 24)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x3h = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 28)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector bl = v3l.fma(x3l, v2l.fma(x2l, v1l.fma(x1l, v0l.mul(x0l))));
                DoubleVector bh = v3h.fma(x3h, v2h.fma(x2h, v1h.fma(x1h, v0h.mul(x0h))));
                q0l = x0l.fma(x0l, q0l);
                q0h = x0h.fma(x0h, q0h);
                q1l = x1l.fma(x1l, q1l);
                q1h = x1h.fma(x1h, q1h);
                q2l = x2l.fma(x2l, q2l);
                q2h = x2h.fma(x2h, q2h);
                q3l = x3l.fma(x3l, q3l);
                q3h = x3h.fma(x3h, q3h);
                double blockScale = blockScales[scaleOffset + blk];
                scaleSquares += blockScale * blockScale;
                DoubleVector scaleVector = DoubleVector.broadcast(D, blockScale * factor);
                sumsL = bl.fma(scaleVector, sumsL);
                sumsH = bh.fma(scaleVector, sumsH);
            }
            totalL = totalL.add(sumsL);
            totalH = totalH.add(sumsH);
            if (specials && largest.compare(VectorOperators.GT, maxByte).anyTrue()) {
                return -1;
            }
            totalL.intoArray(lanes, 0);
            totalH.intoArray(lanes, 4);
            q0l.add(q1l).add(q2l.add(q3l)).intoArray(lanes, EXACT_DOT_LANES);
            q0h.add(q1h).add(q2h.add(q3h)).intoArray(lanes, EXACT_DOT_LANES + 4);
            lanes[2 * EXACT_DOT_LANES] = scaleSquares;
            return keys ? largest.reduceLanes(VectorOperators.MAX) : codeMask >> (twosComplement ? 1 : 0);
        }

        /**
         * {@link #exactBytes32Narrow} for codes that are signed bytes (MXINT8; e2m1 codes unpacked
         * into their small integers): each half of a quarter converts to doubles from a 128-bit int
         * vector, where the upper half of a 256-bit one converts through a permute and a blend (side
         * test, AVX2, JDK 25: 15.8 against 12.1 ns per block); the same lanes and operations, so the
         * same bits. Written out without helper methods: JDK 17's C2 did not inline them here and
         * boxed every vector. (The raw-float decoding of exactBytes32Narrow, widened the same way,
         * was boxed by JDK 25's C2 as well: 70 against 18 ns per block.) With {@code sixteen}, the
         * codes are blocks of 16 ({@link #exactIntegers16} at 4 double lanes): each step of 32 codes
         * is two blocks, whose lane sums (quarters 0-1, then 2-3) each take their own scale; -1 for
         * an odd number of blocks.
         */
        int exactIntegers32Narrow(byte[] codes, int codeOffset, float[] x, int xOffset, double[] blockScales,
                                  int scaleOffset, int blocks, double unit, double[] lanes, boolean sixteen) {
            if (!laneDecoding || !twosComplement || preShift != 0 || sixteen && blocks % 2 != 0) {
                return -1;
            }
            int steps = sixteen ? blocks / 2 : blocks;
            double factor = unit * laneScale;
            DoubleVector totalL = DoubleVector.fromArray(D, lanes, 0);
            DoubleVector totalH = DoubleVector.fromArray(D, lanes, 4);
            DoubleVector sumsL = DoubleVector.zero(D);
            DoubleVector sumsH = sumsL;
            DoubleVector q0l = DoubleVector.fromArray(D, lanes, EXACT_DOT_LANES);
            DoubleVector q0h = DoubleVector.fromArray(D, lanes, EXACT_DOT_LANES + 4);
            DoubleVector q1l = sumsL;
            DoubleVector q1h = sumsL;
            DoubleVector q2l = sumsL;
            DoubleVector q2h = sumsL;
            DoubleVector q3l = sumsL;
            DoubleVector q3h = sumsL;
            double scaleSquares = lanes[2 * EXACT_DOT_LANES];
            ByteVector largest = ByteVector.zero(B32);
            for (int blk = 0; blk < steps; blk++) {
                int at = codeOffset + blk * DotLanes.CHUNK;
                int xo = xOffset + blk * DotLanes.CHUNK;
                ByteVector c = ByteVector.fromArray(B32, codes, at);
                largest = largest.max(c.max(c.not()));   // the key of a signed byte: max(c, ~c)
                // Each half quarter (4 codes) widens to a 128-bit int vector and then to doubles in
                // one conversion; the loads of 8 bytes at +4 overlap, and the block's last 4 codes
                // come down from the upper half of its last quarter (never read past the block).
                DoubleVector v0l = (DoubleVector) ByteVector.fromArray(B_QUARTER, codes, at)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector v0h = (DoubleVector) ByteVector.fromArray(B_QUARTER, codes, at + 4)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector x0l = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x0h = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 4)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector v1l = (DoubleVector) ByteVector.fromArray(B_QUARTER, codes, at + 8)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector v1h = (DoubleVector) ByteVector.fromArray(B_QUARTER, codes, at + 12)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector x1l = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 8)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x1h = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 12)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector v2l = (DoubleVector) ByteVector.fromArray(B_QUARTER, codes, at + 16)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector v2h = (DoubleVector) ByteVector.fromArray(B_QUARTER, codes, at + 20)
                        .convertShape(VectorOperators.B2I, I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector x2l = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 16)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x2h = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 20)
                        .convertShape(VectorOperators.F2D, D, 0);
                IntVector c3 = (IntVector) ByteVector.fromArray(B_QUARTER, codes, at + 24)
                        .convertShape(VectorOperators.B2I, I, 0);
                DoubleVector v3l = (DoubleVector) c3.reinterpretShape(I_HALF, 0).convertShape(VectorOperators.I2D, D, 0);
                DoubleVector v3h = (DoubleVector) c3.rearrange(UPPER_INTS_DOWN).reinterpretShape(I_HALF, 0)
                        .convertShape(VectorOperators.I2D, D, 0);
                DoubleVector x3l = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 24)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector x3h = (DoubleVector) FloatVector.fromArray(F_HALF, x, xo + 28)
                        .convertShape(VectorOperators.F2D, D, 0);
                q0l = x0l.fma(x0l, q0l);
                q0h = x0h.fma(x0h, q0h);
                q1l = x1l.fma(x1l, q1l);
                q1h = x1h.fma(x1h, q1h);
                q2l = x2l.fma(x2l, q2l);
                q2h = x2h.fma(x2h, q2h);
                q3l = x3l.fma(x3l, q3l);
                q3h = x3h.fma(x3h, q3h);
                if (sixteen) {   // exactIntegers16's order: block 2 blk (quarters 0, 1), then 2 blk + 1
                    double first = blockScales[scaleOffset + 2 * blk];
                    double second = blockScales[scaleOffset + 2 * blk + 1];
                    scaleSquares += first * first;
                    scaleSquares += second * second;
                    DoubleVector firstScale = DoubleVector.broadcast(D, first * factor);
                    DoubleVector secondScale = DoubleVector.broadcast(D, second * factor);
                    sumsL = v1l.fma(x1l, v0l.mul(x0l)).fma(firstScale, sumsL);
                    sumsH = v1h.fma(x1h, v0h.mul(x0h)).fma(firstScale, sumsH);
                    sumsL = v3l.fma(x3l, v2l.mul(x2l)).fma(secondScale, sumsL);
                    sumsH = v3h.fma(x3h, v2h.mul(x2h)).fma(secondScale, sumsH);
                } else {
                    double blockScale = blockScales[scaleOffset + blk];
                    scaleSquares += blockScale * blockScale;
                    DoubleVector scaleVector = DoubleVector.broadcast(D, blockScale * factor);
                    sumsL = v3l.fma(x3l, v2l.fma(x2l, v1l.fma(x1l, v0l.mul(x0l)))).fma(scaleVector, sumsL);
                    sumsH = v3h.fma(x3h, v2h.fma(x2h, v1h.fma(x1h, v0h.mul(x0h)))).fma(scaleVector, sumsH);
                }
            }
            totalL = totalL.add(sumsL);
            totalH = totalH.add(sumsH);
            if (specials && largest.compare(VectorOperators.GT, maxByte).anyTrue()) {
                return -1;
            }
            totalL.intoArray(lanes, 0);
            totalH.intoArray(lanes, 4);
            q0l.add(q1l).add(q2l.add(q3l)).intoArray(lanes, EXACT_DOT_LANES);
            q0h.add(q1h).add(q2h.add(q3h)).intoArray(lanes, EXACT_DOT_LANES + 4);
            lanes[2 * EXACT_DOT_LANES] = scaleSquares;
            return largest.reduceLanes(VectorOperators.MAX);
        }

        /**
         * {@link Kernels#shiftedProductSum} for {@code blocks} blocks of {@code chunks} chunks of 32
         * codes one per byte, codes of A decoded by this plan and of B by {@code b} as
         * {@link #dotBytes32} decodes them into raw floats (value / valueScale, no multiplication).
         * The product {@code rawA * (rawB * factorB)} is exact in float (the caller picks
         * {@code factorB} so: {@link #rawFactorExponent}), and so is the sum of a lane's four
         * products of a chunk in double. Each operand's 32 codes widen to shorts in one step and
         * are read two per int lane ({@link #shortLanes}): one widening instead of two per
         * operand (side test, e4m3 x e4m3, min of 40 rounds: 1M 3.74-3.84 -> 3.50-3.63 ns per
         * chunk on JDK 25, 4.21-4.28 -> 3.47-3.64 on JDK 17). That sum times {@code toUnits} (a power of two) is the
         * lane's exact product sum in integer units, an integer t with
         * {@code |t| < 2^51}; one fma adds 1.5 * 2^52, whose ulp is 1, so the double's low bits
         * minus those of 1.5 * 2^52 are t as a long (JDK 17's C2 has no vector float-to-long
         * conversion). Long lanes then shift and add as the int8 loop does;
         * {@link Kernels#NOT_INTEGER} when a code is a NaN or an infinity. Flat loop, one chunk per
         * iteration, for the reasons given at dotBytes32.
         */
        long shiftedProducts32(DecodePlan b, byte[] ca, int offA, byte[] cb, int offB, int chunks, int blocks,
                               int[] shifts, int shiftBase, float factorB, double toUnits) {
            int half = DotLanes.LANES;
            LongVector acc = LongVector.zero(L_DOUBLE_WIDTH);
            DoubleVector units = DoubleVector.broadcast(D, toUnits);
            DoubleVector magic = DoubleVector.broadcast(D, MAGIC);
            ByteVector largestA = ByteVector.zero(B32);
            ByteVector largestB = ByteVector.zero(B32);
            int j = 0;
            int inBlock = 0;
            int total = chunks * blocks;
            for (int c = 0; c < total; c++) {
                int at = offA + c * DotLanes.CHUNK;
                int bt = offB + c * DotLanes.CHUNK;
                // Every format, used only with specials (a conditional update boxed the carried
                // vectors on JDK 17 once other paths had run: 0.74 ms instead of 0.12 at 1M).
                ByteVector codesA = ByteVector.fromArray(B32, ca, at);
                ByteVector codesB = ByteVector.fromArray(B32, cb, bt);
                largestA = largestA.max(codesA.and(magnitudeByte));
                largestB = largestB.max(codesB.and(b.magnitudeByte));
                // All 32 codes widen to shorts at once; each int lane then holds two of them, the
                // even one in its low half. Which products share a double lane does not matter,
                // only that A's and B's codes pair up alike: evens with evens, odds with odds.
                ShortVector sa = (ShortVector) codesA.convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0);
                ShortVector sb = (ShortVector) codesB.convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0);
                if (preShift != 0) {   // narrower than a byte: sign-extend from the format's top bit
                    sa = sa.lanewise(VectorOperators.LSHL, 8 + preShift).lanewise(VectorOperators.ASHR, 8 + preShift);
                }
                if (b.preShift != 0) {
                    sb = sb.lanewise(VectorOperators.LSHL, 8 + b.preShift).lanewise(VectorOperators.ASHR, 8 + b.preShift);
                }
                IntVector ia = sa.reinterpretAsInts();
                IntVector ib = sb.reinterpretAsInts();
                FloatVector va0;
                FloatVector va1;
                FloatVector vb0;
                FloatVector vb1;
                if (twosComplement) {
                    va0 = (FloatVector) ia.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0);
                    va1 = (FloatVector) ia.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                } else {   // the odd code's bits above the mask, the even one's below it (shortLanes)
                    va0 = (FloatVector) ia.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    va1 = (FloatVector) ia.lanewise(VectorOperators.LSHL, laneShift - 16).and(laneMask)
                            .reinterpretAsFloats();
                }
                if (b.twosComplement) {
                    vb0 = (FloatVector) ib.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                            .convert(VectorOperators.I2F, 0);
                    vb1 = (FloatVector) ib.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                } else {
                    vb0 = (FloatVector) ib.lanewise(VectorOperators.LSHL, b.laneShift).and(b.laneMask).reinterpretAsFloats();
                    vb1 = (FloatVector) ib.lanewise(VectorOperators.LSHL, b.laneShift - 16).and(b.laneMask)
                            .reinterpretAsFloats();
                }
                FloatVector p0 = va0.mul(vb0.mul(factorB));   // exact
                FloatVector p1 = va1.mul(vb1.mul(factorB));
                DoubleVector sum = ((DoubleVector) p0.convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p0.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p1.convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p1.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
                // In integer units, plus 1.5 * 2^52: the integer is then the low bits (one exact fma).
                LongVector integers = ((DoubleVector) sum.fma(units, magic)).reinterpretAsLongs().sub(MAGIC_BITS);
                acc = acc.add(integers.lanewise(VectorOperators.LSHL, shifts[j] - shiftBase));
                if (++inBlock == chunks) {
                    inBlock = 0;
                    j++;
                }
            }
            if (specials && largestA.compare(VectorOperators.GT, maxByte).anyTrue()
                    || b.specials && largestB.compare(VectorOperators.GT, b.maxByte).anyTrue()) {
                return NOT_INTEGER;
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }

        /**
         * {@link #shiftedProducts32} on 256-bit vectors (AVX2): each chunk's codes a quarter (8) at
         * a time; the four quarters' products widen to two pairs of 4-double vectors, and lane l
         * of the low (high) pair sums elements l, l + 8, l + 16, l + 24 for l = 0-3 (4-7), four
         * products as in the 16-lane loop, so the same bound keeps them exact. The upper four
         * floats come down by one permute before they widen, as in the other loops (C2 widens an
         * upper half with a permute and a blend on AVX2, through a slice on JDK 17; the same speed
         * in JMH's fresh forks: docs/performance-history.md).
         */
        long shiftedProducts32Narrow(DecodePlan b, byte[] ca, int offA, byte[] cb, int offB, int chunks, int blocks,
                                     int[] shifts, int shiftBase, float factorB, double toUnits) {
            LongVector acc = LongVector.zero(L4);
            DoubleVector units = DoubleVector.broadcast(D, toUnits);
            DoubleVector magic = DoubleVector.broadcast(D, MAGIC);
            ByteVector largestA = ByteVector.zero(B32);
            ByteVector largestB = ByteVector.zero(B32);
            int j = 0;
            int inBlock = 0;
            int total = chunks * blocks;
            for (int c = 0; c < total; c++) {
                int at = offA + c * DotLanes.CHUNK;
                int bt = offB + c * DotLanes.CHUNK;
                // Every format, used only with specials (a conditional update boxed the carried
                // vectors on JDK 17 once other paths had run: 0.74 ms instead of 0.12 at 1M).
                largestA = largestA.max(ByteVector.fromArray(B32, ca, at).and(magnitudeByte));
                largestB = largestB.max(ByteVector.fromArray(B32, cb, bt).and(b.magnitudeByte));
                IntVector a0 = (IntVector) ByteVector.fromArray(B_QUARTER, ca, at).convertShape(VectorOperators.B2I, I, 0);
                IntVector a1 = (IntVector) ByteVector.fromArray(B_QUARTER, ca, at + 8).convertShape(VectorOperators.B2I, I, 0);
                IntVector a2 = (IntVector) ByteVector.fromArray(B_QUARTER, ca, at + 16).convertShape(VectorOperators.B2I, I, 0);
                IntVector a3 = (IntVector) ByteVector.fromArray(B_QUARTER, ca, at + 24).convertShape(VectorOperators.B2I, I, 0);
                IntVector b0 = (IntVector) ByteVector.fromArray(B_QUARTER, cb, bt).convertShape(VectorOperators.B2I, I, 0);
                IntVector b1 = (IntVector) ByteVector.fromArray(B_QUARTER, cb, bt + 8).convertShape(VectorOperators.B2I, I, 0);
                IntVector b2 = (IntVector) ByteVector.fromArray(B_QUARTER, cb, bt + 16).convertShape(VectorOperators.B2I, I, 0);
                IntVector b3 = (IntVector) ByteVector.fromArray(B_QUARTER, cb, bt + 24).convertShape(VectorOperators.B2I, I, 0);
                if (preShift != 0) {   // narrower than a byte: sign-extend from the format's top bit
                    a0 = a0.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    a1 = a1.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    a2 = a2.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                    a3 = a3.lanewise(VectorOperators.LSHL, 24 + preShift).lanewise(VectorOperators.ASHR, 24 + preShift);
                }
                if (b.preShift != 0) {
                    b0 = b0.lanewise(VectorOperators.LSHL, 24 + b.preShift).lanewise(VectorOperators.ASHR, 24 + b.preShift);
                    b1 = b1.lanewise(VectorOperators.LSHL, 24 + b.preShift).lanewise(VectorOperators.ASHR, 24 + b.preShift);
                    b2 = b2.lanewise(VectorOperators.LSHL, 24 + b.preShift).lanewise(VectorOperators.ASHR, 24 + b.preShift);
                    b3 = b3.lanewise(VectorOperators.LSHL, 24 + b.preShift).lanewise(VectorOperators.ASHR, 24 + b.preShift);
                }
                FloatVector va0;
                FloatVector va1;
                FloatVector va2;
                FloatVector va3;
                FloatVector vb0;
                FloatVector vb1;
                FloatVector vb2;
                FloatVector vb3;
                if (twosComplement) {
                    va0 = (FloatVector) a0.convert(VectorOperators.I2F, 0);
                    va1 = (FloatVector) a1.convert(VectorOperators.I2F, 0);
                    va2 = (FloatVector) a2.convert(VectorOperators.I2F, 0);
                    va3 = (FloatVector) a3.convert(VectorOperators.I2F, 0);
                } else {
                    va0 = (FloatVector) a0.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    va1 = (FloatVector) a1.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    va2 = (FloatVector) a2.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                    va3 = (FloatVector) a3.lanewise(VectorOperators.LSHL, laneShift).and(laneMask).reinterpretAsFloats();
                }
                if (b.twosComplement) {
                    vb0 = (FloatVector) b0.convert(VectorOperators.I2F, 0);
                    vb1 = (FloatVector) b1.convert(VectorOperators.I2F, 0);
                    vb2 = (FloatVector) b2.convert(VectorOperators.I2F, 0);
                    vb3 = (FloatVector) b3.convert(VectorOperators.I2F, 0);
                } else {
                    vb0 = (FloatVector) b0.lanewise(VectorOperators.LSHL, b.laneShift).and(b.laneMask).reinterpretAsFloats();
                    vb1 = (FloatVector) b1.lanewise(VectorOperators.LSHL, b.laneShift).and(b.laneMask).reinterpretAsFloats();
                    vb2 = (FloatVector) b2.lanewise(VectorOperators.LSHL, b.laneShift).and(b.laneMask).reinterpretAsFloats();
                    vb3 = (FloatVector) b3.lanewise(VectorOperators.LSHL, b.laneShift).and(b.laneMask).reinterpretAsFloats();
                }
                FloatVector p0 = va0.mul(vb0.mul(factorB));   // exact
                FloatVector p1 = va1.mul(vb1.mul(factorB));
                FloatVector p2 = va2.mul(vb2.mul(factorB));
                FloatVector p3 = va3.mul(vb3.mul(factorB));
                DoubleVector low = ((DoubleVector) p0.convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p1.convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p2.convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p3.convertShape(VectorOperators.F2D, D, 0));
                DoubleVector high = ((DoubleVector) p0.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p1.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p2.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0))
                        .add((DoubleVector) p3.rearrange(UPPER_FLOATS_DOWN).convertShape(VectorOperators.F2D, D, 0));
                // In integer units, plus 1.5 * 2^52: the integer is then the low bits (one exact fma).
                LongVector integers = ((DoubleVector) low.fma(units, magic)).reinterpretAsLongs().sub(MAGIC_BITS)
                        .add(((DoubleVector) high.fma(units, magic)).reinterpretAsLongs().sub(MAGIC_BITS));
                acc = acc.add(integers.lanewise(VectorOperators.LSHL, shifts[j] - shiftBase));
                if (++inBlock == chunks) {
                    inBlock = 0;
                    j++;
                }
            }
            if (specials && largestA.compare(VectorOperators.GT, maxByte).anyTrue()
                    || b.specials && largestB.compare(VectorOperators.GT, b.maxByte).anyTrue()) {
                return NOT_INTEGER;
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }

        /**
         * {@code out[outOffset + i] = value(codes[offset + i]) * factor} for whole vectors; returns
         * how many elements it did. The loop lives here so that no vector crosses a call C2 might
         * not inline.
         */
        int decodeRange(byte[] codes, int offset, int length, float factor, float[] out, int outOffset) {
            return decodeBlocks(codes, offset, length, Integer.MAX_VALUE, new float[] {factor}, 0, out, outOffset);
        }

        /**
         * {@link #decodeRange} with factor {@code factors[factorOffset + i / blockSize]} for element
         * i; {@code blockSize} is a multiple of the lane count (or covers the whole range).
         */
        int decodeBlocks(byte[] codes, int offset, int length, int blockSize, float[] factors, int factorOffset,
                         float[] out, int outOffset) {
            // The decoding is written out in each loop (here and in the dot loops): C2 may compile a
            // vector helper on its own and then refuse to inline it ("already compiled into a big
            // method"), boxing every vector it returns.
            int bound = length - length % LANES;
            int block = factorOffset;
            int blockEnd = blockSize;   // no division per vector: blockSize is not a constant
            for (int i = 0; i < bound; i += LANES) {
                if (i == blockEnd) {
                    block++;
                    blockEnd += blockSize;
                }
                IntVector c = ((IntVector) ByteVector.fromArray(B_QUARTER, codes, offset + i)
                        .convertShape(VectorOperators.B2I, I, 0)).and(codeMask);
                FloatVector v;
                if (twosComplement) {
                    v = ((FloatVector) c.lanewise(VectorOperators.LSHL, fractionShift)
                            .lanewise(VectorOperators.ASHR, fractionShift).convert(VectorOperators.I2F, 0)).mul(scale);
                } else {
                    IntVector magnitude = c.and(~signBit);
                    IntVector bits = ((FloatVector) magnitude.lanewise(VectorOperators.LSHL, fractionShift)
                            .reinterpretAsFloats()).mul(scale).reinterpretAsInts()
                            .or(c.and(signBit).lanewise(VectorOperators.LSHL, signShift));
                    if (specials) {
                        VectorMask<Integer> nan = magnitude.compare(VectorOperators.GT, maxMagnitude);
                        if (infMagnitude >= 0) {
                            VectorMask<Integer> inf = magnitude.eq(infMagnitude);
                            bits = bits.blend(bits.and(0x8000_0000).or(0x7f80_0000), inf);
                            nan = nan.andNot(inf);
                        }
                        if (nanSignCode >= 0) {
                            nan = nan.or(c.eq(nanSignCode));
                        }
                        bits = bits.blend(Float.floatToRawIntBits(Float.NaN), nan);
                    }
                    v = (FloatVector) bits.reinterpretAsFloats();
                }
                v.mul(factors[block]).intoArray(out, outOffset + i);
            }
            return bound;
        }
    }

    // ---- encode ---------------------------------------------------------------------------------

    @Override
    public void encode(ElementFormat format, float[] in, int inOffset, byte[] codes, int codeOffset, int length,
                       Rounding rounding, Overflow overflow) {
        if (rounding == Rounding.STOCHASTIC || format.bits() > 8) {
            SCALAR.encode(format, in, inOffset, codes, codeOffset, length, rounding, overflow);
            return;
        }
        encodeLoop(format, in, inOffset, length, 0, rounding, overflow, codes, codeOffset);
    }

    @Override
    public void encodeScaled(ElementFormat element, float[] in, int inOffset, int length, int scaleExponent,
                             Rounding rounding, byte[] codes, int codeOffset) {
        if (rounding == Rounding.STOCHASTIC || element.bits() > 8) {
            SCALAR.encodeScaled(element, in, inOffset, length, scaleExponent, rounding, codes, codeOffset);
            return;
        }
        encodeLoop(element, in, inOffset, length, scaleExponent, rounding, Overflow.SATURATE, codes, codeOffset);
    }

    /** Vector encoding with the scalar code for tails and for vectors it does not cover. */
    private void encodeLoop(ElementFormat format, float[] in, int inOffset, int length, int scaleExponent,
                            Rounding rounding, Overflow overflow, byte[] codes, int codeOffset) {
        if (overflow != Overflow.SATURATE) {
            scalarEncode(format, in, inOffset, length, scaleExponent, rounding, overflow, codes, codeOffset);
            return;
        }
        EncodePlan plan = encodePlans.get(format);
        int bound = length - length % LANES;
        plan.encodeRange(format, in, inOffset, bound, scaleExponent, rounding, codes, codeOffset);
        scalarEncode(format, in, inOffset + bound, length - bound, scaleExponent, rounding, overflow, codes,
                codeOffset + bound);
    }

    private static void scalarEncode(ElementFormat format, float[] in, int inOffset, int length, int scaleExponent,
                                     Rounding rounding, Overflow overflow, byte[] codes, int codeOffset) {
        if (overflow == Overflow.SATURATE) {
            SCALAR.encodeScaled(format, in, inOffset, length, scaleExponent, rounding, codes, codeOffset);
        } else {
            SCALAR.encode(format, in, inOffset, codes, codeOffset, length, rounding, overflow);   // scaleExponent 0
        }
    }

    /**
     * Vector form of {@link ElementFormat#encode(double, Rounding, Overflow, int)} for finite,
     * normal float inputs and zeros with saturation: the same truncate-then-increment of the
     * magnitude code, done in int lanes on the float's bits. A vector holding a NaN, an infinity, a
     * float subnormal or (for unsigned formats) a negative number is left to the scalar code, which
     * keeps this short enough for C2 to compile without boxing.
     */
    static final class EncodePlan {
        private final int mantissaBits;
        private final int bias;
        private final int minNormalExponent;
        private final boolean subnormals;
        private final SignEncoding sign;
        private final int signBit;
        private final int codeMask;
        private final boolean negativeZero;
        private final int maxMagnitude;
        private final int signShift;   // moves a float's sign bit onto the format's

        EncodePlan(ElementFormat f) {
            mantissaBits = f.mantissaBits();
            bias = f.bias();
            subnormals = f.hasSubnormals();
            minNormalExponent = subnormals ? 1 - bias : -bias;
            sign = f.signEncoding();
            signBit = sign == SignEncoding.UNSIGNED ? 0 : 1 << (f.bits() - 1);
            codeMask = f.codeCount() - 1;
            negativeZero = f.hasNegativeZero();
            maxMagnitude = f.maxFiniteCode();
            signShift = 32 - f.bits();
        }

        /**
         * Saturating codes for {@code length} (a multiple of the lane count) floats, each scaled by
         * {@code 2^-scaleExponent} exactly; vectors the lanes do not cover go to the scalar code. The
         * loop lives here so that no vector crosses a call C2 might not inline.
         */
        void encodeRange(ElementFormat format, float[] in, int inOffset, int length, int scaleExponent,
                         Rounding rounding, byte[] codes, int codeOffset) {
            encodeBlocks(format, in, inOffset, length, Integer.MAX_VALUE, new int[] {scaleExponent}, 0, rounding,
                    codes, codeOffset);
        }

        /**
         * {@link #encodeRange} with scale exponent {@code scaleExponents[exponentOffset + i / blockSize]}
         * for element i; {@code blockSize} is a multiple of the lane count (or covers the whole range).
         */
        void encodeBlocks(ElementFormat format, float[] in, int inOffset, int length, int blockSize,
                          int[] scaleExponents, int exponentOffset, Rounding rounding, byte[] codes, int codeOffset) {
            // One method with the whole body: C2 compiles it as a unit, with no vector boxed.
            IntVector one = IntVector.broadcast(I, 1);
            int block = exponentOffset;
            int blockEnd = blockSize;   // no division per vector: blockSize is not a constant
            for (int i = 0; i < length; i += LANES) {
                if (i == blockEnd) {
                    block++;
                    blockEnd += blockSize;
                }
                int scaleExponent = scaleExponents[block];
                IntVector bits = FloatVector.fromArray(F, in, inOffset + i).reinterpretAsInts();
                IntVector abs = bits.and(0x7fff_ffff);
                VectorMask<Integer> zero = abs.eq(0);
                VectorMask<Integer> negative = bits.lt(0);
                // NaN, infinity, float subnormal, or a negative value for an unsigned format: scalar.
                VectorMask<Integer> unusual = abs.compare(VectorOperators.GE, 0x7f80_0000)
                        .or(abs.compare(VectorOperators.LT, 0x80_0000).andNot(zero));
                if (sign == SignEncoding.UNSIGNED) {
                    unusual = unusual.or(negative.andNot(zero));
                }
                if (unusual.anyTrue()) {
                    SCALAR.encodeScaled(format, in, inOffset + i, LANES, scaleExponent, rounding, codes, codeOffset + i);
                    continue;
                }
                // |x| * 2^-scaleExponent = sig * 2^(exp - 23), sig in [2^23, 2^24).
                IntVector exp = abs.lanewise(VectorOperators.LSHR, 23).sub(127 + scaleExponent);
                IntVector sig = abs.and(0x7f_ffff).or(0x80_0000);
                IntVector e = exp.max(minNormalExponent);
                // Bits of sig below the target quantum 2^(e - m); 25 already discards all of them.
                IntVector shift = e.sub(exp).add(23 - mantissaBits).min(25);
                IntVector halfway = one.lanewise(VectorOperators.LSHL, shift.sub(1));
                IntVector magnitude;
                if (rounding == Rounding.RNE && mantissaBits > 0) {
                    // Round half even in one add: sig + (half - 1) + (kept's last bit), then shift.
                    // The code's last bit is kept's last bit here (the rest of the code is even).
                    IntVector kept = sig.add(halfway.sub(1)).add(sig.lanewise(VectorOperators.LSHR, shift).and(1))
                            .lanewise(VectorOperators.LSHR, shift);
                    magnitude = e.add(bias).lanewise(VectorOperators.LSHL, mantissaBits).add(kept).sub(1 << mantissaBits);
                } else {
                    IntVector rest = sig.and(halfway.add(halfway).sub(1));
                    VectorMask<Integer> half = rest.compare(VectorOperators.GE, halfway);
                    VectorMask<Integer> sticky = rest.and(halfway.sub(1)).compare(VectorOperators.NE, 0);
                    magnitude = e.add(bias).lanewise(VectorOperators.LSHL, mantissaBits)
                            .add(sig.lanewise(VectorOperators.LSHR, shift)).sub(1 << mantissaBits);
                    VectorMask<Integer> up;
                    switch (rounding) {
                        case RNE: up = half.and(sticky.or(magnitude.and(1).compare(VectorOperators.NE, 0))); break;
                        case RNA: up = half; break;
                        case RUP: up = half.or(sticky).andNot(negative); break;
                        case RDN: up = half.or(sticky).and(negative); break;
                        case ODD: up = half.or(sticky).and(magnitude.and(1).eq(0)); break;
                        default: up = zero.and(half).andNot(zero);   // RTZ: never
                    }
                    magnitude = magnitude.add(one, up);
                }
                // Zeros, and (without subnormals) magnitudes below the least value, which clamp to it.
                VectorMask<Integer> tiny = subnormals ? zero : zero.or(exp.compare(VectorOperators.LT, minNormalExponent));
                magnitude = magnitude.blend(0, tiny).min(maxMagnitude);   // saturate
                IntVector code;
                if (sign == SignEncoding.TWOS_COMPLEMENT) {
                    code = magnitude.blend(magnitude.neg().and(codeMask), negative);
                } else if (sign == SignEncoding.UNSIGNED) {
                    code = magnitude;
                } else if (negativeZero) {   // the float's sign bit moved to the format's
                    code = magnitude.or(bits.lanewise(VectorOperators.LSHR, signShift).and(signBit));
                } else {
                    code = magnitude.blend(magnitude.or(signBit), negative.andNot(magnitude.eq(0)));
                }
                ((ByteVector) code.convertShape(VectorOperators.I2B, B_QUARTER, 0)).intoArray(codes, codeOffset + i);
            }
        }
    }

    // ---- MX blocks --------------------------------------------------------------------------------

    @Override
    public float maxAbs(float[] in, int offset, int length) {
        int bound = length - length % LANES;
        IntVector max = IntVector.zero(I);
        for (int i = 0; i < bound; i += LANES) {
            max = max.max(FloatVector.fromArray(F, in, offset + i).reinterpretAsInts().and(0x7fff_ffff));
        }
        int m = Math.max(max.reduceLanes(VectorOperators.MAX),
                Float.floatToRawIntBits(SCALAR.maxAbs(in, offset + bound, length - bound)));
        return Float.intBitsToFloat(m);
    }

    @Override
    public void decodeScaled(ElementFormat element, byte[] codes, int codeOffset, int length, float factor,
                             float[] out, int outOffset) {
        DecodePlan plan = decodePlans.get(element);
        if (plan == DecodePlan.NONE) {
            SCALAR.decodeScaled(element, codes, codeOffset, length, factor, out, outOffset);
            return;
        }
        int bound = plan.decodeRange(codes, codeOffset, length, factor, out, outOffset);
        SCALAR.decodeScaled(element, codes, codeOffset + bound, length - bound, factor, out, outOffset + bound);
    }

    @Override
    public void blockMaxAbs(float[] in, int offset, int length, int blockSize, float[] maxima) {
        if (blockSize % LANES != 0) {
            SCALAR.blockMaxAbs(in, offset, length, blockSize, maxima);
            return;
        }
        int whole = length / blockSize;
        wholeBlockMaxima(in, offset, whole, blockSize, maxima, 0);
        if (whole * blockSize < length) {
            maxima[whole] = maxAbs(in, offset + whole * blockSize, length - whole * blockSize);
        }
    }

    /**
     * The largest magnitude of each of {@code blocks} whole blocks of {@code blockSize} (a multiple
     * of the lane count) from {@code in[offset]}, into {@code maxima[maximaOffset ..)}. One flat loop
     * over all the blocks: C2 gives a loop of a few trips (one per block) a costly entry, with
     * peeled, unrolled and tail parts.
     */
    private static void wholeBlockMaxima(float[] in, int offset, int blocks, int blockSize, float[] maxima,
                                         int maximaOffset) {
        IntVector max = IntVector.zero(I);
        for (int i = 0, j = maximaOffset, blockEnd = blockSize - LANES, end = blocks * blockSize; i < end; i += LANES) {
            max = max.max(FloatVector.fromArray(F, in, offset + i).reinterpretAsInts().and(0x7fff_ffff));
            if (i == blockEnd) {   // the block's last vector
                maxima[j++] = Float.intBitsToFloat(max.reduceLanes(VectorOperators.MAX));
                max = IntVector.zero(I);
                blockEnd += blockSize;
            }
        }
    }

    @Override
    public void encodeScaledBlocks(ElementFormat element, float[] in, int inOffset, int length, int blockSize,
                                   int[] scaleExponents, int exponentOffset, Rounding rounding, byte[] codes,
                                   int codeOffset) {
        if (blockSize % LANES != 0 || rounding == Rounding.STOCHASTIC || element.bits() > 8) {
            SCALAR.encodeScaledBlocks(element, in, inOffset, length, blockSize, scaleExponents, exponentOffset,
                    rounding, codes, codeOffset);
            return;
        }
        int whole = length / blockSize * blockSize;
        encodePlans.get(element).encodeBlocks(element, in, inOffset, whole, blockSize, scaleExponents, exponentOffset,
                rounding, codes, codeOffset);
        if (whole < length) {
            encodeScaled(element, in, inOffset + whole, length - whole, scaleExponents[exponentOffset + whole / blockSize],
                    rounding, codes, codeOffset + whole);
        }
    }

    @Override
    public void decodeScaledBlocks(ElementFormat element, byte[] codes, int codeOffset, int length, int blockSize,
                                   float[] factors, int factorOffset, float[] out, int outOffset) {
        DecodePlan plan = decodePlans.get(element);
        if (blockSize % LANES != 0 || plan == DecodePlan.NONE) {
            SCALAR.decodeScaledBlocks(element, codes, codeOffset, length, blockSize, factors, factorOffset, out,
                    outOffset);
            return;
        }
        int whole = length / blockSize * blockSize;
        plan.decodeBlocks(codes, codeOffset, whole, blockSize, factors, factorOffset, out, outOffset);
        if (whole < length) {
            decodeScaled(element, codes, codeOffset + whole, length - whole, factors[factorOffset + whole / blockSize],
                    out, outOffset + whole);
        }
    }

    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    /** Swaps the halves of a 128-bit byte vector (one byte shuffle), so that part 0 is the upper half. */
    private static final VectorShuffle<Byte> UPPER_HALF_DOWN = VectorShuffle.iota(B16, 8, 1, true);
    private static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;

    @Override
    public void packNibbles(byte[] codes, int codeOffset, byte[] packed, int packedOffset, int count) {
        int bound = LITTLE_ENDIAN ? count - count % 32 : 0;
        for (int j = 0; j < bound; j += 32) {
            ShortVector pairs = ByteVector.fromArray(B32, codes, codeOffset + j).reinterpretAsShorts();
            ShortVector joined = pairs.and((short) 0x0f).or(pairs.lanewise(VectorOperators.LSHR, 4).and((short) 0xf0));
            ((ByteVector) joined.convertShape(VectorOperators.S2B, B16, 0)).intoArray(packed, packedOffset + j / 2);
        }
        SCALAR.packNibbles(codes, codeOffset + bound, packed, packedOffset + bound / 2, count - bound);
    }

    @Override
    public void unpackNibbles(byte[] packed, int packedOffset, byte[] codes, int codeOffset, int count) {
        int bound = LITTLE_ENDIAN ? count - count % 32 : 0;
        for (int j = 0; j < bound; j += 32) {
            ShortVector bytes = (ShortVector) ByteVector.fromArray(B16, packed, packedOffset + j / 2)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ShortVector split = bytes.and((short) 0x0f).or(bytes.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00));
            split.reinterpretAsBytes().intoArray(codes, codeOffset + j);
        }
        SCALAR.unpackNibbles(packed, packedOffset + bound / 2, codes, codeOffset + bound, count - bound);
    }

    /** Bytes 3g, 3g + 1, 3g + 2 of four packed groups into int lane g (the fourth byte is not used). */
    private static final VectorShuffle<Byte> GROUPS_TO_LANES = VectorShuffle.fromValues(B16,
            0, 1, 2, 0, 3, 4, 5, 0, 6, 7, 8, 0, 9, 10, 11, 0);
    /** The inverse: the low three bytes of each int lane, packed together (the last four are not used). */
    private static final VectorShuffle<Byte> LANES_TO_GROUPS = VectorShuffle.fromValues(B16,
            0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0, 0, 0, 0);

    /**
     * Four groups (16 codes, 12 packed bytes) per 128-bit vector: codes moved into their bits of
     * the group's 24-bit word by shifts and masks, the words' low three bytes gathered by one byte
     * shuffle. Each store writes 16 bytes, the last four of which the next store overwrites; the
     * last groups, where that would write past the range, go to the scalar code.
     */
    @Override
    public void packSixBitGroups(byte[] codes, int codeOffset, byte[] packed, int packedOffset, int groups) {
        int g = 0;
        if (LITTLE_ENDIAN) {
            for (; g + 6 <= groups; g += 4) {   // 3 * (g + 4) + 4 <= 3 * groups
                IntVector v = ByteVector.fromArray(B16, codes, codeOffset + 4 * g).reinterpretAsInts();
                IntVector word = v.and(0x3f).or(v.lanewise(VectorOperators.LSHR, 2).and(0xfc0))
                        .or(v.lanewise(VectorOperators.LSHR, 4).and(0x3_f000))
                        .or(v.lanewise(VectorOperators.LSHR, 6).and(0xfc_0000));
                word.reinterpretAsBytes().rearrange(LANES_TO_GROUPS).intoArray(packed, packedOffset + 3 * g);
            }
        }
        SCALAR.packSixBitGroups(codes, codeOffset + 4 * g, packed, packedOffset + 3 * g, groups - g);
    }

    /**
     * Four groups per 128-bit vector: one byte shuffle puts each group's three bytes into an int
     * lane, shifts and masks put its four codes into the lane's four bytes. Each load reads 16
     * bytes, four past the groups; the last groups, where that would read past the array, go to
     * the scalar code.
     */
    @Override
    public void unpackSixBitGroups(byte[] packed, int packedOffset, byte[] codes, int codeOffset, int groups) {
        int g = 0;
        if (LITTLE_ENDIAN) {
            for (; g + 4 <= groups && packedOffset + 3 * g + 16 <= packed.length; g += 4) {
                IntVector w = ByteVector.fromArray(B16, packed, packedOffset + 3 * g).rearrange(GROUPS_TO_LANES)
                        .reinterpretAsInts();
                IntVector v = w.and(0x3f).or(w.lanewise(VectorOperators.LSHL, 2).and(0x3f00))
                        .or(w.lanewise(VectorOperators.LSHL, 4).and(0x3f_0000))
                        .or(w.lanewise(VectorOperators.LSHL, 6).and(0x3f00_0000));
                v.reinterpretAsBytes().intoArray(codes, codeOffset + 4 * g);
            }
        }
        SCALAR.unpackSixBitGroups(packed, packedOffset + 3 * g, codes, codeOffset + 4 * g, groups - g);
    }

    /**
     * 32 codes (16 packed bytes) at a time: each nibble looked up in the 16-byte table (one byte
     * shuffle per half), the two halves interleaved as shorts {@code low | high << 8}.
     */
    @Override
    public void unpackSmallIntegers(ElementFormat element, byte[] packed, int packedOffset, byte[] out, int outOffset,
                                    int count) {
        byte[] table = Kernels.requireSmallIntegerTable(element);
        int bound = LITTLE_ENDIAN ? count - count % 32 : 0;
        if (DOT_LANES) {
            // As the FAST loop reads them: 16 bytes widen to shorts low | high << 8, which read as
            // 32 bytes are the nibbles in order, then one 32-byte lookup (certified MXFP4 at 1M:
            // JDK 25 ~8% faster; JDK 17 155 -> 137 us, and no longer 1.1 MB of boxed vectors per
            // call after other paths ran, MixedHistory).
            ByteVector values = ByteVector.fromArray(B32, table, 0);   // padded to 32 bytes
            for (int j = 0; j < bound; j += 32) {
                ShortVector pairs = (ShortVector) ByteVector.fromArray(B16, packed, packedOffset + j / 2)
                        .convertShape(VectorOperators.B2S, S16, 0);
                pairs.and((short) 0x000f).or(pairs.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00))
                        .reinterpretAsBytes().selectFrom(values).intoArray(out, outOffset + j);
            }
            SCALAR.unpackSmallIntegers(element, packed, packedOffset + bound / 2, out, outOffset + bound, count - bound);
            return;
        }
        ByteVector values = ByteVector.fromArray(B16, table, 0);
        for (int j = 0; j < bound; j += 32) {
            ByteVector bytes = ByteVector.fromArray(B16, packed, packedOffset + j / 2);
            ByteVector low = bytes.and((byte) 0x0f).selectFrom(values);
            ByteVector high = bytes.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                    .and((byte) 0x0f).selectFrom(values);
            ShortVector lowShorts = (ShortVector) low.convertShape(VectorOperators.B2S, S16, 0);
            ShortVector highShorts = (ShortVector) high.convertShape(VectorOperators.B2S, S16, 0);
            lowShorts.and((short) 0xff).or(highShorts.lanewise(VectorOperators.LSHL, 8)).reinterpretAsBytes()
                    .intoArray(out, outOffset + j);
        }
        SCALAR.unpackSmallIntegers(element, packed, packedOffset + bound / 2, out, outOffset + bound, count - bound);
    }

    // ---- dot products ------------------------------------------------------------------------------

    @Override
    public double productSum(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB, int length) {
        ProductPlan plan = productPlan(a, b, length);
        return plan == null ? SCALAR.productSum(a, ca, offA, b, cb, offB, length)
                : plan.sum(ca, offA, cb, offB, length);
    }

    /** How to sum products exactly in vectors, or null when the scalar kernel must. */
    private ProductPlan productPlan(ElementFormat a, ElementFormat b, int length) {
        DecodePlan pa = decodePlans.get(a);
        DecodePlan pb = decodePlans.get(b);
        int low = Math.getExponent(a.minSubnormal()) + Math.getExponent(b.minSubnormal());
        int high = a.emax() + 1 + b.emax() + 1;
        // Significand bits of a product (an integer format's magnitudes span mantissaBits + 1 bits).
        int productSignificandBits = a.mantissaBits() + 1 + b.mantissaBits() + 1;
        int sumBits = DotLanes.spanBits(a, b, length);
        // Every product exact in float (short significands, within float's range), and every
        // partial sum exact in float or double: any order then gives the scalar kernel's sequential sum.
        if (pa == DecodePlan.NONE || pb == DecodePlan.NONE || low < -149 || high > 127 || productSignificandBits > 24
                || sumBits > 53) {
            return null;
        }
        return new ProductPlan(pa, pb, sumBits <= 24);
    }

    /**
     * Exact sums of products of decoded values, in float lanes or (wider sums) double lanes. Codes
     * are decoded into scratch arrays first ({@link DecodePlan#decodeRange}), so that the summing
     * loop has no vector-returning call that C2 might not inline.
     */
    private static final ThreadLocal<float[][]> PRODUCT_SCRATCH = ThreadLocal.withInitial(() -> new float[2][4096]);

    private static final class ProductPlan {
        private final DecodePlan a;
        private final DecodePlan b;
        private final boolean inFloat;

        ProductPlan(DecodePlan a, DecodePlan b, boolean inFloat) {
            this.a = a;
            this.b = b;
            this.inFloat = inFloat;
        }

        double sum(byte[] ca, int offA, byte[] cb, int offB, int length) {
            double[] sums = new double[1];
            sums(ca, offA, cb, offB, length, 1, sums);
            return sums[0];
        }

        /** {@code blocks} consecutive sums of {@code length} products each. */
        void sums(byte[] ca, int offA, byte[] cb, int offB, int length, int blocks, double[] sums) {
            if (length == 0) {
                java.util.Arrays.fill(sums, 0, blocks, 0.0);
                return;
            }
            float[][] scratch = PRODUCT_SCRATCH.get();
            float[] va = scratch[0];
            float[] vb = scratch[1];
            if (length > va.length) {
                va = new float[length];
                vb = new float[length];
            }
            int perGroup = Math.max(1, va.length / length);
            for (int first = 0; first < blocks; first += perGroup) {
                int count = Math.min(perGroup, blocks - first);
                int n = count * length;
                int doneA = a.decodeRange(ca, offA + first * length, n, 1f, va, 0);
                int doneB = b.decodeRange(cb, offB + first * length, n, 1f, vb, 0);
                for (int i = doneA; i < n; i++) {
                    va[i] = a.value(ca[offA + first * length + i]);
                }
                for (int i = doneB; i < n; i++) {
                    vb[i] = b.value(cb[offB + first * length + i]);
                }
                for (int j = 0; j < count; j++) {
                    double sum = inFloat ? floatSum(va, vb, j * length, length) : doubleSum(va, vb, j * length, length);
                    sums[first + j] = Double.isNaN(sum) ? Double.NaN : sum;
                }
            }
        }

        private static double floatSum(float[] va, float[] vb, int offset, int length) {
            int bound = length - length % LANES;
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0; i < bound; i += LANES) {
                acc = FloatVector.fromArray(F, va, offset + i).fma(FloatVector.fromArray(F, vb, offset + i), acc);
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (int i = bound; i < length; i++) {   // the tail, exact too
                sum += (double) va[offset + i] * vb[offset + i];
            }
            return sum;
        }

        private static double doubleSum(float[] va, float[] vb, int offset, int length) {
            int bound = length - length % LANES;
            DoubleVector acc0 = DoubleVector.zero(D);
            DoubleVector acc1 = DoubleVector.zero(D);
            for (int i = 0; i < bound; i += LANES) {
                FloatVector p = FloatVector.fromArray(F, va, offset + i).mul(FloatVector.fromArray(F, vb, offset + i));
                acc0 = acc0.add((DoubleVector) p.convertShape(VectorOperators.F2D, D, 0));
                acc1 = acc1.add((DoubleVector) p.convertShape(VectorOperators.F2D, D, 1));
            }
            double sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            for (int i = bound; i < length; i++) {
                sum += (double) va[offset + i] * vb[offset + i];
            }
            return sum;
        }
    }

    @Override
    public void blockProductSums(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB,
                                 int blockSize, int blocks, double[] sums) {
        if (DOT_LANES && DotLanes.lanes(blockSize) && isInt8(a) && isInt8(b)) {
            double unit = (double) a.decodeFloat(1) * b.decodeFloat(1);
            for (int j = 0; j < blocks; j++) {
                sums[j] = int8ProductSum(ca, offA + j * blockSize, cb, offB + j * blockSize, blockSize) * unit;
            }
            return;
        }
        if (blockSize == DotLanes.LANES && (DOT_LANES || NARROW_DOT_LANES) && smallIntegerBlocks(a, b)) {
            smallIntegerSums16(a, ca, offA, b, cb, offB, blocks, sums);
            return;
        }
        ProductPlan plan = productPlan(a, b, blockSize);
        if (plan == null) {
            SCALAR.blockProductSums(a, ca, offA, b, cb, offB, blockSize, blocks, sums);
            return;
        }
        plan.sums(ca, offA, cb, offB, blockSize, blocks, sums);
    }

    /**
     * Whether both formats' values are small integers ({@link DotLanes#smallIntegerBytes}: e2m1)
     * whose products over a block of 16 sum within a short: {@code 16 * 2^bitsA * 2^bitsB <= 2^15}.
     */
    private static boolean smallIntegerBlocks(ElementFormat a, ElementFormat b) {
        return DotLanes.smallIntegerBytes(a) != null && DotLanes.smallIntegerBytes(b) != null
                && DotLanes.integerBits(a) + DotLanes.integerBits(b) + 4 <= 15;
    }

    /**
     * {@link #blockProductSums} for blocks of 16 codes (one per byte) of small-integer formats
     * (NVFP4's e2m1): each block's codes looked up as byte integers, widened to shorts, multiplied
     * and summed in 16-bit lanes (exact: {@link #smallIntegerBlocks}), times the two formats' unit.
     * The sum is an exact integer times a power of two, as the scalar kernel's is (whose zero is
     * +0, as {@code (double) 0 * unit} is), so the bits are the same. A 16-byte table lookup is one
     * byte shuffle at either vector width.
     */
    private static void smallIntegerSums16(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB,
                                           int blocks, double[] sums) {
        java.util.Objects.checkFromIndexSize(offA, blocks * DotLanes.LANES, ca.length);
        java.util.Objects.checkFromIndexSize(offB, blocks * DotLanes.LANES, cb.length);
        java.util.Objects.checkFromIndexSize(0, blocks, sums.length);
        double unit = Math.scalb(1.0, DotLanes.integerLsbExponent(a) + DotLanes.integerLsbExponent(b));
        ByteVector tableA = ByteVector.fromArray(B16, DotLanes.smallIntegerBytes(a), 0);
        ByteVector tableB = ByteVector.fromArray(B16, DotLanes.smallIntegerBytes(b), 0);
        for (int j = 0; j < blocks; j++) {
            ShortVector va = (ShortVector) ByteVector.fromArray(B16, ca, offA + j * DotLanes.LANES).and((byte) 0x0f)
                    .selectFrom(tableA).convertShape(VectorOperators.B2S, S16, 0);
            ShortVector vb = (ShortVector) ByteVector.fromArray(B16, cb, offB + j * DotLanes.LANES).and((byte) 0x0f)
                    .selectFrom(tableB).convertShape(VectorOperators.B2S, S16, 0);
            sums[j] = va.mul(vb).reduceLanes(VectorOperators.ADD) * unit;
        }
    }

    private static boolean isInt8(ElementFormat f) {
        return f.signEncoding() == SignEncoding.TWOS_COMPLEMENT && f.bits() == 8;
    }

    private static final VectorSpecies<Short> S_DOUBLE_WIDTH = DOT_LANES ? ShortVector.SPECIES_512 : null;

    /** The integer sum of products of signed bytes, 32 at a time (length a multiple of 32). */
    private static int int8ProductSum(byte[] a, int offA, byte[] b, int offB, int length) {
        IntVector s = IntVector.zero(I);
        for (int i = 0; i < length; i += DotLanes.CHUNK) {
            ShortVector pa = (ShortVector) ByteVector.fromArray(B32, a, offA + i)
                    .convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0);
            ShortVector pb = (ShortVector) ByteVector.fromArray(B32, b, offB + i)
                    .convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0);
            ShortVector p = pa.mul(pb);   // |p| <= 2^14: exact in 16 bits
            s = s.add((IntVector) p.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));
        }
        return s.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public double dotFast(ElementFormat element, byte[] codes, int codeOffset, ElementFormat scale, byte[] scaleCodes,
                          int scaleOffset, int blockSize, int blocks, float[] x, int xOffset) {
        // NaN: not done (a special code), or a NaN sum, which the scalar kernel gives with its own bits.
        double sum = vectorDotFast(element, codes, codeOffset, scale, scaleCodes, scaleOffset, blockSize, blocks, x,
                xOffset);
        return !Double.isNaN(sum) ? sum : SCALAR.dotFast(element, codes, codeOffset, scale, scaleCodes, scaleOffset,
                blockSize, blocks, x, xOffset);
    }

    @Override
    public XForm preferredXForm(ElementFormat element, int blockSize) {
        if (!(NARROW_DOT_LANES && !DOT_LANES && LITTLE_ENDIAN && blockSize == DotLanes.CHUNK)) {
            return XForm.NATURAL;
        }
        DecodePlan plan = decodePlans.get(element);
        if (DotLanes.nibbles(element)) {
            return plan.nibbleTable != null && plan.nibbleLaneDecoding ? XForm.SPLIT : XForm.NATURAL;
        }
        // Raw floats times scaled x: one multiplication per 8 codes fewer (docs/performance.md).
        return plan.laneDecoding && !plan.twosComplement && plan.laneScale != 1
                ? XForm.SCALED : XForm.NATURAL;
    }

    @Override
    public double dotFastPrepared(ElementFormat element, XForm form, byte[] codes, int codeOffset, ElementFormat scale,
                                  byte[] scaleCodes, int scaleOffset, int blockSize, int blocks, float[] xs,
                                  int xsOffset) {
        double sum = form != XForm.NATURAL && form == preferredXForm(element, blockSize)
                ? vectorDotFastPrepared(element, form, codes, codeOffset, scale, scaleCodes, scaleOffset, blocks, xs,
                        xsOffset)
                : Double.NaN;
        return !Double.isNaN(sum) ? sum : Kernels.super.dotFastPrepared(element, form, codes, codeOffset, scale,
                scaleCodes, scaleOffset, blockSize, blocks, xs, xsOffset);
    }

    @Override
    public void dotFastRows(ElementFormat element, byte[] codes, int codeOffset, int codeStride, ElementFormat scale,
                            byte[] scaleCodes, int scaleOffset, int scaleStride, int blockSize, int blocks, float[] x,
                            int xOffset, XForm form, int rows, double[] sums, int sumOffset) {
        DecodePlan plan = decodePlans.get(element);
        if (form == XForm.NATURAL ? !laneLoops(plan, blockSize) : form != preferredXForm(element, blockSize)) {
            Kernels.super.dotFastRows(element, codes, codeOffset, codeStride, scale, scaleCodes, scaleOffset, scaleStride,
                    blockSize, blocks, x, xOffset, form, rows, sums, sumOffset);
            return;
        }
        float[] factors = plan.factors(scale);
        boolean nibbles = DotLanes.nibbles(element);
        for (int r = 0; r < rows; r++) {
            int at = codeOffset + r * codeStride;
            int scalesAt = scaleOffset + r * scaleStride;
            double sum = form == XForm.NATURAL
                    ? laneLoop(plan, nibbles, codes, at, factors, scaleCodes, scalesAt, blocks, x, xOffset)
                    : preparedLoop(plan, form, codes, at, factors, scaleCodes, scalesAt, blocks, x, xOffset);
            if (Double.isNaN(sum)) {   // as dotFast and dotFastPrepared hand such calls on
                sum = form == XForm.NATURAL
                        ? SCALAR.dotFast(element, codes, at, scale, scaleCodes, scalesAt, blockSize, blocks, x, xOffset)
                        : Kernels.super.dotFastPrepared(element, form, codes, at, scale, scaleCodes, scalesAt, blockSize,
                        blocks, x, xOffset);
            }
            sums[sumOffset + r] = sum;
        }
    }

    /**
     * The loop of a preferred non-natural form ({@link #dotFastPrepared}); NaN when it does not take
     * the call (package-private for tests).
     */
    double vectorDotFastPrepared(ElementFormat element, XForm form, byte[] codes, int codeOffset, ElementFormat scale,
                                 byte[] scaleCodes, int scaleOffset, int blocks, float[] xs, int xsOffset) {
        DecodePlan plan = decodePlans.get(element);
        return preparedLoop(plan, form, codes, codeOffset, plan.factors(scale), scaleCodes, scaleOffset, blocks, xs,
                xsOffset);
    }

    /** The 256-bit loop that reads x in {@code form} (split: e2m1; scaled: raw floats). */
    private static double preparedLoop(DecodePlan plan, XForm form, byte[] codes, int codeOffset, float[] factors,
                                       byte[] scaleCodes, int scaleOffset, int blocks, float[] xs, int xsOffset) {
        return form == XForm.SPLIT
                ? plan.dotNibbles32Split(codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, xs, xsOffset)
                : plan.dotBytes32Narrow(codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, xs, xsOffset, true);
    }

    /**
     * {@link #dotFast} by a vector loop: 16-lane vectors (AVX-512) or pairs of 8-lane ones (AVX2),
     * for block size 32 (the MX standard: the loop over blocks is then flat, which C2 needs
     * to keep the lane sums in registers; a nested chunk loop makes it box them), and at 16 lanes
     * for 4-bit codes in blocks of 16 (NVFP4: one block per step, {@link #NIBBLES_SIXTEEN}, or
     * {@link DecodePlan#dotNibbles16Narrow} at 8 lanes; 1M elements at 16 lanes 0.97 ms -> 78 us, JDK 25);
     * NaN when no vector loop takes the call
     * (package-private so that tests can tell the loops ran).
     */
    double vectorDotFast(ElementFormat element, byte[] codes, int codeOffset, ElementFormat scale, byte[] scaleCodes,
                         int scaleOffset, int blockSize, int blocks, float[] x, int xOffset) {
        DecodePlan plan = decodePlans.get(element);
        if ((DOT_LANES || NARROW_DOT_LANES) && blockSize == DotLanes.LANES && DotLanes.nibbles(element)
                && plan != DecodePlan.NONE) {
            return DOT_LANES
                    ? plan.dotNibbles32(NIBBLES_SIXTEEN, codes, codeOffset, plan.factors(scale), scaleCodes,
                            scaleOffset, blocks, x, xOffset)
                    : plan.dotNibbles16Narrow(codes, codeOffset, plan.factors(scale), scaleCodes, scaleOffset, blocks,
                            x, xOffset);
        }
        if (!laneLoops(plan, blockSize)) {
            return Double.NaN;
        }
        return laneLoop(plan, DotLanes.nibbles(element), codes, codeOffset, plan.factors(scale), scaleCodes, scaleOffset,
                blocks, x, xOffset);
    }

    /** Whether a vector loop of {@link #vectorDotFast} may take blocks of this size and format. */
    private static boolean laneLoops(DecodePlan plan, int blockSize) {
        return (DOT_LANES || NARROW_DOT_LANES) && blockSize == DotLanes.CHUNK && plan != DecodePlan.NONE;
    }

    /** The FAST loop of this vector width for the format (NaN: it does not take the call). */
    private static double laneLoop(DecodePlan plan, boolean nibbles, byte[] codes, int codeOffset, float[] factors,
                                   byte[] scaleCodes, int scaleOffset, int blocks, float[] x, int xOffset) {
        if (DOT_LANES) {
            return nibbles
                    ? plan.dotNibbles32(WIDE_NIBBLE_LOOKUP ? NIBBLES_WIDE : NIBBLES_HALVES, codes, codeOffset, factors,
                            scaleCodes, scaleOffset, blocks, x, xOffset)
                    : plan.dotBytes32(codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, x, xOffset);
        }
        return nibbles
                ? plan.dotNibbles32(NIBBLES_NARROW, codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, x,
                        xOffset)
                : plan.dotBytes32Narrow(codes, codeOffset, factors, scaleCodes, scaleOffset, blocks, x, xOffset, false);
    }

    /** Double lanes of {@link #exactDotCodeLanes}; the vector loop needs exactly {@link Kernels#EXACT_DOT_LANES}. */
    private static final boolean EXACT_LANES = DOT_LANES && D.length() == EXACT_DOT_LANES;
    /** 256-bit vectors (AVX2): the 8 double lanes are two vectors of 4 (the narrow exact loop). */
    static final boolean NARROW_EXACT_LANES = NARROW_DOT_LANES && D.length() * 2 == EXACT_DOT_LANES;

    /**
     * The scalar kernel: the library sums decoded codes ({@link #exactDotCodeLanes}), whose vector
     * loop decodes in registers; a second vector copy of the lane loop for float inputs would only
     * repeat it.
     */
    @Override
    public void exactDotLanes(float[] values, int valueOffset, float[] x, int xOffset, double[] blockScales,
                              int blockSize, int blocks, double[] lanes) {
        SCALAR.exactDotLanes(values, valueOffset, x, xOffset, blockScales, blockSize, blocks, lanes);
    }

    @Override
    public void scaledQuotients(float[] in, int inOffset, int length, int blockSize, double[] divisors, int mask,
                                float[] out, int outOffset, byte[] suspects) {
        int blocks = ScalarKernels.requireQuotients(in, inOffset, length, blockSize, divisors, out, outOffset, suspects);
        int step = D.length();
        if (blockSize % step != 0 || F_HALF.length() != step) {
            SCALAR.scaledQuotients(in, inOffset, length, blockSize, divisors, mask, out, outOffset, suspects);
            return;
        }
        int whole = length / blockSize;
        for (int j = 0; j < whole; j++) {
            DoubleVector d = DoubleVector.broadcast(D, divisors[j]);
            VectorMask<Integer> any = I_HALF.maskAll(false);
            for (int i = j * blockSize; i < (j + 1) * blockSize; i += step) {
                FloatVector v = FloatVector.fromArray(F_HALF, in, inOffset + i);
                FloatVector q = (FloatVector) ((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0)).div(d)
                        .convertShape(VectorOperators.D2F, F_HALF, 0);
                q.intoArray(out, outOffset + i);
                IntVector bits = q.reinterpretAsInts().and(0x7fff_ffff);
                VectorMask<Integer> odd = bits.compare(VectorOperators.LT, 0x0080_0000)
                        .or(bits.compare(VectorOperators.GE, 0x7f80_0000))
                        .or(bits.and(mask).compare(VectorOperators.EQ, 0));
                any = any.or(odd.and(v.compare(VectorOperators.NE, 0f).cast(I_HALF)));
            }
            suspects[j] = (byte) (any.anyTrue() ? 1 : 0);
        }
        if (whole < blocks) {   // the partial last block
            int from = whole * blockSize;
            byte[] last = new byte[1];
            SCALAR.scaledQuotients(in, inOffset + from, length - from, blockSize, new double[] {divisors[whole]}, mask,
                    out, outOffset + from, last);
            suspects[whole] = last[0];
        }
    }

    @Override
    public void compensatedDotLanes(float[] values, int valueOffset, float[] x, int xOffset, double[] blockScales,
                                    int scaleOffset, int blockSize, int blocks, double[] lanes) {
        int n = ScalarKernels.requireCompensated(values, valueOffset, x, xOffset, blockScales, scaleOffset, blockSize,
                blocks, lanes);
        if (!(EXACT_LANES || NARROW_EXACT_LANES) || blockSize % COMPENSATED_LANES != 0) {
            SCALAR.compensatedDotLanes(values, valueOffset, x, xOffset, blockScales, scaleOffset, blockSize, blocks, lanes);
            return;
        }
        // Lanes q .. q + D - 1 (D: 8 double lanes, 4 on AVX2), one group of lanes at a time: each
        // lane still takes its elements in order, and lanes never mix, so the bits are the scalar
        // kernel's at either width.
        int chunksPerBlock = blockSize / COMPENSATED_LANES;
        for (int q = 0; q < COMPENSATED_LANES; q += D.length()) {
            DoubleVector sums = DoubleVector.fromArray(D, lanes, q);
            DoubleVector errors = DoubleVector.fromArray(D, lanes, COMPENSATED_LANES + q);
            DoubleVector magnitudes = DoubleVector.fromArray(D, lanes, 2 * COMPENSATED_LANES + q);
            int block = scaleOffset;
            int inBlock = 0;
            for (int at = q; at < n; at += COMPENSATED_LANES) {
                double scale = blockScales[block];
                if (++inBlock == chunksPerBlock) {
                    inBlock = 0;
                    block++;
                }
                DoubleVector v = (DoubleVector) FloatVector.fromArray(F_HALF, values, valueOffset + at)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector xv = (DoubleVector) FloatVector.fromArray(F_HALF, x, xOffset + at)
                        .convertShape(VectorOperators.F2D, D, 0);
                DoubleVector p = v.mul(scale).mul(xv);
                DoubleVector t = sums.add(p);
                DoubleVector z = t.sub(sums);
                DoubleVector e = sums.sub(t.sub(z)).add(p.sub(z));
                sums = t;
                errors = errors.add(e);
                magnitudes = magnitudes.add(e.abs());
            }
            sums.intoArray(lanes, q);
            errors.intoArray(lanes, COMPENSATED_LANES + q);
            magnitudes.intoArray(lanes, 2 * COMPENSATED_LANES + q);
        }
    }

    @Override
    public int exactDotCodeLanes(ElementFormat element, byte[] codes, int codeOffset, float[] x, int xOffset,
                                 double[] blockScales, int blockSize, int blocks, double[] lanes) {
        int largest = vectorExactDotCodeLanes(element, codes, codeOffset, x, xOffset, blockScales, blockSize, blocks,
                lanes);
        return largest >= 0 ? largest
                : SCALAR.exactDotCodeLanes(element, codes, codeOffset, x, xOffset, blockScales, blockSize, blocks, lanes);
    }

    /**
     * {@link #exactDotCodeLanes} by a vector loop (8 double lanes, or two vectors of 4 on 256-bit
     * machines), for block size 32, and at 8 lanes for signed-byte codes in blocks of 16 (NVFP4's
     * integers); -1 (lanes untouched) when no vector loop takes the call (package-private so that
     * tests can tell the loops ran).
     */
    int vectorExactDotCodeLanes(ElementFormat element, byte[] codes, int codeOffset, float[] x, int xOffset,
                                double[] blockScales, int blockSize, int blocks, double[] lanes) {
        if (blockSize == DotLanes.LANES) {   // blocks of 16: signed-byte codes only
            int loop = EXACT_LANES ? EXACT_INTEGERS_16 : NARROW_EXACT_LANES && INTEGER_HALVES ? EXACT_INTEGERS_16_NARROW
                    : -1;
            return loop < 0 ? -1 : exactRuns(loop, decodePlans.get(element), element, codes, codeOffset, x, xOffset,
                    blockScales, blocks, blockSize, lanes);
        }
        if (!(EXACT_LANES || NARROW_EXACT_LANES) || blockSize != DotLanes.CHUNK) {
            return -1;
        }
        DecodePlan plan = decodePlans.get(element);
        int loop = EXACT_LANES ? EXACT_WIDE
                : INTEGER_HALVES && plan.twosComplement && plan.preShift == 0 ? EXACT_INTEGERS_NARROW : EXACT_NARROW;
        return exactRuns(loop, plan, element, codes, codeOffset, x, xOffset, blockScales, blocks, DotLanes.CHUNK,
                lanes);
    }

    /** The loops of {@link #exactRuns}: {@link DecodePlan#exactBytes32}, its 256-bit twin, and the integer one. */
    private static final int EXACT_WIDE = 0;
    private static final int EXACT_NARROW = 1;
    private static final int EXACT_INTEGERS_NARROW = 2;
    /** {@link DecodePlan#exactIntegers16}: blocks of 16 signed-byte codes, 8 double lanes. */
    private static final int EXACT_INTEGERS_16 = 3;
    /** {@link DecodePlan#exactIntegers32Narrow} taking blocks of 16 in pairs (4 double lanes, JDK 25+). */
    private static final int EXACT_INTEGERS_16_NARROW = 4;

    /**
     * {@link #exactDotCodeLanes} by the vector loop {@code loop}, one call per run of
     * {@link Kernels#EXACT_DOT_RUN} blocks (each run's lane sums start at zero, so the loops carry
     * no run of their own). -1 (lanes untouched) when the loop does not take the first run; when
     * it does not take a later one (a NaN or infinite code there), the scalar kernel goes on from
     * that run, which gives the same bits, as every run starts from the lanes alone.
     */
    private int exactRuns(int loop, DecodePlan plan, ElementFormat element, byte[] codes, int codeOffset, float[] x,
                          int xOffset, double[] blockScales, int blocks, int blockSize, double[] lanes) {
        double unit = DotLanes.unit(element);
        int largest = 0;
        for (int start = 0; start < blocks; start += EXACT_DOT_RUN) {
            int run = Math.min(EXACT_DOT_RUN, blocks - start);
            int at = codeOffset + start * blockSize;
            int xAt = xOffset + start * blockSize;
            int key = loop == EXACT_WIDE ? plan.exactBytes32(codes, at, x, xAt, blockScales, start, run, unit, lanes)
                    : loop == EXACT_NARROW
                    ? plan.exactBytes32Narrow(codes, at, x, xAt, blockScales, start, run, unit, lanes)
                    : loop == EXACT_INTEGERS_16
                    ? plan.exactIntegers16(codes, at, x, xAt, blockScales, start, run, unit, lanes)
                    : plan.exactIntegers32Narrow(codes, at, x, xAt, blockScales, start, run, unit, lanes,
                            loop == EXACT_INTEGERS_16_NARROW);
            if (key < 0) {
                if (start == 0) {
                    return -1;
                }
                key = ScalarKernels.exactCodeLanes(element, codes, at, x, xAt, blockScales, start, blockSize,
                        blocks - start, lanes);
                return Math.max(largest, key);
            }
            largest = Math.max(largest, key);
        }
        return largest;
    }

    /**
     * Whether signed-byte codes take {@link DecodePlan#exactIntegers32Narrow} on 256-bit machines:
     * faster on JDK 25 (12.1 against 15.8 ns per block), while JDK 17's C2 boxes its vectors (68
     * against 22 ns); the versions between were not measured and keep the older loop.
     */
    static final boolean INTEGER_HALVES = Runtime.version().feature() >= 25;

    /**
     * Whether the 16-lane FAST e2m1 loop looks a block's nibbles up in one 256-bit vector
     * ({@link DecodePlan#dotNibbles32}, {@link #NIBBLES_WIDE}) rather than two 128-bit ones: on JDK 25 the wide lookup
     * is faster (MXFP4 matvec 4096 x 4096, 0.86-1.0 against 1.19-1.31 ms); on JDK 17 its part-1
     * widening inlines past C2's depth limit and runs the Vector API's Java fallback (FAST MXFP4
     * at 1K 264 against 120 ns). The versions between were not measured and take the halves.
     */
    static final boolean WIDE_NIBBLE_LOOKUP = Runtime.version().feature() >= 25;

    /**
     * Whether the FAST byte loops track the largest code magnitude for every format, not only for
     * formats with NaN or infinity codes: before JDK 25, where the conditional update was compiled
     * with its carried vector boxed once both kinds of format had run (see dotBytes32).
     */
    static final boolean TRACK_EVERY_FORMAT = Runtime.version().feature() < 25;

    /** The loops of {@link DecodePlan#dotNibbles32}: 16 lanes with one 256-bit lookup, 16 lanes by halves, 8 lanes. */
    static final int NIBBLES_WIDE = 0;
    static final int NIBBLES_HALVES = 1;
    static final int NIBBLES_NARROW = 2;
    /** {@link DecodePlan#dotNibbles32} for blocks of 16 (NVFP4), 16 lanes. */
    static final int NIBBLES_SIXTEEN = 3;

    /** {@link DecodePlan#exactIntegers32Narrow} of this format, whatever {@link #INTEGER_HALVES} says (tests). */
    int exactIntegerLanesNarrow(ElementFormat element, byte[] codes, int codeOffset, float[] x, int xOffset,
                                double[] blockScales, int blocks, double[] lanes) {
        return exactRuns(EXACT_INTEGERS_NARROW, decodePlans.get(element), element, codes, codeOffset, x, xOffset,
                blockScales, blocks, DotLanes.CHUNK, lanes);
    }

    private static final VectorSpecies<Long> L_DOUBLE_WIDTH = DOT_LANES ? LongVector.SPECIES_512 : null;
    /** 1.5 * 2^52: adding it to an integer below 2^51 in magnitude puts that integer in the low bits. */
    private static final double MAGIC = 0x1.8p52;
    private static final long MAGIC_BITS = Double.doubleToRawLongBits(MAGIC);
    /** Loaded by {@link #byteShiftedProductSum} in place of a table it does not use (int8 codes need no lookup). */
    private static final byte[] UNUSED_TABLE = new byte[32];

    @Override
    public long e8m0ExponentSums(byte[] sa, int offA, byte[] sb, int offB, int count, int[] out) {
        java.util.Objects.checkFromIndexSize(0, count, out.length);
        java.util.Objects.checkFromIndexSize(offA, count, sa.length);
        java.util.Objects.checkFromIndexSize(offB, count, sb.length);
        IntVector least = IntVector.broadcast(I, Integer.MAX_VALUE);
        IntVector greatest = IntVector.broadcast(I, Integer.MIN_VALUE);
        IntVector top = IntVector.zero(I);
        int bound = count - count % LANES;
        for (int j = 0; j < bound; j += LANES) {
            IntVector a = ((IntVector) ByteVector.fromArray(B_QUARTER, sa, offA + j)
                    .convertShape(VectorOperators.B2I, I, 0)).and(0xFF);
            IntVector b = ((IntVector) ByteVector.fromArray(B_QUARTER, sb, offB + j)
                    .convertShape(VectorOperators.B2I, I, 0)).and(0xFF);
            IntVector e = a.add(b).sub(254);
            e.intoArray(out, j);
            least = least.min(e);
            greatest = greatest.max(e);
            top = top.max(a.max(b));
        }
        return ScalarKernels.e8m0ExponentSums(sa, offA, sb, offB, bound, count, out,
                least.reduceLanes(VectorOperators.MIN), greatest.reduceLanes(VectorOperators.MAX),
                top.reduceLanes(VectorOperators.MAX));
    }

    @Override
    public boolean e8m0Values(byte[] codes, int offset, int count, int shift, double[] out, int outOffset) {
        ScalarKernels.requireScaleShift(shift);
        java.util.Objects.checkFromIndexSize(offset, count, codes.length);
        java.util.Objects.checkFromIndexSize(outOffset, count, out.length);
        int step = L_SCALES.length();   // codes per step, read 8 at a time (part 0 of a 64-bit vector)
        LongVector top = LongVector.zero(L_SCALES);
        int j = 0;
        for (; j + 8 <= count; j += step) {
            LongVector c = ((LongVector) ByteVector.fromArray(B8, codes, offset + j)
                    .convertShape(VectorOperators.B2L, L_SCALES, 0)).and(0xFF);
            top = top.max(c);
            // The biased double exponent of 2^(c - 127 + shift): 1023 - 127 = 896.
            c.add(896 + shift).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles().intoArray(out, outOffset + j);
        }
        return ScalarKernels.e8m0Values(codes, offset, j, count, shift, out, outOffset,
                (int) top.reduceLanes(VectorOperators.MAX));
    }

    /** Long lanes of {@link #e8m0Values}: as many as double lanes, at most 8. */
    private static final VectorSpecies<Long> L_SCALES = LongVector.SPECIES_PREFERRED;

    @Override
    public long shiftedProductSum(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB,
                                  int blockSize, int blocks, int[] shifts, int shiftBase) {
        int loop = blocks > 0 ? onePassLoop(a, b, blockSize) : NO_LOOP;
        return loop != NO_LOOP ? onePassShiftedProductSum(loop, a, ca, offA, b, cb, offB, blockSize, blocks, shifts, shiftBase)
                : shiftedBlockSums(a, ca, offA, b, cb, offB, blockSize, blocks, shifts, shiftBase);
    }

    /**
     * {@link #shiftedProductSum} by the one-pass loop {@code loop} ({@link #onePassLoop} of these
     * formats, not {@link #NO_LOOP}): blocks of whole 32-code chunks walked chunk by chunk in one
     * flat loop (see dotFast); package-private so that tests can run the loop of this width directly.
     */
    long onePassShiftedProductSum(int loop, ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB,
                                  int blockSize, int blocks, int[] shifts, int shiftBase) {
        java.util.Objects.checkFromIndexSize(0, blocks, shifts.length);
        java.util.Objects.checkFromIndexSize(offA, DotLanes.codeBytes(a, blocks * blockSize), ca.length);
        java.util.Objects.checkFromIndexSize(offB, DotLanes.codeBytes(b, blocks * blockSize), cb.length);
        int chunks = blockSize / DotLanes.CHUNK;
        PairPlan pair = pairPlan(a, b);
        byte[] tableA = pair.tableA;
        byte[] tableB = pair.tableB;
        switch (loop) {
            case NIBBLE_LOOP:
                return DOT_LANES
                        ? nibbleShiftedProductSum(ca, offA, tableA, cb, offB, tableB, chunks, blocks, shifts, shiftBase)
                        : nibbleShiftedProductSumNarrow(ca, offA, tableA, cb, offB, tableB, chunks, blocks, shifts,
                                shiftBase);
            case BYTE_LOOP:
                return DOT_LANES
                        ? byteShiftedProductSum(ca, offA, tableA, cb, offB, tableB, chunks, blocks, shifts, shiftBase)
                        : byteShiftedProductSumNarrow(ca, offA, tableA, cb, offB, tableB, chunks, blocks, shifts,
                                shiftBase);
            case RAW_FLOAT_LOOP:
                return DOT_LANES
                        ? pair.pa.shiftedProducts32(pair.pb, ca, offA, cb, offB, chunks, blocks, shifts, shiftBase,
                                pair.factorB, pair.units)
                        : pair.pa.shiftedProducts32Narrow(pair.pb, ca, offA, cb, offB, chunks, blocks, shifts, shiftBase,
                                pair.factorB, pair.units);
            default:
                throw new IllegalArgumentException("no one-pass loop " + loop + " for " + a + " x " + b);
        }
    }

    /**
     * What the one-pass loops need of a pair of formats, built once: a 1K-element MX x MX call spent
     * about a seventh of its time choosing its loop and deriving the raw-float factors.
     */
    private static final class PairPlan {
        final ElementFormat a;
        final ElementFormat b;
        /** {@link #onePassLoop} for block sizes that are whole chunks. */
        final int loop;
        final byte[] tableA;
        final byte[] tableB;
        final DecodePlan pa;
        final DecodePlan pb;
        /** RAW_FLOAT_LOOP: {@code 2^f} for {@link #rawFactorExponent}'s f, and the lane sums' scale to integer units. */
        final float factorB;
        final double units;

        PairPlan(VectorKernels kernels, ElementFormat a, ElementFormat b) {
            this.a = a;
            this.b = b;
            tableA = DotLanes.smallIntegerBytes(a);
            tableB = DotLanes.smallIntegerBytes(b);
            pa = kernels.decodePlans.get(a);
            pb = kernels.decodePlans.get(b);
            int factorExponent = rawFactorExponent(a, pa, b, pb);
            if (tableA != null && tableB != null) {
                loop = NIBBLE_LOOP;
            } else if ((tableA != null || DotLanes.signedByteIntegers(a)) && (tableB != null || DotLanes.signedByteIntegers(b))) {
                loop = BYTE_LOOP;
            } else {
                boolean bytes = !DotLanes.nibbles(a) && !DotLanes.nibbles(b);
                loop = bytes && factorExponent != Integer.MIN_VALUE && pa.shortLanes() && pb.shortLanes()
                        ? RAW_FLOAT_LOOP : NO_LOOP;
            }
            if (loop == RAW_FLOAT_LOOP) {
                int lsb = DotLanes.integerLsbExponent(a) + DotLanes.integerLsbExponent(b);
                // raw A * raw B * 2^f is the product times 2^(f - vA - vB); the lane sums times
                // 2^(vA + vB - f - lsb) are then in integer units.
                units = Math.scalb(1.0, Math.getExponent(pa.valueScale) + Math.getExponent(pb.valueScale)
                        - factorExponent - lsb);
                factorB = Math.scalb(1f, factorExponent);
            } else {
                units = 0;
                factorB = 0;
            }
        }
    }

    /** The last pair planned, kept by identity (the built-in formats are singletons). */
    private volatile PairPlan lastPair;

    private PairPlan pairPlan(ElementFormat a, ElementFormat b) {
        PairPlan p = lastPair;
        if (p == null || p.a != a || p.b != b) {
            p = new PairPlan(this, a, b);
            lastPair = p;
        }
        return p;
    }

    /** {@link #onePassLoop}: no one-pass loop, the block sums of {@link #shiftedBlockSums} instead. */
    static final int NO_LOOP = 0;
    /** {@link #onePassLoop}: both operands 4-bit codes whose values are small integers (a table lookup). */
    static final int NIBBLE_LOOP = 1;
    /** {@link #onePassLoop}: each operand int8 codes or 4-bit small integers, products in 16-bit lanes. */
    static final int BYTE_LOOP = 2;
    /** {@link #onePassLoop}: byte codes decoded to raw floats whose products and lane sums are exact. */
    static final int RAW_FLOAT_LOOP = 3;

    /**
     * Which one-pass vector loop {@link #shiftedProductSum} runs for these formats and block size at
     * this JVM's vector width (16 float lanes, or two vectors of 8 on 256-bit machines), or
     * {@link #NO_LOOP}; package-private so that tests can tell a loop takes the formats it should.
     */
    int onePassLoop(ElementFormat a, ElementFormat b, int blockSize) {
        if (!(DOT_LANES || NARROW_DOT_LANES) || !LITTLE_ENDIAN || blockSize % DotLanes.CHUNK != 0) {
            return NO_LOOP;
        }
        return pairPlan(a, b).loop;
    }

    /** Per-thread buffers of {@link #shiftedBlockSums}: unpacked codes of A and B, block sums. */
    private static final ThreadLocal<ShiftScratch> SHIFT_SCRATCH = ThreadLocal.withInitial(ShiftScratch::new);

    private static final class ShiftScratch {
        byte[] codesA = new byte[0];
        byte[] codesB = new byte[0];
        double[] sums = new double[0];
    }

    /**
     * {@link #shiftedProductSum} where the one-pass loops do not apply (vectors narrower than 16
     * float lanes, other block sizes, other format pairs): each block's exact sum from
     * {@link #blockProductSums} (vectorized at any width; exact while {@link Kernels#exactProductSumBits}
     * is at most 53), converted to integer units and shifted in scalar code; the scalar kernel when
     * the sums would not be exact. A NaN or infinite sum means a NaN or infinity code.
     */
    private long shiftedBlockSums(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB,
                                  int blockSize, int blocks, int[] shifts, int shiftBase) {
        int n = blocks * blockSize;
        if (blocks == 0 || Kernels.exactProductSumBits(a, b, blockSize) > 53
                || DotLanes.integerLsbExponent(a) == Integer.MIN_VALUE || DotLanes.integerLsbExponent(b) == Integer.MIN_VALUE) {
            return SCALAR.shiftedProductSum(a, ca, offA, b, cb, offB, blockSize, blocks, shifts, shiftBase);
        }
        java.util.Objects.checkFromIndexSize(0, blocks, shifts.length);
        ShiftScratch scratch = SHIFT_SCRATCH.get();
        if (scratch.codesA.length < n) {
            scratch.codesA = new byte[n];
            scratch.codesB = new byte[n];
        }
        if (scratch.sums.length < blocks) {
            scratch.sums = new double[blocks];
        }
        byte[] ua = ca;
        int oa = offA;
        if (DotLanes.nibbles(a)) {
            ua = scratch.codesA;
            unpackNibbles(ca, offA, ua, 0, n);
            oa = 0;
        }
        byte[] ub = cb;
        int ob = offB;
        if (DotLanes.nibbles(b)) {
            ub = scratch.codesB;
            unpackNibbles(cb, offB, ub, 0, n);
            ob = 0;
        }
        double[] sums = scratch.sums;
        blockProductSums(a, ua, oa, b, ub, ob, blockSize, blocks, sums);
        double toInteger = Math.scalb(1.0, -(DotLanes.integerLsbExponent(a) + DotLanes.integerLsbExponent(b)));
        long total = 0;
        for (int j = 0; j < blocks; j++) {
            if (!Double.isFinite(sums[j])) {
                return NOT_INTEGER;
            }
            total += (long) (sums[j] * toInteger) << (shifts[j] - shiftBase);   // exact: an integer below 2^53
        }
        return total;
    }

    /**
     * The exponent f for which {@link DecodePlan#shiftedProducts32} takes these formats, or
     * {@link Integer#MIN_VALUE}: both decoded in lanes into raw floats (value / valueScale), the
     * product {@code rawA * (rawB * 2^f)} exact in float for every pair of codes (significands of
     * at most 24 bits together, each factor and the product at most 2^127 and with its least bit
     * at least 2^-149, the float subnormal quantum), and a lane's four products of a chunk below
     * 2^51 integer units. f is the largest exponent that keeps the tops in range, so that products
     * of normal values stay normal floats (a subnormal operand is slow on some CPUs).
     */
    private static int rawFactorExponent(ElementFormat a, DecodePlan pa, ElementFormat b, DecodePlan pb) {
        int lsbA = DotLanes.integerLsbExponent(a);
        int lsbB = DotLanes.integerLsbExponent(b);
        if (pa == DecodePlan.NONE || pb == DecodePlan.NONE || !pa.laneDecoding || !pb.laneDecoding
                || !Float.isFinite(pa.valueScale) || !Float.isFinite(pb.valueScale) || pa.valueScale == 0
                || pb.valueScale == 0 || lsbA == Integer.MIN_VALUE || lsbB == Integer.MIN_VALUE) {
            return Integer.MIN_VALUE;
        }
        int significandBits = (a.signEncoding() == SignEncoding.TWOS_COMPLEMENT ? a.bits() : a.mantissaBits() + 1)
                + (b.signEncoding() == SignEncoding.TWOS_COMPLEMENT ? b.bits() : b.mantissaBits() + 1);
        int bitsA = DotLanes.integerBits(a);
        int bitsB = DotLanes.integerBits(b);
        // Raw values: least bit 2^rawLsb, magnitudes below 2^rawTop.
        int rawLsbA = lsbA - Math.getExponent(pa.valueScale);
        int rawLsbB = lsbB - Math.getExponent(pb.valueScale);
        int rawTopA = rawLsbA + bitsA;
        int rawTopB = rawLsbB + bitsB;
        int f = Math.min(127, Math.min(127 - rawTopB, 127 - rawTopA - rawTopB));
        boolean exact = significandBits <= 24 && f >= Float.MIN_EXPONENT && rawLsbB + f >= -149
                && rawLsbA + rawLsbB + f >= -149 && rawTopA <= 127;
        return exact && bitsA + bitsB + 2 <= 51 ? f : Integer.MIN_VALUE;
    }

    /**
     * {@link #shiftedProductSum} for formats whose integers are bytes: the codes themselves (int8,
     * table null) or 4-bit codes packed two per byte, looked up in a table of at most 16 bytes
     * padded to 32 (the 16 bytes of a chunk widened to shorts {@code low | high << 8}, which read as
     * 32 bytes are the nibbles in element order); 16-bit products, {@code chunks} chunks of 32 per
     * block.
     */
    private static long byteShiftedProductSum(byte[] a, int offA, byte[] tableA, byte[] b, int offB, byte[] tableB,
                                              int chunks, int blocks, int[] shifts, int shiftBase) {
        ByteVector valuesA = ByteVector.fromArray(B32, tableA != null ? tableA : UNUSED_TABLE, 0);
        ByteVector valuesB = ByteVector.fromArray(B32, tableB != null ? tableB : UNUSED_TABLE, 0);
        LongVector acc0 = LongVector.zero(L_DOUBLE_WIDTH);
        LongVector acc1 = LongVector.zero(L_DOUBLE_WIDTH);
        int j = 0;
        int inBlock = 0;
        int total = chunks * blocks;
        for (int c = 0; c < total; c++) {
            ByteVector ba;
            ByteVector bb;
            if (tableA != null) {
                ShortVector pairs = (ShortVector) ByteVector.fromArray(B16, a, offA + c * DotLanes.LANES)
                        .convertShape(VectorOperators.B2S, S16, 0);
                ba = pairs.and((short) 0x000f).or(pairs.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00))
                        .reinterpretAsBytes().selectFrom(valuesA);
            } else {
                ba = ByteVector.fromArray(B32, a, offA + c * DotLanes.CHUNK);
            }
            if (tableB != null) {
                ShortVector pairs = (ShortVector) ByteVector.fromArray(B16, b, offB + c * DotLanes.LANES)
                        .convertShape(VectorOperators.B2S, S16, 0);
                bb = pairs.and((short) 0x000f).or(pairs.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00))
                        .reinterpretAsBytes().selectFrom(valuesB);
            } else {
                bb = ByteVector.fromArray(B32, b, offB + c * DotLanes.CHUNK);
            }
            ShortVector pa = (ShortVector) ba.convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0);
            ShortVector pb = (ShortVector) bb.convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0);
            ShortVector p = pa.mul(pb);   // |p| <= 2^14: exact in 16 bits
            IntVector s = ((IntVector) p.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) p.convertShape(VectorOperators.S2I, I, 1));   // |lane| <= 2^15
            int shift = shifts[j] - shiftBase;
            acc0 = acc0.add(((LongVector) s.convertShape(VectorOperators.I2L, L_DOUBLE_WIDTH, 0))
                    .lanewise(VectorOperators.LSHL, shift));
            acc1 = acc1.add(((LongVector) s.convertShape(VectorOperators.I2L, L_DOUBLE_WIDTH, 1))
                    .lanewise(VectorOperators.LSHL, shift));
            if (++inBlock == chunks) {
                inBlock = 0;
                j++;
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@link #byteShiftedProductSum} for two 4-bit formats, two chunks (32 packed bytes of each
     * operand) per iteration: the low and the high nibbles are looked up apart (an element meets
     * its partner in the other operand, as both are packed alike; the sum is a wrapping integer sum,
     * so the order of its terms does not matter), multiplied in 16-bit lanes, and each chunk's
     * 16 products summed pairwise into 8 int lanes before they widen to long. An odd last chunk is
     * summed in scalar code.
     */
    private static long nibbleShiftedProductSum(byte[] a, int offA, byte[] tableA, byte[] b, int offB, byte[] tableB,
                                                int chunks, int blocks, int[] shifts, int shiftBase) {
        ByteVector valuesA = ByteVector.fromArray(B32, tableA, 0);
        ByteVector valuesB = ByteVector.fromArray(B32, tableB, 0);
        LongVector acc0 = LongVector.zero(L_DOUBLE_WIDTH);
        LongVector acc1 = LongVector.zero(L_DOUBLE_WIDTH);
        int total = chunks * blocks;
        int pairs = total / 2;
        int j = 0;          // the block of the pair's first chunk
        int inBlock = 0;    // that chunk's index within its block
        for (int q = 0; q < pairs; q++) {
            int at = offA + q * DotLanes.CHUNK;   // 32 bytes: two chunks of 16 packed bytes
            int bt = offB + q * DotLanes.CHUNK;
            ByteVector pa = ByteVector.fromArray(B32, a, at);
            ByteVector pb = ByteVector.fromArray(B32, b, bt);
            // High nibbles: a 16-bit shift moves each byte's high nibble down; the mask drops what
            // came from the byte above.
            ByteVector loA = pa.and((byte) 0x0f).selectFrom(valuesA);
            ByteVector hiA = pa.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                    .and((byte) 0x0f).selectFrom(valuesA);
            ByteVector loB = pb.and((byte) 0x0f).selectFrom(valuesB);
            ByteVector hiB = pb.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                    .and((byte) 0x0f).selectFrom(valuesB);
            ShortVector p = ((ShortVector) loA.convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0))
                    .mul((ShortVector) loB.convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0))
                    .add(((ShortVector) hiA.convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0))
                            .mul((ShortVector) hiB.convertShape(VectorOperators.B2S, S_DOUBLE_WIDTH, 0)));
            // |p| <= 2 * 2^14 in each 16-bit lane (lanes 0-15 the first chunk, 16-31 the second);
            // adjacent lanes summed as ints: lanes 0-7 the first chunk, 8-15 the second.
            IntVector words = p.reinterpretAsInts();
            IntVector s = words.lanewise(VectorOperators.ASHR, 16)
                    .add(words.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            acc0 = acc0.add(((LongVector) s.convertShape(VectorOperators.I2L, L_DOUBLE_WIDTH, 0))
                    .lanewise(VectorOperators.LSHL, shifts[j] - shiftBase));
            if (++inBlock == chunks) {
                inBlock = 0;
                j++;
            }
            acc1 = acc1.add(((LongVector) s.convertShape(VectorOperators.I2L, L_DOUBLE_WIDTH, 1))
                    .lanewise(VectorOperators.LSHL, shifts[j] - shiftBase));
            if (++inBlock == chunks) {
                inBlock = 0;
                j++;
            }
        }
        long sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        if (total % 2 != 0) {   // the last chunk, in the last block
            int last = pairs * DotLanes.CHUNK;
            long chunkSum = 0;
            for (int i = 0; i < DotLanes.LANES; i++) {
                int x = a[offA + last + i];
                int y = b[offB + last + i];
                chunkSum += tableA[x & 0xf] * tableB[y & 0xf] + tableA[(x >>> 4) & 0xf] * tableB[(y >>> 4) & 0xf];
            }
            sum += chunkSum << (shifts[blocks - 1] - shiftBase);
        }
        return sum;
    }

    /** Four long lanes: the narrow loops' accumulators (256-bit machines). */
    private static final VectorSpecies<Long> L4 = LongVector.SPECIES_256;

    /**
     * {@link #byteShiftedProductSum} on 256-bit vectors (AVX2), one chunk of 32 codes per
     * iteration: elements 0-15 and 16-31 as 16 bytes each (4-bit codes looked up in 128-bit
     * vectors, one shuffle each), 16-bit products, element i's product added to element i+16's
     * with {@link #PAIR_BIAS} so that the sum reads as an unsigned short, then each four adjacent
     * shorts summed in a long lane by logical shifts and masks, shifted, and the biases taken off
     * once at the end; {@code blocks} blocks of {@code chunks} chunks. AVX2 has no 64-bit
     * arithmetic shift, and widening a vector's upper half costs a permute and a blend, so the
     * bias keeps every step a single instruction (about 1.5x faster than sign-extending).
     * A wrapping integer sum, so the lane arrangement does not change the result.
     */
    private static long byteShiftedProductSumNarrow(byte[] a, int offA, byte[] tableA, byte[] b, int offB,
                                                    byte[] tableB, int chunks, int blocks, int[] shifts,
                                                    int shiftBase) {
        // The tables hold at most 16 values (4-bit codes): their first 16 bytes are the lookup.
        ByteVector valuesA = ByteVector.fromArray(B16, tableA != null ? tableA : UNUSED_TABLE, 0);
        ByteVector valuesB = ByteVector.fromArray(B16, tableB != null ? tableB : UNUSED_TABLE, 0);
        LongVector acc = LongVector.zero(L4);
        long biases = 0;
        int j = 0;
        int inBlock = 0;
        int total = chunks * blocks;
        for (int c = 0; c < total; c++) {
            ByteVector a0;
            ByteVector a1;
            ByteVector b0;
            ByteVector b1;
            if (tableA != null) {   // 16 packed bytes: 8 for elements 0-15, 8 for 16-31
                ShortVector pairs0 = (ShortVector) ByteVector.fromArray(B8, a, offA + c * DotLanes.LANES)
                        .convertShape(VectorOperators.B2S, S8, 0);
                ShortVector pairs1 = (ShortVector) ByteVector.fromArray(B8, a, offA + c * DotLanes.LANES + 8)
                        .convertShape(VectorOperators.B2S, S8, 0);
                a0 = ((ByteVector) pairs0.and((short) 0x000f).or(pairs0.lanewise(VectorOperators.LSHL, 4)
                        .and((short) 0x0f00)).reinterpretAsBytes()).selectFrom(valuesA);
                a1 = ((ByteVector) pairs1.and((short) 0x000f).or(pairs1.lanewise(VectorOperators.LSHL, 4)
                        .and((short) 0x0f00)).reinterpretAsBytes()).selectFrom(valuesA);
            } else {
                a0 = ByteVector.fromArray(B16, a, offA + c * DotLanes.CHUNK);
                a1 = ByteVector.fromArray(B16, a, offA + c * DotLanes.CHUNK + DotLanes.LANES);
            }
            if (tableB != null) {
                ShortVector pairs0 = (ShortVector) ByteVector.fromArray(B8, b, offB + c * DotLanes.LANES)
                        .convertShape(VectorOperators.B2S, S8, 0);
                ShortVector pairs1 = (ShortVector) ByteVector.fromArray(B8, b, offB + c * DotLanes.LANES + 8)
                        .convertShape(VectorOperators.B2S, S8, 0);
                b0 = ((ByteVector) pairs0.and((short) 0x000f).or(pairs0.lanewise(VectorOperators.LSHL, 4)
                        .and((short) 0x0f00)).reinterpretAsBytes()).selectFrom(valuesB);
                b1 = ((ByteVector) pairs1.and((short) 0x000f).or(pairs1.lanewise(VectorOperators.LSHL, 4)
                        .and((short) 0x0f00)).reinterpretAsBytes()).selectFrom(valuesB);
            } else {
                b0 = ByteVector.fromArray(B16, b, offB + c * DotLanes.CHUNK);
                b1 = ByteVector.fromArray(B16, b, offB + c * DotLanes.CHUNK + DotLanes.LANES);
            }
            // Products p in [-16256, 16384]; p0 + p1 + PAIR_BIAS in [0, 65280] read unsigned
            // (computed mod 2^16); int lanes sum two of them (< 2^17), long lanes four (< 2^18).
            IntVector u = ((ShortVector) a0.convertShape(VectorOperators.B2S, S16, 0))
                    .mul((ShortVector) b0.convertShape(VectorOperators.B2S, S16, 0))
                    .add(((ShortVector) a1.convertShape(VectorOperators.B2S, S16, 0))
                            .mul((ShortVector) b1.convertShape(VectorOperators.B2S, S16, 0)))
                    .add((short) PAIR_BIAS).reinterpretAsInts();
            LongVector pairs = u.lanewise(VectorOperators.LSHR, 16).add(u.and(0xFFFF)).reinterpretAsLongs();
            int shift = shifts[j] - shiftBase;
            acc = acc.add(pairs.lanewise(VectorOperators.LSHR, 32).add(pairs.and(0xFFFF_FFFFL))
                    .lanewise(VectorOperators.LSHL, shift));
            biases += 1L << shift;   // this chunk's 16 biases, 16 * PAIR_BIAS * 2^shift, counted once
            if (++inBlock == chunks) {
                inBlock = 0;
                j++;
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) - 16L * PAIR_BIAS * biases;
    }

    /**
     * Added to the sum of two 16-bit products of {@link #byteShiftedProductSumNarrow} (each in
     * [-16256, 16384], byte times byte) to make it non-negative and below 2^16: [0, 65280].
     */
    private static final int PAIR_BIAS = 32512;

    /**
     * {@link #nibbleShiftedProductSum} on 256-bit vectors (AVX2), one chunk (16 packed bytes of
     * each operand) per iteration: low and high nibbles looked up apart in 128-bit vectors, the
     * two products of each byte summed in 16 short lanes, adjacent lanes in 8 int lanes, then
     * widened to long and shifted; {@code blocks} blocks of {@code chunks} chunks.
     */
    private static long nibbleShiftedProductSumNarrow(byte[] a, int offA, byte[] tableA, byte[] b, int offB,
                                                      byte[] tableB, int chunks, int blocks, int[] shifts,
                                                      int shiftBase) {
        ByteVector valuesA = ByteVector.fromArray(B16, tableA, 0);
        ByteVector valuesB = ByteVector.fromArray(B16, tableB, 0);
        LongVector acc0 = LongVector.zero(L4);
        LongVector acc1 = LongVector.zero(L4);
        int j = 0;
        int inBlock = 0;
        int total = chunks * blocks;
        for (int c = 0; c < total; c++) {
            ByteVector pa = ByteVector.fromArray(B16, a, offA + c * DotLanes.LANES);
            ByteVector pb = ByteVector.fromArray(B16, b, offB + c * DotLanes.LANES);
            ByteVector loA = pa.and((byte) 0x0f).selectFrom(valuesA);
            ByteVector hiA = pa.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                    .and((byte) 0x0f).selectFrom(valuesA);
            ByteVector loB = pb.and((byte) 0x0f).selectFrom(valuesB);
            ByteVector hiB = pb.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                    .and((byte) 0x0f).selectFrom(valuesB);
            ShortVector p = ((ShortVector) loA.convertShape(VectorOperators.B2S, S16, 0))
                    .mul((ShortVector) loB.convertShape(VectorOperators.B2S, S16, 0))
                    .add(((ShortVector) hiA.convertShape(VectorOperators.B2S, S16, 0))
                            .mul((ShortVector) hiB.convertShape(VectorOperators.B2S, S16, 0)));
            IntVector words = p.reinterpretAsInts();
            IntVector s = words.lanewise(VectorOperators.ASHR, 16)
                    .add(words.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            int shift = shifts[j] - shiftBase;
            acc0 = acc0.add(((LongVector) s.convertShape(VectorOperators.I2L, L4, 0)).lanewise(VectorOperators.LSHL, shift));
            acc1 = acc1.add(((LongVector) s.convertShape(VectorOperators.I2L, L4, 1)).lanewise(VectorOperators.LSHL, shift));
            if (++inBlock == chunks) {
                inBlock = 0;
                j++;
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    // ---- fused MX block passes ----------------------------------------------------------------------

    @Override
    public int quantizeFloorBlocks(ElementFormat element, ElementFormat scale, Rounding rounding, float[] in,
                                   int inOffset, int blockSize, int blocks, byte[] codes, int codeOffset,
                                   byte[] scaleCodes, int scaleOffset) {
        FloorPlan plan = floorPlans.get(element);
        boolean nibbles = element.bits() == 4;
        if (plan == FloorPlan.NONE || rounding != Rounding.RNE || blockSize % LANES != 0
                || nibbles && (LANES != 16 && LANES != 8 || !LITTLE_ENDIAN)) {
            return 0;
        }
        return plan.quantize(in, inOffset, blockSize, blocks, Math.getExponent(scale.minSubnormal()), scale.emax(),
                scale.bias(), nibbles, codes, codeOffset, scaleCodes, scaleOffset);
    }

    /**
     * One pass per MX block, RNE, for sign-magnitude formats with subnormals and for integers: the largest
     * magnitudes of a few blocks from their vectors (then still in L1 for the encoding) and their
     * FLOOR scales, then a short encoding with no per-lane shift count. A block's values are
     * multiplied by its float factor 2^-e (exact, or below 2^-126 where the format rounds them to
     * zero anyway). Each magnitude s is then rounded by one float addition of
     * {@code C = 2^(max(exponent(s), minNormal) - m + 23)}, whose ulp is the format's quantum at
     * s, so the sum is C plus k quanta rounded to nearest even as every float addition is; k plus
     * the code of C's binade ({@code C's exponent field << m}, less a constant) is the magnitude
     * code, for subnormal and normal results alike, the carry into the next binade included.
     *
     * <p>Two's complement integers (MXINT8: code times the quantum 2^q) take one signed addition of
     * {@code C = 1.5 * 2^(23 + q)}, whose ulp is the quantum: the sum is C plus k quanta, x rounded
     * to nearest even, and k (the sum's bits less C's, negative for negative x) clamped to the
     * largest magnitude is the code's value.
     */
    static final class FloorPlan {
        static final FloorPlan NONE = new FloorPlan();
        /** Blocks whose maxima are found before they are encoded: independent work for the CPU. */
        private static final int BATCH = 16;

        private final int emax;
        private final int fractionShift;     // 23 - m: float fraction bits beyond the format's
        private final int roundingExponent;  // added to a float's exponent bits: C's bits, for normal results
        private final int magicBits;         // C for subnormal results: 2^(minNormal - m + 23)
        private final int binadeOffset;      // (C's bits >>> fractionShift) - this is the code of C's binade
        private final int maxMagnitude;
        private final int signShift;         // the code's sign bit is 1 << signShift
        private final boolean integer;       // two's complement: the signed rounding below
        private final int integerMagicBits;  // 1.5 * 2^(23 + q), q the integer's quantum exponent

        private FloorPlan() {
            emax = fractionShift = roundingExponent = magicBits = binadeOffset = maxMagnitude = signShift = 0;
            integer = false;
            integerMagicBits = 0;
        }

        private FloorPlan(ElementFormat f) {
            int m = f.mantissaBits();
            emax = f.emax();
            fractionShift = 23 - m;
            roundingExponent = fractionShift << 23;
            magicBits = (1 - f.bias() - m + 23 + 127) << 23;
            binadeOffset = (150 - m - f.bias() + 1) << m;
            maxMagnitude = f.maxFiniteCode();
            signShift = f.bits() - 1;
            integer = f.signEncoding() == SignEncoding.TWOS_COMPLEMENT;
            integerMagicBits = (quantumExponent(f) + 23 + 127) << 23 | 0x40_0000;
        }

        /** The exponent of an integer format's step between values (value = code * 2^q). */
        private static int quantumExponent(ElementFormat f) {
            return 1 - f.bias() - f.mantissaBits();
        }

        static FloorPlan of(ElementFormat f) {
            if (f.signEncoding() == SignEncoding.TWOS_COMPLEMENT) {
                // Every scaled value is below 2^(emax + 1), which keeps C + x in C's binade; half a
                // quantum above 2^-126 makes the products that underflow round to zero, as they must.
                int q = quantumExponent(f);
                if (f.bits() != 8 || f.emax() + 1 > 22 + q || q - 1 <= -126 || q + 23 > 127) {
                    return NONE;
                }
                FloorPlan plan = new FloorPlan(f);
                return plan.valuesAreIntegers(f) ? plan : NONE;
            }
            int m = f.mantissaBits();
            int minNormal = 1 - f.bias();
            // m < 22 keeps a rounded magnitude below 2C; a magnitude below 2^-126 (a product
            // rounded by underflow) must round to zero, so 2^-126 is below half the least subnormal;
            // emax >= 1 keeps the factors 2^-e of finite maxima normal floats.
            if (f.bits() > 8 || f.signEncoding() != SignEncoding.SIGN_MAGNITUDE || !f.hasNegativeZero()
                    || !f.hasSubnormals() || m < 1 || m >= 22 || minNormal - m - 1 <= -126
                    || minNormal - m + 23 > 127 || f.emax() < 1 || f.emax() + 23 - m > 127) {
                return NONE;
            }
            FloorPlan plan = new FloorPlan(f);
            return plan.valuesAreIeeeLike(f) ? plan : NONE;
        }

        /** Whether code c (and -c, in two's complement) is c quanta for every magnitude up to the largest. */
        private boolean valuesAreIntegers(ElementFormat f) {
            double quantum = Math.scalb(1.0, quantumExponent(f));
            for (int code = 0; code <= maxMagnitude; code++) {
                if (f.decode(code) != code * quantum || f.decode(-code & f.codeCount() - 1) != -code * quantum) {
                    return false;
                }
            }
            return maxMagnitude < 1 << signShift;
        }

        /**
         * Whether every magnitude code up to the largest finite one has the value the encoding
         * above assumes ({@code fraction * 2^(minNormal - m)} for exponent field 0, else
         * {@code (1 + fraction / 2^m) * 2^(field - bias)}) and its sign bit makes it negative; the
         * encoding is then the exact encoder's RNE with saturation.
         */
        private boolean valuesAreIeeeLike(ElementFormat f) {
            int m = f.mantissaBits();
            for (int code = 0; code <= maxMagnitude; code++) {
                int field = code >> m;
                int fraction = code & ((1 << m) - 1);
                double expected = field == 0 ? Math.scalb((double) fraction, 1 - f.bias() - m)
                        : Math.scalb(1 + Math.scalb((double) fraction, -m), field - f.bias());
                if (f.decode(code) != expected || f.decode(code | 1 << signShift) != -expected) {
                    return false;
                }
            }
            return maxMagnitude < 1 << signShift;
        }

        /**
         * Blocks of {@code blockSize} (a multiple of the lane count) until one holds a NaN or an
         * infinity or needs a factor that is not a normal float; returns the number done. Written
         * out whole in one method, so that C2 boxes no vector.
         */
        int quantize(float[] in, int inOffset, int blockSize, int blocks, int minExponent, int maxExponent,
                     int scaleBias, boolean nibbles, byte[] codes, int codeOffset, byte[] scaleCodes, int scaleOffset) {
            int[] factorBits = new int[BATCH];
            float[] maxima = new float[BATCH];
            byte[] scaleStaging = new byte[BATCH];   // a batch's scale codes until it proves regular
            // 8 int lanes (AVX2) have no 4-byte vector to store a lane pair's nibbles: a batch's
            // codes go one per byte into this array, then are packed 16 at a time.
            boolean staged = nibbles && LANES != 16;
            byte[] staging = staged ? new byte[BATCH * blockSize] : null;
            for (int first = 0; first < blocks; first += BATCH) {
                int count = Math.min(BATCH, blocks - first);
                int covered = count;
                // Both passes are one flat loop over the batch (see wholeBlockMaxima).
                int batchStart = inOffset + first * blockSize;
                wholeBlockMaxima(in, batchStart, count, blockSize, maxima, 0);
                boolean regular = false;
                if (count == BATCH && BATCH % LANES == 0) {
                    // Lane j: the largest magnitude bits of block first + h + j, one vector of 16
                    // lanes or two of 8. A normal amax's FLOOR exponent is its exponent field's,
                    // less the bias and emax; the batch is regular when every block's is.
                    regular = true;
                    for (int h = 0; h < BATCH; h += LANES) {
                        IntVector amax = FloatVector.fromArray(F, maxima, h).reinterpretAsInts();
                        IntVector e = amax.lanewise(VectorOperators.LSHR, 23).sub(127 + emax).max(minExponent)
                                .min(maxExponent);
                        regular &= !amax.compare(VectorOperators.GE, 0x7f80_0000)
                                .or(amax.compare(VectorOperators.LT, 0x0080_0000))
                                .or(e.compare(VectorOperators.LT, -127)).or(e.compare(VectorOperators.GT, 126))
                                .anyTrue();
                        ((ByteVector) e.add(scaleBias).convertShape(VectorOperators.I2B, B_QUARTER, 0))
                                .intoArray(scaleStaging, h);
                        e.neg().add(127).lanewise(VectorOperators.LSHL, 23).intoArray(factorBits, h);
                    }
                    if (regular) {
                        System.arraycopy(scaleStaging, 0, scaleCodes, scaleOffset + first, BATCH);
                    }
                }
                if (!regular) {   // zeros, float subnormals, NaN, infinities, extremes, a last partial batch
                    for (int j = 0; j < count; j++) {
                        int amaxBits = Float.floatToRawIntBits(maxima[j]);
                        int e = Kernels.floorScaleExponent(maxima[j], emax, minExponent,
                                maxExponent);
                        if (amaxBits >= 0x7f80_0000 || e < -127 || e > 126) {
                            covered = j;   // the blocks before it are encoded, then the call ends
                            break;
                        }
                        scaleCodes[scaleOffset + first + j] = (byte) (e + scaleBias);
                        factorBits[j] = (127 - e) << 23;
                    }
                }
                float factor = Float.intBitsToFloat(factorBits[0]);
                for (int i = 0, j = 0, blockEnd = blockSize, end = covered * blockSize; i < end; i += LANES) {
                    if (i == blockEnd) {   // the next block's first vector
                        factor = Float.intBitsToFloat(factorBits[++j]);
                        blockEnd += blockSize;
                    }
                    FloatVector scaled = FloatVector.fromArray(F, in, batchStart + i).mul(factor);
                    IntVector code;
                    if (integer) {
                        code = scaled.add(Float.intBitsToFloat(integerMagicBits)).reinterpretAsInts()
                                .sub(integerMagicBits).max(-maxMagnitude).min(maxMagnitude);
                    } else {
                        IntVector bits = scaled.reinterpretAsInts();
                        IntVector magnitude = bits.and(0x7fff_ffff);
                        IntVector c = magnitude.and(0x7f80_0000).add(roundingExponent).max(magicBits);
                        IntVector sum = ((FloatVector) magnitude.reinterpretAsFloats())
                                .add((FloatVector) c.reinterpretAsFloats()).reinterpretAsInts();
                        code = sum.add(c.lanewise(VectorOperators.LSHR, fractionShift))
                                .sub(c.add(binadeOffset)).min(maxMagnitude)
                                .or(bits.lanewise(VectorOperators.LSHR, 31).lanewise(VectorOperators.LSHL, signShift));
                    }
                    int element = first * blockSize + i;
                    if (staged) {
                        ((ByteVector) code.convertShape(VectorOperators.I2B, B_QUARTER, 0))
                                .intoArray(staging, i);
                    } else if (nibbles) {   // int lanes 2k and 2k + 1 are the low and high halves of long lane k
                        LongVector pairs = code.reinterpretAsLongs();
                        ((ByteVector) pairs.or(pairs.lanewise(VectorOperators.LSHR, 28))
                                .convertShape(VectorOperators.L2B, B_EIGHTH, 0))
                                .intoArray(codes, codeOffset + element / 2);
                    } else {
                        ((ByteVector) code.convertShape(VectorOperators.I2B, B_QUARTER, 0))
                                .intoArray(codes, codeOffset + element);
                    }
                }
                if (staged) {
                    packStaged(staging, covered * blockSize, codes, codeOffset + first * blockSize / 2);
                }
                if (covered < count) {
                    return first + covered;
                }
            }
            return blocks;
        }

        /**
         * Packs {@code count} (even) 4-bit codes, one per byte in {@code staging}, two per byte
         * into {@code codes} from {@code offset}, low nibble first: each short of two codes
         * becomes {@code low | high << 4}.
         */
        private static void packStaged(byte[] staging, int count, byte[] codes, int offset) {
            int bound = count - count % 16;
            for (int i = 0; i < bound; i += 16) {
                ShortVector pairs = ByteVector.fromArray(B16, staging, i).reinterpretAsShorts();
                ((ByteVector) pairs.or(pairs.lanewise(VectorOperators.LSHR, 4))
                        .convertShape(VectorOperators.S2B, B8, 0)).intoArray(codes, offset + i / 2);
            }
            for (int i = bound; i < count; i += 2) {
                codes[offset + i / 2] = (byte) (staging[i] | staging[i + 1] << 4);
            }
        }
    }

    /** Bytes for one long vector's lanes (an eighth of the preferred width); for 16 int lanes only. */
    private static final VectorSpecies<Byte> B_EIGHTH = LANES == 16 ? ByteVector.SPECIES_64 : null;

    @Override
    public void decodeNibbleBlocks(ElementFormat element, byte[] packed, int packedOffset, int length, int blockSize,
                                   float[] factors, int factorOffset, float[] out, int outOffset) {
        // Blocks of a multiple of 16 (NVFP4's 16 included) at 16 and at 8 lanes.
        if (LANES != 16 && LANES != 8 || !LITTLE_ENDIAN || blockSize % 16 != 0) {
            SCALAR.decodeNibbleBlocks(element, packed, packedOffset, length, blockSize, factors, factorOffset, out,
                    outOffset);
            return;
        }
        int bound = length - length % blockSize;   // whole blocks, so the tail starts a block
        if (bound % 32 != 0) {
            bound -= blockSize;   // an odd multiple of 16: whole chunks of 32 too
        }
        if (LANES == 16) {
            decodeNibbles32(FormatTables.floatValues(element), packed, packedOffset, bound, blockSize, factors,
                    factorOffset, out, outOffset);
        } else {
            decodeNibbles32Narrow(FormatTables.floatValues(element), packed, packedOffset, bound, blockSize, factors,
                    factorOffset, out, outOffset);
        }
        SCALAR.decodeNibbleBlocks(element, packed, packedOffset + bound / 2, length - bound, blockSize, factors,
                factorOffset + bound / blockSize, out, outOffset + bound);
    }

    /**
     * {@link #decodeNibbles32} on 8-lane vectors (256-bit machines, AVX2): the 32 codes of 16 packed
     * bytes go through a staging array (widening a quarter of a 256-bit byte vector in place is
     * slow there) and are read back 8 at a time as int indexes; the 16 values are two 8-lane
     * tables, each index looked up in both and the one its bit 3 names kept: the scalar kernel's
     * {@code table[code] * factor}. The factor is chosen per half of a chunk (16 elements), as in
     * {@link #decodeNibbles32}, so blocks may be any multiple of 16.
     */
    private static void decodeNibbles32Narrow(float[] table, byte[] packed, int packedOffset, int length,
                                              int blockSize, float[] factors, int factorOffset, float[] out,
                                              int outOffset) {
        IntVector low = FloatVector.fromArray(F, table, 0).reinterpretAsInts();
        IntVector high = FloatVector.fromArray(F, table, 8).reinterpretAsInts();
        byte[] staging = CHUNK_STAGING.get();
        int block = factorOffset;
        int blockEnd = blockSize;   // no division per chunk: blockSize is not a constant
        for (int i = 0; i < length; i += 32) {
            ShortVector bytes = (ShortVector) ByteVector.fromArray(B16, packed, packedOffset + i / 2)
                    .convertShape(VectorOperators.B2S, S16, 0);
            bytes.and((short) 0x0f).or(bytes.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00))
                    .reinterpretAsBytes().intoArray(staging, 0);
            if (i == blockEnd) {
                block++;
                blockEnd += blockSize;
            }
            float first = factors[block];
            if (i + 16 == blockEnd) {   // blocks of 16 change factor at every half
                block++;
                blockEnd += blockSize;
            }
            float second = factors[block];
            for (int q = 0; q < 4; q++) {
                IntVector index = (IntVector) ByteVector.fromArray(B_QUARTER, staging, q * 8)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector within = index.and(7);
                within.selectFrom(low).blend(within.selectFrom(high), index.compare(VectorOperators.GT, 7))
                        .reinterpretAsFloats().mul(q < 2 ? first : second).intoArray(out, outOffset + i + q * 8);
            }
        }
    }

    /**
     * 32 elements (16 packed bytes) at a time, {@code length} a multiple of 32 and {@code blockSize}
     * of 16 (each half of 32 takes its block's factor): the bytes widened to shorts are split into their two nibbles, one per byte in element
     * order, widened to int indexes into the 16 values of the format, multiplied by the block's
     * factor: the scalar kernel's {@code table[code] * factor}. Written out in one method, so that
     * C2 boxes no vector.
     */
    private static void decodeNibbles32(float[] table, byte[] packed, int packedOffset, int length, int blockSize,
                                        float[] factors, int factorOffset, float[] out, int outOffset) {
        FloatVector values = FloatVector.fromArray(F, table, 0);
        int block = factorOffset;
        int blockEnd = blockSize;   // no division per chunk: blockSize is not a constant
        for (int i = 0; i < length; i += 32) {
            ShortVector bytes = (ShortVector) ByteVector.fromArray(B16, packed, packedOffset + i / 2)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ByteVector codes = bytes.and((short) 0x0f).or(bytes.lanewise(VectorOperators.LSHL, 4).and((short) 0x0f00))
                    .reinterpretAsBytes();
            for (int half = 0; half < 2; half++) {
                if (i + half * 16 == blockEnd) {   // blocks of 16 change factor at every half
                    block++;
                    blockEnd += blockSize;
                }
                IntVector index = (IntVector) codes.convertShape(VectorOperators.B2I, I, half);
                index.selectFrom(values.reinterpretAsInts()).reinterpretAsFloats().mul(factors[block])
                        .intoArray(out, outOffset + i + half * 16);
            }
        }
    }
}
