package org.mxformats.simd;

import java.util.concurrent.ConcurrentHashMap;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
    /** The canonical 16 dot lanes fit one float vector: the dot kernels need it (else scalar). */
    static final boolean DOT_LANES = LANES == DotLanes.LANES && D.length() * 2 == DotLanes.LANES;
    /** Nibble packing reinterprets byte pairs as little-endian shorts. */
    static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Null when the preferred vectors have fewer than 8 int lanes: too narrow to pay off. */
    static final VectorKernels INSTANCE = LANES >= 8 ? new VectorKernels() : null;

    private static final ScalarKernels SCALAR = ScalarKernels.INSTANCE;
    private final ConcurrentHashMap<ElementFormat, DecodePlan> decodePlans = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ElementFormat, EncodePlan> encodePlans = new ConcurrentHashMap<>();

    private VectorKernels() {
    }

    @Override
    public String name() {
        return "vector-" + I.vectorBitSize();
    }

    // ---- decode ---------------------------------------------------------------------------------

    @Override
    public void decode(ElementFormat format, byte[] codes, int codeOffset, float[] out, int outOffset, int length) {
        DecodePlan plan = decodePlans.computeIfAbsent(format, DecodePlan::of);
        if (plan == DecodePlan.NONE) {
            SCALAR.decode(format, codes, codeOffset, out, outOffset, length);
            return;
        }
        int bound = length - length % LANES;
        for (int i = 0; i < bound; i += LANES) {
            IntVector c = (IntVector) ByteVector.fromArray(B_QUARTER, codes, codeOffset + i)
                    .convertShape(VectorOperators.B2I, I, 0);
            plan.decode(c).intoArray(out, outOffset + i);
        }
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

        private DecodePlan() {
            twosComplement = false;
            codeMask = signBit = fractionShift = maxMagnitude = infMagnitude = nanSignCode = 0;
            scale = 0;
            table = null;
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
            table = FormatTables.floatValues(f);
        }

        static DecodePlan of(ElementFormat f) {
            if (f.bits() > 8 || !f.hasSubnormals() || f.mantissaBits() > 23) {
                return NONE;
            }
            DecodePlan plan = new DecodePlan(f);
            return plan.reproduces(f) ? plan : NONE;
        }

        /** Whether the plan decodes every code to the bits of {@code decodeFloat}. */
        private boolean reproduces(ElementFormat f) {
            int codes = f.codeCount();
            int[] all = new int[(codes + LANES - 1) / LANES * LANES];
            for (int c = 0; c < all.length; c++) {
                all[c] = c % codes;
            }
            float[] got = new float[all.length];
            for (int i = 0; i < all.length; i += LANES) {
                decode(IntVector.fromArray(I, all, i)).intoArray(got, i);
            }
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

        /** The values of one vector of codes (bits above the format's width are ignored). */
        FloatVector decode(IntVector rawCodes) {
            IntVector c = rawCodes.and(codeMask);
            if (twosComplement) {
                IntVector v = c.lanewise(VectorOperators.LSHL, fractionShift)
                        .lanewise(VectorOperators.ASHR, fractionShift);
                return ((FloatVector) v.convert(VectorOperators.I2F, 0)).mul(scale);
            }
            IntVector magnitude = signBit == 0 ? c : c.and(~signBit);
            IntVector bits = ((FloatVector) magnitude.lanewise(VectorOperators.LSHL, fractionShift)
                    .reinterpretAsFloats()).mul(scale).reinterpretAsInts();
            VectorMask<Integer> special = magnitude.compare(VectorOperators.GT, maxMagnitude);
            if (infMagnitude >= 0) {
                VectorMask<Integer> inf = magnitude.eq(infMagnitude);
                bits = bits.blend(0x7f80_0000, inf);
                special = special.andNot(inf);
            }
            if (signBit != 0) {
                bits = bits.lanewise(VectorOperators.OR, 0x8000_0000, c.and(signBit).compare(VectorOperators.NE, 0));
            }
            if (nanSignCode >= 0) {
                special = special.or(c.eq(nanSignCode));
            }
            return (FloatVector) bits.blend(Float.floatToRawIntBits(Float.NaN), special).reinterpretAsFloats();
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

    /** Vector encoding with the scalar code for tails and for vectors holding a float subnormal. */
    private void encodeLoop(ElementFormat format, float[] in, int inOffset, int length, int scaleExponent,
                            Rounding rounding, Overflow overflow, byte[] codes, int codeOffset) {
        EncodePlan plan = encodePlans.computeIfAbsent(format, EncodePlan::new);
        int bound = length - length % LANES;
        for (int i = 0; i < bound; i += LANES) {
            IntVector bits = FloatVector.fromArray(F, in, inOffset + i).reinterpretAsInts();
            IntVector code = plan.encode(bits, scaleExponent, rounding, overflow);
            if (code == null) {
                scalarEncode(format, in, inOffset + i, LANES, scaleExponent, rounding, overflow, codes, codeOffset + i);
            } else {
                ((ByteVector) code.convertShape(VectorOperators.I2B, B_QUARTER, 0)).intoArray(codes, codeOffset + i);
            }
        }
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
     * Vector form of {@link ElementFormat#encode(double, Rounding, Overflow, int)} for float
     * inputs: the same truncate-then-increment of the magnitude code, done in int lanes on the
     * float's bits, with the same special cases in the same order of precedence.
     */
    static final class EncodePlan {
        private final int mantissaBits;
        private final int bias;
        private final int minNormalExponent;
        private final int emax;
        private final boolean subnormals;
        private final SignEncoding sign;
        private final int signBit;
        private final int codeMask;
        private final boolean negativeZero;
        private final int maxMagnitude;
        private final int infMagnitude;      // -1 without infinity
        private final int nanCode;           // -1 without NaN
        private final boolean signedNaN;     // whether -NaN codes exist (NaN codes come in pairs)

        EncodePlan(ElementFormat f) {
            mantissaBits = f.mantissaBits();
            bias = f.bias();
            subnormals = f.hasSubnormals();
            minNormalExponent = subnormals ? 1 - bias : -bias;
            emax = f.emax();
            sign = f.signEncoding();
            signBit = sign == SignEncoding.UNSIGNED ? 0 : 1 << (f.bits() - 1);
            codeMask = f.codeCount() - 1;
            negativeZero = f.hasNegativeZero();
            maxMagnitude = f.maxFiniteCode();
            infMagnitude = f.hasInfinity() ? f.infinityCode(false) : -1;
            nanCode = f.hasNaN() ? f.nanCode() : -1;
            signedNaN = f.nanCodesPerSign() > 0;
        }

        /**
         * Codes for one vector of float bits, scaled by {@code 2^-scaleExponent} exactly (the
         * exponent is adjusted, no multiplication), or null if a lane holds a float subnormal.
         */
        IntVector encode(IntVector bits, int scaleExponent, Rounding rounding, Overflow overflow) {
            IntVector abs = bits.and(0x7fff_ffff);
            IntVector expField = abs.lanewise(VectorOperators.LSHR, 23);
            VectorMask<Integer> zero = abs.eq(0);
            if (expField.eq(0).andNot(zero).anyTrue()) {
                return null;
            }
            VectorMask<Integer> negative = bits.lt(0);
            VectorMask<Integer> nan = abs.compare(VectorOperators.GT, 0x7f80_0000);
            VectorMask<Integer> inf = abs.eq(0x7f80_0000);

            // |x| = sig * 2^(exp - 23), sig in [2^23, 2^24).
            IntVector exp = expField.sub(127 + scaleExponent);
            IntVector sig = abs.and(0x7f_ffff).or(0x80_0000);
            IntVector e = exp.max(minNormalExponent);
            // Bits of sig below the target quantum 2^(e - m); 25 already discards all of them.
            IntVector shift = e.sub(exp).add(23 - mantissaBits).min(25);
            IntVector one = IntVector.broadcast(I, 1);
            IntVector kept = sig.lanewise(VectorOperators.LSHR, shift);
            IntVector rest = sig.and(one.lanewise(VectorOperators.LSHL, shift).sub(1));
            IntVector halfway = one.lanewise(VectorOperators.LSHL, shift.sub(1));
            VectorMask<Integer> half = rest.compare(VectorOperators.GE, halfway);
            VectorMask<Integer> sticky = rest.and(halfway.sub(1)).compare(VectorOperators.NE, 0);
            IntVector magnitude = e.add(bias).lanewise(VectorOperators.LSHL, mantissaBits).add(kept)
                    .sub(1 << mantissaBits);
            magnitude = magnitude.add(one, roundUp(rounding, negative, magnitude, half, sticky));

            VectorMask<Integer> belowRange = subnormals ? I.maskAll(false)
                    : exp.compare(VectorOperators.LT, minNormalExponent);   // no zero: clamp to the least value
            VectorMask<Integer> tiny = zero.or(belowRange);
            VectorMask<Integer> over = magnitude.compare(VectorOperators.GT, maxMagnitude)
                    .or(exp.compare(VectorOperators.GT, emax + 1)).andNot(tiny).or(inf);
            magnitude = magnitude.blend(0, tiny);

            VectorMask<Integer> toMax = overflow == Overflow.SATURATE ? over : over.and(toMaxLanes(rounding, negative).andNot(inf));
            VectorMask<Integer> toSpecial = over.andNot(toMax);
            magnitude = magnitude.blend(maxMagnitude, toMax);
            if (infMagnitude >= 0) {
                magnitude = magnitude.blend(infMagnitude, toSpecial);
            }
            IntVector code = withSign(negative, magnitude);
            if (infMagnitude < 0 && nanCode >= 0) {
                code = code.blend(nanCode, toSpecial);
                if (signedNaN) {
                    code = code.blend(nanCode | signBit, toSpecial.and(negative));
                }
            }
            if (sign == SignEncoding.UNSIGNED) {
                int negativeCode = overflow == Overflow.SATURATE || nanCode < 0 ? 0 : nanCode;
                code = code.blend(negativeCode, negative.andNot(zero));
            }
            if (nanCode >= 0) {
                code = code.blend(nanCode, nan);
            }
            return code;
        }

        private static VectorMask<Integer> roundUp(Rounding rounding, VectorMask<Integer> negative, IntVector magnitude,
                                                   VectorMask<Integer> half, VectorMask<Integer> sticky) {
            switch (rounding) {
                case RNE: return half.and(sticky.or(magnitude.and(1).compare(VectorOperators.NE, 0)));
                case RNA: return half;
                case RTZ: return I.maskAll(false);
                case RUP: return half.or(sticky).andNot(negative);
                case RDN: return half.or(sticky).and(negative);
                case ODD: return half.or(sticky).and(magnitude.and(1).eq(0));
                default: throw new AssertionError(rounding);
            }
        }

        /** Lanes whose finite overflow goes to the largest finite value under a non-saturating policy. */
        private static VectorMask<Integer> toMaxLanes(Rounding rounding, VectorMask<Integer> negative) {
            switch (rounding) {
                case RTZ: return I.maskAll(true);
                case RUP: return negative;
                case RDN: return negative.not();
                default: return I.maskAll(false);
            }
        }

        private IntVector withSign(VectorMask<Integer> negative, IntVector magnitude) {
            switch (sign) {
                case UNSIGNED:
                    return magnitude;
                case TWOS_COMPLEMENT:
                    return magnitude.blend(magnitude.neg().and(codeMask), negative);
                default:
                    VectorMask<Integer> signed = negativeZero ? negative : negative.andNot(magnitude.eq(0));
                    return magnitude.blend(magnitude.or(signBit), signed);
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
        DecodePlan plan = decodePlans.computeIfAbsent(element, DecodePlan::of);
        if (plan == DecodePlan.NONE) {
            SCALAR.decodeScaled(element, codes, codeOffset, length, factor, out, outOffset);
            return;
        }
        int bound = length - length % LANES;
        for (int i = 0; i < bound; i += LANES) {
            plan.decode(loadCodes(codes, codeOffset + i)).mul(factor).intoArray(out, outOffset + i);
        }
        SCALAR.decodeScaled(element, codes, codeOffset + bound, length - bound, factor, out, outOffset + bound);
    }

    /** LANES bytes as sign-extended ints. */
    private static IntVector loadCodes(byte[] codes, int offset) {
        return (IntVector) ByteVector.fromArray(B_QUARTER, codes, offset).convertShape(VectorOperators.B2I, I, 0);
    }

    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;

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

    // ---- dot products ------------------------------------------------------------------------------

    @Override
    public double productSum(ElementFormat a, byte[] ca, int offA, ElementFormat b, byte[] cb, int offB, int length) {
        ProductPlan plan = productPlan(a, b, length);
        return plan == null ? SCALAR.productSum(a, ca, offA, b, cb, offB, length)
                : plan.sum(ca, offA, cb, offB, length);
    }

    /** How to sum products exactly in vectors, or null when the scalar kernel must. */
    private ProductPlan productPlan(ElementFormat a, ElementFormat b, int length) {
        DecodePlan pa = decodePlans.computeIfAbsent(a, DecodePlan::of);
        DecodePlan pb = decodePlans.computeIfAbsent(b, DecodePlan::of);
        int low = Math.getExponent(a.minSubnormal()) + Math.getExponent(b.minSubnormal());
        int productBits = a.emax() + 1 + b.emax() + 1 - low;
        int sumBits = DotLanes.spanBits(a, b, length);
        // Every product exact in float, and every partial sum exact in float or double: any order
        // then gives the scalar kernel's sequential sum.
        if (pa == DecodePlan.NONE || pb == DecodePlan.NONE || low < -149 || productBits > 24 || sumBits > 53) {
            return null;
        }
        return new ProductPlan(pa, pb, sumBits <= 24);
    }

    /** Exact sums of products of decoded values, in float lanes or (wider sums) double lanes. */
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
            int bound = length - length % LANES;
            double sum;
            if (inFloat) {
                FloatVector acc = FloatVector.zero(F);
                for (int i = 0; i < bound; i += LANES) {
                    acc = a.decode(loadCodes(ca, offA + i)).fma(b.decode(loadCodes(cb, offB + i)), acc);
                }
                sum = acc.reduceLanes(VectorOperators.ADD);
            } else {
                DoubleVector acc0 = DoubleVector.zero(D);
                DoubleVector acc1 = DoubleVector.zero(D);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector p = a.decode(loadCodes(ca, offA + i)).mul(b.decode(loadCodes(cb, offB + i)));
                    acc0 = acc0.add(p.convertShape(VectorOperators.F2D, D, 0));
                    acc1 = acc1.add(p.convertShape(VectorOperators.F2D, D, 1));
                }
                sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
            }
            for (int i = bound; i < length; i++) {   // the tail, exact too
                sum += (double) a.value(ca[offA + i]) * b.value(cb[offB + i]);
            }
            return Double.isNaN(sum) ? Double.NaN : sum;
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
        ProductPlan plan = productPlan(a, b, blockSize);
        if (plan == null) {
            SCALAR.blockProductSums(a, ca, offA, b, cb, offB, blockSize, blocks, sums);
            return;
        }
        for (int j = 0; j < blocks; j++) {
            sums[j] = plan.sum(ca, offA + j * blockSize, cb, offB + j * blockSize, blockSize);
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
                          int scaleOffset, int blockSize, int blocks, double[] laneX, int laneXOffset) {
        DecodePlan plan = decodePlans.computeIfAbsent(element, DecodePlan::of);
        if (!DOT_LANES || !DotLanes.lanes(blockSize) || plan == DecodePlan.NONE) {
            return SCALAR.dotFast(element, codes, codeOffset, scale, scaleCodes, scaleOffset, blockSize, blocks,
                    laneX, laneXOffset);
        }
        boolean nibbles = DotLanes.nibbles(element);
        double[] scaleValues = FormatTables.doubleValues(scale);
        int scaleMask = scaleValues.length - 1;
        int half = DotLanes.LANES / 2;
        DoubleVector acc0 = DoubleVector.broadcast(D, -0.0);
        DoubleVector acc1 = acc0;
        for (int blk = 0; blk < blocks; blk++) {
            DoubleVector s0 = DoubleVector.broadcast(D, -0.0);
            DoubleVector s1 = s0;
            int end = (blk + 1) * blockSize;
            for (int chunk = blk * blockSize; chunk < end; chunk += DotLanes.CHUNK) {
                FloatVector v0;
                FloatVector v1;
                if (nibbles) {
                    IntVector c = loadCodes(codes, codeOffset + chunk / 2);
                    v0 = plan.decode(c);
                    v1 = plan.decode(c.lanewise(VectorOperators.LSHR, 4));
                } else {
                    v0 = plan.decode(loadCodes(codes, codeOffset + chunk));
                    v1 = plan.decode(loadCodes(codes, codeOffset + chunk + DotLanes.LANES));
                }
                int xo = laneXOffset + chunk;
                s0 = widen(v0, 0).fma(DoubleVector.fromArray(D, laneX, xo), s0);
                s1 = widen(v0, 1).fma(DoubleVector.fromArray(D, laneX, xo + half), s1);
                s0 = widen(v1, 0).fma(DoubleVector.fromArray(D, laneX, xo + DotLanes.LANES), s0);
                s1 = widen(v1, 1).fma(DoubleVector.fromArray(D, laneX, xo + DotLanes.LANES + half), s1);
            }
            double factor = scaleValues[scaleCodes[scaleOffset + blk] & scaleMask];
            acc0 = acc0.add(s0.mul(factor));
            acc1 = acc1.add(s1.mul(factor));
        }
        double[] lanes = new double[DotLanes.LANES];
        acc0.intoArray(lanes, 0);
        acc1.intoArray(lanes, half);
        return DotLanes.fold(lanes);
    }

    private static DoubleVector widen(FloatVector v, int part) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, D, part);
    }
}
