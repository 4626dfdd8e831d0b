package org.mxformats.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/**
 * The MX block and dot kernels: vector against scalar bit for bit, and the scalar ones against
 * oracles written here (the defining formula, BigDecimal sums, an error bound for the fast dots).
 */
class MxKernelsTest {

    static List<ElementFormat> byteFormats() {
        return KernelsTest.byteFormats();
    }

    private static Kernels vector() {
        return KernelsTest.vectorOrSkip();
    }

    /**
     * The RNE scale rule's quotients: vector and scalar kernels give the same floats and the same
     * suspect flags, against a direct computation here: block sizes the vector loop takes (8, 16,
     * 32) and not (5), a partial last block, zeros of both signs, subnormal, huge, infinite and NaN
     * inputs, infinite divisors (a zero scale), and floats built to have few significant bits.
     */
    @Test
    void scaledQuotientsAndTheirSuspectsAreTheScalarKernels() {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(81);
        int mask = (1 << 21) - 1;   // e2m1's: at most 3 significant bits
        float[] specials = {0f, -0f, Float.MIN_VALUE, 1e-40f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN};
        for (int blockSize : new int[] {16, 32, 8, 5}) {
            for (int length : new int[] {0, 1, blockSize, 7 * blockSize, 7 * blockSize + 3, 300 * blockSize + 1}) {
                float[] in = new float[length + 4];
                for (int i = 0; i < in.length; i++) {
                    int kind = random.nextInt(10);
                    in[i] = kind == 0 ? specials[random.nextInt(specials.length)]
                            : kind == 1 ? (float) Math.scalb(1.5, random.nextInt(-10, 10))   // few bits
                            : (float) random.nextGaussian();
                }
                int blocks = (length + blockSize - 1) / blockSize;
                double[] divisors = new double[blocks + 1];
                for (int j = 0; j < divisors.length; j++) {
                    divisors[j] = random.nextInt(8) == 0 ? Double.POSITIVE_INFINITY
                            : (1 + random.nextInt(1 << 20) * 0x1p-20) * Math.scalb(1.0, random.nextInt(-5, 5));
                }
                float[] want = new float[length + 2];
                float[] got = new float[length + 2];
                byte[] wantSuspects = new byte[blocks + 1];
                byte[] gotSuspects = new byte[blocks + 1];
                Kernels.scalar().scaledQuotients(in, 4, length, blockSize, divisors, mask, want, 2, wantSuspects);
                vector.scaledQuotients(in, 4, length, blockSize, divisors, mask, got, 2, gotSuspects);
                String what = "k=" + blockSize + " length " + length;
                for (int i = 0; i < length; i++) {
                    float q = (float) (in[4 + i] / divisors[i / blockSize]);
                    assertThat(Float.floatToRawIntBits(want[2 + i])).as(what).isEqualTo(Float.floatToRawIntBits(q));
                    assertThat(Float.floatToRawIntBits(got[2 + i])).as(what).isEqualTo(Float.floatToRawIntBits(q));
                }
                for (int j = 0; j < blocks; j++) {
                    boolean any = false;
                    for (int i = j * blockSize; i < Math.min(length, (j + 1) * blockSize); i++) {
                        float q = want[2 + i];
                        int bits = Float.floatToRawIntBits(q) & 0x7fffffff;
                        any |= in[4 + i] != 0 && (!Float.isFinite(q) || Math.abs(q) < Float.MIN_NORMAL || (bits & mask) == 0);
                    }
                    assertThat(wantSuspects[j]).as(what + " block " + j).isEqualTo((byte) (any ? 1 : 0));
                    assertThat(gotSuspects[j]).as(what + " block " + j).isEqualTo((byte) (any ? 1 : 0));
                }
                assertThat(got[0]).isZero();
                assertThat(gotSuspects[blocks]).isZero();
            }
        }
    }

    /**
     * The compensated lanes of the second certificate: the vector loop (block sizes that are whole
     * 32-element chunks) and its scalar fallback (other block sizes) give the scalar kernel's bits
     * from lanes already holding sums, at odd offsets, on values and x spread over 2^-60 .. 2^60
     * with cancelling pairs; and the lanes keep TwoSum's promise, checked exactly in BigDecimal:
     * the sum of every lane's {@code s + c} is the products' sum within {@code (n / 32 + 2) u}
     * times the sum of the lanes' error magnitudes (0 when they are 0). A NaN propagates.
     */
    @Test
    void compensatedLanesAreTheScalarKernelsAndKeepTwoSumsBound() {
        Kernels vector = vector();
        Kernels scalar = Kernels.scalar();
        SplittableRandom random = new SplittableRandom(61);
        int lanesCount = Kernels.COMPENSATED_LANES;
        for (int blockSize : new int[] {32, 64, 96, 16, 8}) {
            for (int blocks : new int[] {0, 1, 3, 40}) {
                for (int trial = 0; trial < 6; trial++) {
                    int n = blockSize * blocks;
                    float[] values = new float[n + 3];
                    float[] x = new float[n + 5];
                    double[] scales = new double[blocks + 2];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) ((random.nextInt(255) - 127) * Math.scalb(1.0, random.nextInt(9) - 6));
                    }
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(121) - 60));
                    }
                    for (int i = 0; i + 40 < n; i += 41) {   // exact cancellation across lanes
                        values[3 + i + 33] = values[3 + i];
                        x[5 + i + 33] = -x[5 + i];
                    }
                    for (int j = 0; j < scales.length; j++) {
                        scales[j] = Math.scalb(1.0, random.nextInt(41) - 20);
                    }
                    double[] want = new double[3 * lanesCount + 2];
                    for (int l = 0; l < lanesCount; l++) {   // lanes that already hold sums
                        want[l] = random.nextGaussian();
                        want[lanesCount + l] = random.nextGaussian() * 0x1p-60;
                        want[2 * lanesCount + l] = Math.abs(want[lanesCount + l]);
                    }
                    double[] start = want.clone();
                    double[] got = want.clone();
                    scalar.compensatedDotLanes(values, 3, x, 5, scales, 2, blockSize, blocks, want);
                    vector.compensatedDotLanes(values, 3, x, 5, scales, 2, blockSize, blocks, got);
                    String what = "k=" + blockSize + " blocks=" + blocks + " trial " + trial;
                    for (int l = 0; l < want.length; l++) {
                        assertThat(Double.doubleToRawLongBits(got[l])).as(what + " lane " + l)
                                .isEqualTo(Double.doubleToRawLongBits(want[l]));
                    }
                    BigDecimal exact = BigDecimal.ZERO;
                    BigDecimal lanes = BigDecimal.ZERO;
                    double magnitudes = 0;
                    for (int l = 0; l < lanesCount; l++) {
                        exact = exact.add(new BigDecimal(start[l])).add(new BigDecimal(start[lanesCount + l]));
                        lanes = lanes.add(new BigDecimal(want[l])).add(new BigDecimal(want[lanesCount + l]));
                        magnitudes += want[2 * lanesCount + l];   // the lanes' |c| at the start included
                    }
                    for (int i = 0; i < n; i++) {
                        exact = exact.add(new BigDecimal(values[3 + i]).multiply(new BigDecimal(scales[2 + i / blockSize]))
                                .multiply(new BigDecimal(x[5 + i])));
                    }
                    double allowed = (n / 32 + 2) * 0x1p-53 * 1.001 * magnitudes;
                    assertThat(exact.subtract(lanes).abs().compareTo(new BigDecimal(allowed))).as(what + " bound")
                            .isLessThanOrEqualTo(0);
                    assertThat(want[3 * lanesCount]).as("entries beyond the 96 untouched").isEqualTo(start[3 * lanesCount]);
                    assertThat(got[3 * lanesCount + 1]).as("entries beyond the 96 untouched").isEqualTo(start[3 * lanesCount + 1]);
                }
            }
        }
        float[] values = new float[64];
        float[] x = new float[64];
        Arrays.fill(values, 1f);
        x[37] = Float.NaN;
        for (Kernels k : new Kernels[] {scalar, vector}) {
            double[] lanes = new double[3 * lanesCount];
            k.compensatedDotLanes(values, 0, x, 0, new double[] {1, 1}, 0, 32, 2, lanes);
            assertThat(lanes[37 % lanesCount]).isNaN();
            assertThatThrownBy(() -> k.compensatedDotLanes(values, 0, x, 0, new double[1], 0, 32, 2, lanes))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.compensatedDotLanes(values, 0, x, 0, new double[2], 0, 32, 2, new double[95]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    /** The same bits as {@code want}, or any NaN where it is a NaN. */
    private static void assertSameSum(double got, double want, String what) {
        if (Double.isNaN(want)) {
            assertThat(got).as(what).isNaN();
        } else {
            assertThat(Double.doubleToRawLongBits(got)).as(what).isEqualTo(Double.doubleToRawLongBits(want));
        }
    }

    /** The scalar kernels, and the vector kernels where this JVM has them. */
    private static List<Kernels> everyKernel() {
        return Kernels.vector().isPresent() ? List.of(Kernels.scalar(), Kernels.vector().get()) : List.of(Kernels.scalar());
    }

    @Test
    void maxAbsComparesMagnitudeBits() {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(1);
        for (int trial = 0; trial < 2000; trial++) {
            int n = random.nextInt(0, 100);
            float[] in = new float[n + 3];
            for (int i = 0; i < in.length; i++) {
                int kind = random.nextInt(50);
                in[i] = kind == 0 ? Float.POSITIVE_INFINITY : kind == 1 ? Float.NEGATIVE_INFINITY
                        : kind == 2 && trial % 3 == 0 ? Float.intBitsToFloat(0xff80_0000 | random.nextInt(1, 1 << 23))
                        : (float) random.nextDouble(-1e3, 1e3) * (kind == 3 ? 1e-40f : 1);
            }
            int expected = 0;
            for (int i = 2; i < 2 + n; i++) {
                // |x| by value; a NaN's magnitude bits are its payload with the sign cleared.
                int bits = Float.isNaN(in[i]) ? Float.floatToRawIntBits(in[i]) & 0x7fff_ffff
                        : Float.floatToRawIntBits(Math.abs(in[i]));
                expected = Math.max(expected, bits);
            }
            assertThat(Float.floatToRawIntBits(Kernels.scalar().maxAbs(in, 2, n))).isEqualTo(expected);
            assertThat(Float.floatToRawIntBits(vector.maxAbs(in, 2, n))).isEqualTo(expected);
        }
    }

    /** Every block's largest magnitude bits, the last block partial, in blocks of sizes on and off the lane count. */
    @Test
    void blockMaxAbsIsEachBlocksLargestMagnitude() {
        SplittableRandom random = new SplittableRandom(2);
        for (Kernels kernels : everyKernel()) {
            for (int blockSize : new int[] {8, 16, 24, 32, 64, 5}) {
                for (int trial = 0; trial < 200; trial++) {
                    int n = random.nextInt(0, 40 * blockSize);
                    float[] in = new float[n + 3];
                    for (int i = 0; i < in.length; i++) {
                        int kind = random.nextInt(60);
                        in[i] = kind == 0 ? Float.POSITIVE_INFINITY : kind == 1 ? Float.NEGATIVE_INFINITY
                                : kind == 2 ? Float.intBitsToFloat(0x7f80_0000 | random.nextInt(1, 1 << 23))
                                : kind == 3 ? -0f : kind == 4 ? Float.MIN_VALUE
                                : (float) random.nextDouble(-1e3, 1e3) * (kind == 5 ? 1e-40f : 1);
                    }
                    int blocks = (n + blockSize - 1) / blockSize;
                    float[] maxima = new float[blocks + 1];
                    maxima[blocks] = 42f;   // past the last block: must stay as it is
                    kernels.blockMaxAbs(in, 3, n, blockSize, maxima);
                    for (int b = 0; b < blocks; b++) {
                        int expected = 0;
                        for (int i = 3 + b * blockSize; i < 3 + Math.min(n, (b + 1) * blockSize); i++) {
                            expected = Math.max(expected, Float.floatToRawIntBits(in[i]) & 0x7fff_ffff);
                        }
                        assertThat(Float.floatToRawIntBits(maxima[b]))
                                .as("%s, block %d of %d, block size %d", kernels, b, blocks, blockSize)
                                .isEqualTo(expected);
                    }
                    assertThat(maxima[blocks]).isEqualTo(42f);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("byteFormats")
    void encodeScaledIsEncodeOfTheExactlyScaledValue(ElementFormat f) {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(f.name().hashCode() + 7L);
        float[] base = KernelsTest.inputsFor(f, random);
        float[] in = new float[base.length];
        byte[] codes = new byte[in.length];
        for (int scaleExponent : new int[] {-140, -40, -3, 0, 1, 5, 30, 127, 160}) {
            int n = 0;
            for (float x : base) {
                float scaled = Math.scalb(x, scaleExponent);   // inputs of the size that scale would be chosen for
                if (!Float.isNaN(scaled) || f.hasNaN()) {
                    in[n++] = scaled;
                }
            }
            for (Rounding r : new Rounding[] {Rounding.RNE, Rounding.RNA, Rounding.RTZ, Rounding.RUP, Rounding.RDN,
                    Rounding.ODD}) {
                vector.encodeScaled(f, in, 0, n, scaleExponent, r, codes, 0);
                for (int i = 0; i < n; i++) {
                    int expected = f.encode(Math.scalb((double) in[i], -scaleExponent), r, Overflow.SATURATE);
                    assertThat(codes[i] & 0xff).as("%s %s 2^%d x=%s", f, r, scaleExponent, in[i]).isEqualTo(expected);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("byteFormats")
    void decodeScaledIsOneRoundedProduct(ElementFormat f) {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(f.name().hashCode() + 9L);
        byte[] codes = new byte[1000];
        random.nextBytes(codes);
        float[] a = new float[codes.length];
        float[] b = new float[codes.length];
        for (float factor : new float[] {1f, 0x1p-127f, 0x1p-140f, 0x1p100f, 0x1p127f, 3.75f, -0.5f, Float.NaN}) {
            Kernels.scalar().decodeScaled(f, codes, 1, 990, factor, a, 2);
            vector.decodeScaled(f, codes, 1, 990, factor, b, 2);
            for (int i = 0; i < 990; i++) {
                float expected = (float) ((double) f.decodeFloat(codes[1 + i] & (f.codeCount() - 1)) * factor);
                assertThat(Float.floatToRawIntBits(a[2 + i])).isEqualTo(Float.floatToRawIntBits(b[2 + i]));
                assertThat(Float.floatToIntBits(a[2 + i])).as("%s factor %s", f, factor).isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    @Test
    void nibblesPackLowFirstAndUnpackBack() {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(3);
        for (int count : new int[] {0, 1, 2, 31, 32, 33, 64, 65, 1000, 1001}) {
            byte[] codes = new byte[count + 4];
            random.nextBytes(codes);
            byte[] p1 = new byte[(count + 1) / 2 + 3];
            byte[] p2 = new byte[p1.length];
            Kernels.scalar().packNibbles(codes, 4, p1, 3, count);
            vector.packNibbles(codes, 4, p2, 3, count);
            assertThat(p2).isEqualTo(p1);
            for (int i = 0; i < count; i++) {
                int nibble = i % 2 == 0 ? p1[3 + i / 2] & 0xf : (p1[3 + i / 2] & 0xff) >> 4;
                assertThat(nibble).isEqualTo(codes[4 + i] & 0xf);
            }
            if (count % 2 == 1) {
                assertThat(p1[3 + count / 2] & 0xf0).isZero();
            }
            byte[] u1 = new byte[count + 1];
            byte[] u2 = new byte[count + 1];
            Kernels.scalar().unpackNibbles(p1, 3, u1, 1, count);
            vector.unpackNibbles(p1, 3, u2, 1, count);
            assertThat(u2).isEqualTo(u1);
            for (int i = 0; i < count; i++) {
                assertThat(u1[1 + i]).isEqualTo((byte) (codes[4 + i] & 0xf));
            }
        }
    }

    /**
     * Six-bit groups: each group's 24-bit word read back bit by bit from the bytes (the stream order
     * of docs/formats), high code bits ignored, nothing written outside the range, every kernel
     * alike, at group counts around the vector loop's 4 and its tail rules (and arrays that end
     * right after the groups, where the vector unpack must not read past them).
     */
    @Test
    void sixBitGroupsPackAsLittleEndianWordsAndUnpackBack() {
        SplittableRandom random = new SplittableRandom(4);
        for (Kernels kernels : everyKernel()) {
            for (int groups = 0; groups <= 40; groups++) {
                for (int tailRoom : new int[] {0, 5}) {
                    byte[] codes = new byte[4 * groups + 2];
                    random.nextBytes(codes);   // high bits set too: pack must ignore them
                    byte[] packed = new byte[1 + 3 * groups + tailRoom];
                    Arrays.fill(packed, (byte) 0x5a);
                    kernels.packSixBitGroups(codes, 2, packed, 1, groups);
                    for (int g = 0; g < groups; g++) {
                        for (int bit = 0; bit < 24; bit++) {
                            int streamBit = (packed[1 + 3 * g + bit / 8] >> (bit % 8)) & 1;
                            int codeBit = (codes[2 + 4 * g + bit / 6] >> (bit % 6)) & 1;
                            assertThat(streamBit).as("%s, group %d of %d, bit %d", kernels, g, groups, bit)
                                    .isEqualTo(codeBit);
                        }
                    }
                    assertThat(packed[0]).as("byte before the range").isEqualTo((byte) 0x5a);
                    for (int i = 1 + 3 * groups; i < packed.length; i++) {
                        assertThat(packed[i]).as("%s: byte %d after the range", kernels, i).isEqualTo((byte) 0x5a);
                    }
                    byte[] back = new byte[4 * groups + 3];
                    Arrays.fill(back, (byte) 0x77);
                    kernels.unpackSixBitGroups(packed, 1, back, 3, groups);
                    for (int i = 0; i < 4 * groups; i++) {
                        assertThat(back[3 + i]).as("%s: code %d of %d groups", kernels, i, groups)
                                .isEqualTo((byte) (codes[2 + i] & 0x3f));
                    }
                    assertThat(Arrays.copyOf(back, 3)).containsOnly((byte) 0x77);
                }
            }
        }
    }

    /**
     * Packed 4-bit codes unpack into their small integers (twice the e2m1 value, 0 for -0) from
     * any offset, at lengths around the vector loop's 32, in both kernels alike; formats without
     * such integers are refused by name.
     */
    @Test
    void smallIntegersUnpackFromPackedNibbles() {
        Kernels vector = vector();
        ElementFormat e2m1 = ElementFormat.E2M1;
        SplittableRandom random = new SplittableRandom(17);
        for (int count : new int[] {0, 1, 2, 30, 31, 32, 33, 64, 96, 97, 1000, 1001}) {
            byte[] packed = new byte[(count + 1) / 2 + 5];
            random.nextBytes(packed);
            byte[] a = new byte[count + 3];
            byte[] b = new byte[count + 3];
            Kernels.scalar().unpackSmallIntegers(e2m1, packed, 5, a, 3, count);
            vector.unpackSmallIntegers(e2m1, packed, 5, b, 3, count);
            assertThat(b).as("count %d", count).isEqualTo(a);
            for (int i = 0; i < count; i++) {
                int code = i % 2 == 0 ? packed[5 + i / 2] & 0xf : (packed[5 + i / 2] & 0xff) >> 4;
                assertThat((double) a[3 + i]).as("code %d", code).isEqualTo(2 * e2m1.decode(code) + 0.0);
            }
        }
        for (Kernels k : new Kernels[] {Kernels.scalar(), vector}) {
            assertThat(Kernels.smallIntegerTable(ElementFormat.E4M3)).isNull();
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> k.unpackSmallIntegers(ElementFormat.E4M3, new byte[16], 0, new byte[32], 0, 32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e4m3");
        }
    }

    static List<ElementFormat[]> formatPairs() {
        ElementFormat e4 = ElementFormat.E4M3;
        return List.of(new ElementFormat[] {e4, e4}, new ElementFormat[] {ElementFormat.E2M1, ElementFormat.E2M1},
                new ElementFormat[] {ElementFormat.INT8, ElementFormat.INT8},
                new ElementFormat[] {ElementFormat.E3M2, ElementFormat.E2M3},
                new ElementFormat[] {ElementFormat.E3M4, e4}, new ElementFormat[] {ElementFormat.E5M2, ElementFormat.E5M2},
                new ElementFormat[] {e4, ElementFormat.E2M1});
    }

    @ParameterizedTest
    @MethodSource("formatPairs")
    void productSumIsExactWithin53Bits(ElementFormat a, ElementFormat b) {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(a.name().hashCode() * 31L + b.name().hashCode());
        for (int trial = 0; trial < 300; trial++) {
            int n = random.nextInt(0, 70);
            byte[] ca = new byte[n + 1];
            byte[] cb = new byte[n + 2];
            for (int i = 0; i < ca.length; i++) {
                ca[i] = (byte) random.nextInt(a.codeCount());
            }
            for (int i = 0; i < cb.length; i++) {
                cb[i] = (byte) random.nextInt(b.codeCount());
            }
            double s = Kernels.scalar().productSum(a, ca, 1, b, cb, 2, n);
            double v = vector.productSum(a, ca, 1, b, cb, 2, n);
            boolean special = false;
            BigDecimal exact = BigDecimal.ZERO;
            for (int i = 0; i < n; i++) {
                double x = a.decode(ca[1 + i] & 0xff);
                double y = b.decode(cb[2 + i] & 0xff);
                if (!Double.isFinite(x) || !Double.isFinite(y)) {
                    special = true;
                } else {
                    exact = exact.add(new BigDecimal(x).multiply(new BigDecimal(y)));
                }
            }
            if (special) {
                assertThat(Double.isFinite(v)).isFalse();
                assertThat(Double.doubleToRawLongBits(v)).isEqualTo(Double.doubleToRawLongBits(s));
                continue;
            }
            if (Kernels.exactProductSumBits(a, b, n) <= 53) {
                assertThat(new BigDecimal(v).compareTo(exact)).as("%s x %s", a, b).isZero();
                assertThat(new BigDecimal(s).compareTo(exact)).isZero();
            } else {
                assertThat(Double.doubleToRawLongBits(v)).isEqualTo(Double.doubleToRawLongBits(s));
            }
        }
    }

    static List<Object[]> dotCases() {
        return List.of(new Object[] {ElementFormat.E4M3, 32}, new Object[] {ElementFormat.E5M2, 64},
                new Object[] {ElementFormat.E2M1, 32}, new Object[] {ElementFormat.E2M1, 64},
                new Object[] {ElementFormat.E2M1, 16}, new Object[] {ElementFormat.INT8, 32},
                new Object[] {ElementFormat.E3M2, 32}, new Object[] {ElementFormat.E2M3, 8},
                new Object[] {ElementFormat.E3M4, 96}, new Object[] {ElementFormat.E5M2, 32},
                new Object[] {ElementFormat.E2M3, 32}, new Object[] {ElementFormat.E3M4, 32});
    }

    @ParameterizedTest
    @MethodSource("dotCases")
    void fastDotAgreesBitForBitAndStaysWithinItsErrorBound(ElementFormat element, int blockSize) {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(element.name().hashCode() + blockSize);
        for (int trial = 0; trial < 40; trial++) {
            int blocks = random.nextInt(1, 9);
            int n = blocks * blockSize;
            byte[] codes = new byte[DotLanes.codeBytes(element, n) + 3];
            for (int i = 3; i < codes.length; i++) {
                codes[i] = (byte) random.nextInt(DotLanes.nibbles(element) ? 256 : element.codeCount());
                if (!DotLanes.nibbles(element) && !Double.isFinite(element.decode(codes[i] & 0xff))) {
                    codes[i] = 0;   // NaN and infinities make the result non-finite: checked separately below
                }
            }
            boolean ue4m3 = trial % 4 == 3;
            ElementFormat scale = ue4m3 ? ElementFormat.UE4M3 : ElementFormat.E8M0;
            byte[] scales = randomScales(random, scale, blocks + 1);
            float[] x = new float[n + 5];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            double s = Kernels.scalar().dotFast(element, codes, 3, scale, scales, 1, blockSize, blocks, x, 5);
            double v = vector.dotFast(element, codes, 3, scale, scales, 1, blockSize, blocks, x, 5);
            assertThat(Double.doubleToRawLongBits(v)).as("%s k=%d", element, blockSize)
                    .isEqualTo(Double.doubleToRawLongBits(s));
            BigDecimal exact = BigDecimal.ZERO;
            BigDecimal magnitude = BigDecimal.ZERO;
            double sequential = -0.0;
            for (int blk = 0; blk < blocks; blk++) {
                double factor = scale.decode(scales[1 + blk] & 0xff);
                double blockSum = -0.0;
                for (int i = blk * blockSize; i < (blk + 1) * blockSize; i++) {
                    double p = element.decode(DotLanes.code(element, codes, 3, i));
                    blockSum += p * x[5 + i];
                    BigDecimal t = new BigDecimal(p).multiply(new BigDecimal(x[5 + i])).multiply(new BigDecimal(factor));
                    exact = exact.add(t);
                    magnitude = magnitude.add(t.abs());
                }
                sequential += blockSum * factor;
            }
            BigDecimal bound;
            if (DotLanes.fastLanes(blockSize)) {
                // Float lane sums: k/16 roundings within a block and one per block across blocks
                // (u = 2^-24, and at most 2^-150 absolute per rounding in the subnormal range, in-block
                // ones scaled by X * unit), then the fold in double (4 roundings): docs/dot.md.
                double gammaFloat = gamma(blockSize / DotLanes.LANES + blocks, 0x1p-24);
                double gammaDouble = gamma(5, 0x1p-53);
                BigDecimal underflow = new BigDecimal(DotLanes.LANES * blocks * 0x1p-150);
                for (int blk = 0; blk < blocks; blk++) {
                    underflow = underflow.add(new BigDecimal(blockSize * 0x1p-150 * DotLanes.unit(element)
                            * Math.abs(scale.decode(scales[1 + blk] & 0xff))));
                }
                bound = magnitude.multiply(new BigDecimal((1 + gammaFloat) * (1 + gammaDouble) - 1))
                        .add(underflow.multiply(BigDecimal.valueOf(2)));
            } else {
                bound = magnitude.multiply(new BigDecimal(gamma(blockSize + blocks, 0x1p-53)));
            }
            assertThat(new BigDecimal(s).subtract(exact).abs()).as("%s k=%d", element, blockSize)
                    .isLessThanOrEqualTo(bound);
            if (!DotLanes.fastLanes(blockSize)) {
                assertThat(s).isEqualTo(sequential);   // the one-accumulator order, as documented
            }
        }
    }

    @ParameterizedTest
    @MethodSource("laneFormats")
    void fastDotAgreesBitForBitOnEveryByteIncludingSpecialsAndHighBits(ElementFormat element) {
        // Any byte: NaN and infinity codes (the vector kernel hands those calls to the scalar one)
        // and, for 6-bit formats, bits above the format's width, which both must ignore.
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(element.name().hashCode() * 31L);
        for (int trial = 0; trial < 60; trial++) {
            int blocks = random.nextInt(1, 6);
            int n = blocks * 32;
            byte[] codes = new byte[DotLanes.codeBytes(element, n)];
            for (int i = 0; i < codes.length; i++) {
                // Mostly ordinary codes, so that a block with a special code is the exception.
                codes[i] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : random.nextInt(element.codeCount()));
                if (trial % 2 == 0 && random.nextInt(4) != 0 && !Double.isFinite(element.decode(codes[i] & (element.codeCount() - 1)))) {
                    codes[i] = 0;
                }
            }
            byte[] scales = new byte[blocks];
            for (int b = 0; b < blocks; b++) {
                scales[b] = (byte) random.nextInt(110, 140);
            }
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) random.nextGaussian();
            }
            double s = Kernels.scalar().dotFast(element, codes, 0, ElementFormat.E8M0, scales, 0, 32, blocks, x, 0);
            double v = vector.dotFast(element, codes, 0, ElementFormat.E8M0, scales, 0, 32, blocks, x, 0);
            assertThat(Double.doubleToRawLongBits(v)).as("%s trial %d", element, trial)
                    .isEqualTo(Double.doubleToRawLongBits(s));
        }
    }

    /**
     * The FAST dot's vector loops run (rather than hand the call to the scalar kernel) for every
     * lane format on ordinary codes, at the JVM's vector width: 16 lanes, or two vectors of 8 on
     * 256-bit machines (the AVX2-width test run), and give the scalar kernel's bits.
     */
    @ParameterizedTest
    @MethodSource("laneFormats")
    void fastDotTakesAVectorLoopAtThisWidth(ElementFormat element) {
        VectorKernels vector = (VectorKernels) vector();
        SplittableRandom random = new SplittableRandom(element.name().hashCode() * 7L);
        int blocks = 37;
        int n = blocks * 32;
        byte[] codes = new byte[DotLanes.codeBytes(element, n) + 2];
        for (int i = 0; i < codes.length; i++) {
            int c = random.nextInt(DotLanes.nibbles(element) ? 256 : element.codeCount());
            codes[i] = (byte) (DotLanes.nibbles(element) || Double.isFinite(element.decode(c)) ? c : 0);
        }
        byte[] scales = new byte[blocks + 1];
        for (int b = 0; b < scales.length; b++) {
            scales[b] = (byte) random.nextInt(115, 140);
        }
        float[] x = new float[n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        double v = vector.vectorDotFast(element, codes, 2, ElementFormat.E8M0, scales, 1, 32, blocks, x, 3);
        assertThat(v).as("%s on %s", element, vector.name()).isNotNaN();
        double s = Kernels.scalar().dotFast(element, codes, 2, ElementFormat.E8M0, scales, 1, 32, blocks, x, 3);
        assertThat(Double.doubleToRawLongBits(v)).as("%s on %s", element, vector.name())
                .isEqualTo(Double.doubleToRawLongBits(s));
    }

    /**
     * NVFP4's blocks of 16 e2m1 codes take the vector loop of this width (one block per lane step:
     * one 16-lane vector, or two of 8 on AVX2), with the scalar kernel's bits: random packed codes
     * (the -0 code included, whose all-zero sums go back to the scalar kernel), UE4M3 scales of
     * every class (the NaN code included), odd offsets, 1 to 70 blocks. Skipped below 8 float lanes.
     */
    @Test
    void nvfp4BlocksOfSixteenTakeTheVectorLoop() {
        VectorKernels vector = (VectorKernels) vector();
        Assumptions.assumeTrue(VectorKernels.DOT_LANES || VectorKernels.NARROW_DOT_LANES, "8 or 16 float lanes");
        ElementFormat e2m1 = ElementFormat.E2M1;
        ElementFormat ue4m3 = ElementFormat.UE4M3;
        SplittableRandom random = new SplittableRandom(71);
        int taken = 0;
        for (int trial = 0; trial < 300; trial++) {
            int blocks = random.nextInt(1, 71);
            byte[] codes = new byte[blocks * 8 + 3];
            random.nextBytes(codes);
            if (trial % 10 == 0) {
                Arrays.fill(codes, (byte) (random.nextBoolean() ? 0x88 : 0x00));   // -0 or +0 codes only
            }
            byte[] scales = randomScales(random, ue4m3, blocks + 1);
            float[] x = new float[blocks * 16 + 5];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            double s = Kernels.scalar().dotFast(e2m1, codes, 3, ue4m3, scales, 1, 16, blocks, x, 5);
            double v = vector.dotFast(e2m1, codes, 3, ue4m3, scales, 1, 16, blocks, x, 5);
            assertThat(Double.doubleToRawLongBits(v)).as("trial %d, %d blocks", trial, blocks)
                    .isEqualTo(Double.doubleToRawLongBits(s));
            if (!Double.isNaN(vector.vectorDotFast(e2m1, codes, 3, ue4m3, scales, 1, 16, blocks, x, 5))) {
                taken++;
            }
        }
        assertThat(taken).isGreaterThan(200);
    }

    /**
     * Both 16-lane FAST e2m1 loops, whichever {@link VectorKernels#WIDE_NIBBLE_LOOKUP} picks on this
     * JDK, give the scalar kernel's bits: random packed codes (the -0 code included), odd offsets,
     * every scale code class, 1 to 40 blocks. Skipped below 16 float lanes.
     */
    @Test
    void bothSixteenLaneNibbleLoopsGiveTheScalarKernelsBits() {
        VectorKernels vector = (VectorKernels) vector();
        Assumptions.assumeTrue(DotLanes.LANES == VectorKernels.F.length(), "16 float lanes");
        SplittableRandom random = new SplittableRandom(53);
        VectorKernels.DecodePlan plan = vector.decodePlan(ElementFormat.E2M1);
        float[] factors = plan.factors(ElementFormat.E8M0);
        for (int blocks = 1; blocks <= 40; blocks++) {
            byte[] codes = new byte[blocks * 16 + 3];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) random.nextInt(256);
            }
            byte[] scales = new byte[blocks + 1];
            for (int b = 0; b < scales.length; b++) {
                scales[b] = (byte) (b % 3 == 0 ? random.nextInt(0, 255) : random.nextInt(115, 140));
            }
            float[] x = new float[blocks * 32 + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            double want = Kernels.scalar().dotFast(ElementFormat.E2M1, codes, 3, ElementFormat.E8M0, scales, 1, 32, blocks,
                    x, 3);
            double wide = plan.dotNibbles32(VectorKernels.NIBBLES_WIDE, codes, 3, factors, scales, 1, blocks, x, 3);
            double halves = plan.dotNibbles32(VectorKernels.NIBBLES_HALVES, codes, 3, factors, scales, 1, blocks, x, 3);
            for (double got : new double[] {wide, halves}) {
                if (!Double.isNaN(got)) {   // NaN: handed to the scalar kernel (a zero sum)
                    assertSameSum(got, want, "blocks=" + blocks);
                }
            }
            assertThat(Double.doubleToRawLongBits(wide)).as("blocks=" + blocks).isEqualTo(Double.doubleToRawLongBits(halves));
        }
    }

    /**
     * The MX x MX exact dot's one-pass loops take the format pairs they are for at the JVM's
     * vector width (16 lanes, or the 256-bit loops of the AVX2-width run), rather than the block
     * sums, and the loop of this width gives the scalar kernel's sum (shifts up to 40, 130
     * blocks); shiftedProductSumsMatchABigIntegerOracle checks the dispatching method against an oracle.
     */
    @Test
    void shiftedProductSumsTakeAOnePassLoopAtThisWidth() {
        VectorKernels vector = (VectorKernels) vector();
        ElementFormat int8 = ElementFormat.INT8;
        ElementFormat e2m1 = ElementFormat.E2M1;
        ElementFormat e4m3 = ElementFormat.E4M3;
        Object[][] cases = {
            {e2m1, e2m1, 32, VectorKernels.NIBBLE_LOOP}, {e2m1, e2m1, 64, VectorKernels.NIBBLE_LOOP},
            {int8, int8, 32, VectorKernels.BYTE_LOOP}, {int8, e2m1, 64, VectorKernels.BYTE_LOOP},
            {e2m1, int8, 32, VectorKernels.BYTE_LOOP}, {e4m3, e4m3, 32, VectorKernels.RAW_FLOAT_LOOP},
            {ElementFormat.E3M4, e4m3, 96, VectorKernels.RAW_FLOAT_LOOP},
        };
        SplittableRandom random = new SplittableRandom(43);
        for (Object[] c : cases) {
            ElementFormat fa = (ElementFormat) c[0];
            ElementFormat fb = (ElementFormat) c[1];
            int blockSize = (Integer) c[2];
            String what = fa + " x " + fb + " k=" + blockSize + " on " + vector.name();
            int loop = vector.onePassLoop(fa, fb, blockSize);
            assertThat(loop).as(what).isEqualTo(c[3]);
            int blocks = 130;
            byte[] sa = stored(fa, finiteCodes(fa, blocks * blockSize + 3, random), 3);
            byte[] sb = stored(fb, finiteCodes(fb, blocks * blockSize + 1, random), 1);
            int[] shifts = new int[blocks];
            for (int j = 0; j < blocks; j++) {
                shifts[j] = -7 + random.nextInt(40);
            }
            assertThat(vector.onePassShiftedProductSum(loop, fa, sa, 3, fb, sb, 1, blockSize, blocks, shifts, -7))
                    .as(what).isEqualTo(Kernels.scalar().shiftedProductSum(fa, sa, 3, fb, sb, 1, blockSize, blocks, shifts, -7));
        }
        assertThat(vector.onePassLoop(e4m3, e4m3, 16)).as("block size 16").isEqualTo(VectorKernels.NO_LOOP);
    }

    /**
     * The byte loop at the edges of its 16-bit sums: blocks of int8 codes whose products are all
     * (-128)^2 (two of them sum to 2^15, one past a short), all -128 * 127 (the most negative), all
     * 127^2, a sign pattern per element, and random codes, with relative shifts up to 63 so that
     * the long lanes wrap; both block sizes of whole chunks, against the scalar kernel.
     */
    @Test
    void byteLoopSumsExtremeInt8ProductsExactly() {
        VectorKernels vector = (VectorKernels) vector();
        ElementFormat int8 = ElementFormat.INT8;
        SplittableRandom random = new SplittableRandom(47);
        for (int blockSize : new int[] {32, 64}) {
            int blocks = 40;
            byte[] ca = new byte[blocks * blockSize + 3];
            byte[] cb = new byte[blocks * blockSize + 1];
            for (int j = 0; j < blocks; j++) {
                for (int i = 0; i < blockSize; i++) {
                    int a;
                    int b;
                    switch (j % 5) {
                        case 0: a = -128; b = -128; break;
                        case 1: a = -128; b = 127; break;
                        case 2: a = 127; b = 127; break;
                        case 3: a = i % 3 == 1 ? 127 : -128; b = i % 2 == 0 ? -128 : 127; break;
                        default: a = random.nextInt(-128, 128); b = random.nextInt(-128, 128); break;
                    }
                    ca[3 + j * blockSize + i] = (byte) a;
                    cb[1 + j * blockSize + i] = (byte) b;
                }
            }
            int[] shifts = new int[blocks];
            for (int j = 0; j < blocks; j++) {
                shifts[j] = -7 + (j < 5 ? 63 - j : random.nextInt(64));   // relative shifts 0 .. 63
            }
            assertThat(vector.onePassLoop(int8, int8, blockSize)).isEqualTo(VectorKernels.BYTE_LOOP);
            assertThat(vector.onePassShiftedProductSum(VectorKernels.BYTE_LOOP, int8, ca, 3, int8, cb, 1, blockSize,
                    blocks, shifts, -7)).as("k=" + blockSize + " on " + vector.name())
                    .isEqualTo(Kernels.scalar().shiftedProductSum(int8, ca, 3, int8, cb, 1, blockSize, blocks, shifts, -7));
        }
    }

    @Test
    void splitXPutsEachBlocksEvenElementsBeforeItsOddOnes() {
        float[] x = new float[3 + 96];
        for (int i = 0; i < x.length; i++) {
            x[i] = i - 3;   // x[3 + e] == e
        }
        float[] out = new float[2 + 64];
        Kernels.splitX(x, 3 + 32, 64, out, 2);   // elements 32 .. 95
        for (int block = 0; block < 2; block++) {
            for (int j = 0; j < 16; j++) {
                assertThat(out[2 + 32 * block + j]).isEqualTo(32 + 32 * block + 2 * j);
                assertThat(out[2 + 32 * block + 16 + j]).isEqualTo(32 + 32 * block + 2 * j + 1);
            }
        }
        assertThatThrownBy(() -> Kernels.splitX(x, 0, 48, out, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("48");
    }

    /**
     * The FAST dot with x in a prepared form (split by parity, or scaled by the format's lane
     * scale) gives the bits of the FAST dot on x, on every kernel and every lane format (the
     * vector loops of the forms they prefer at 256 bits, the general route for the others),
     * E8M0 and UE4M3 scales, codes at an offset.
     */
    @ParameterizedTest
    @MethodSource("laneFormats")
    void fastDotOnPreparedXGivesTheFastDotsBits(ElementFormat element) {
        SplittableRandom random = new SplittableRandom(element.name().hashCode() * 13L);
        List<Kernels> kernels = everyKernel();
        int scaledTrials = 0;
        for (int trial = 0; trial < 40; trial++) {
            int blocks = random.nextInt(1, 40);
            int n = blocks * 32;
            byte[] codes = new byte[DotLanes.codeBytes(element, n) + 3];
            for (int i = 3; i < codes.length; i++) {
                int c = random.nextInt(DotLanes.nibbles(element) ? 256 : element.codeCount());
                codes[i] = (byte) (DotLanes.nibbles(element) || Double.isFinite(element.decode(c)) ? c : 0);
            }
            boolean ue4m3 = trial % 3 == 2;
            ElementFormat scale = ue4m3 ? ElementFormat.UE4M3 : ElementFormat.E8M0;
            byte[] scales = randomScales(random, scale, blocks + 1);
            float[] x = new float[n + 5];
            // Half the trials below 2^(room - 1) in magnitude, where x times the format's scale is exact.
            int room = 127 - Math.getExponent(Kernels.xScale(element));
            int top = trial % 2 == 0 ? 20 : Math.min(20, room - 2);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (Math.max(-2, Math.min(2, random.nextGaussian())) * Math.scalb(1.0, random.nextInt(-20, top)));
            }
            double want = Kernels.scalar().dotFast(element, codes, 3, scale, scales, 1, 32, blocks, x, 5);
            for (Kernels.XForm form : Kernels.XForm.values()) {
                float[] xs = new float[n + 1];
                boolean exact = Kernels.prepareX(form, element, x, 5, n, xs, 1);
                assertThat(exact).as("%s %s, trial %d", element, form, trial)
                        .isEqualTo(form != Kernels.XForm.SCALED || scalesExactly(x, 5, n, Kernels.xScale(element)));
                if (!exact) {
                    continue;
                }
                scaledTrials += form == Kernels.XForm.SCALED ? 1 : 0;
                for (Kernels k : kernels) {
                    assertThat(Double.doubleToRawLongBits(
                            k.dotFastPrepared(element, form, codes, 3, scale, scales, 1, 32, blocks, xs, 1)))
                            .as("%s %s on %s, trial %d", element, form, k.name(), trial)
                            .isEqualTo(Double.doubleToRawLongBits(want));
                }
            }
        }
        assertThat(scaledTrials).as("trials with x scaled").isGreaterThanOrEqualTo(20);
    }

    /**
     * Whether every {@code x * scale} is a float exactly, decided in double, where the product of
     * a float by a power of two is always exact: the test's own reading of {@link Kernels.XForm#SCALED}.
     */
    private static boolean scalesExactly(float[] x, int offset, int length, float scale) {
        for (int i = 0; i < length; i++) {
            double product = (double) x[offset + i] * scale;
            if (!Float.isNaN(x[offset + i]) && (double) (float) product != product) {
                return false;
            }
        }
        return true;
    }

    /**
     * Scaled x: exact products are written with their signs (zeros, infinities and NaN included);
     * a product that would overflow, of either sign, makes the call decline. (No format has a lane
     * scale below 1, so no product can round into the subnormals; that case is not reachable here.)
     */
    @Test
    void scaledXIsWrittenOnlyWhenEveryProductIsExact() {
        ElementFormat e4m3 = ElementFormat.E4M3;
        float scale = Kernels.xScale(e4m3);
        assertThat(scale).isEqualTo(0x1p120f);
        float[] x = {0f, -0f, Float.MIN_VALUE, -0x1p-140f, 1.5f, -0x1.fffffep7f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN};
        float[] out = new float[x.length + 1];
        assertThat(Kernels.prepareX(Kernels.XForm.SCALED, e4m3, x, 0, x.length, out, 1)).isTrue();
        for (int i = 0; i < x.length; i++) {
            float want = (float) ((double) x[i] * 0x1p120);
            assertThat(Float.floatToRawIntBits(out[1 + i])).as("x = %s", x[i]).isEqualTo(Float.floatToRawIntBits(want));
        }
        assertThat(Kernels.prepareX(Kernels.XForm.SCALED, e4m3, new float[] {1f, 0x1p8f}, 0, 2, out, 0)).isFalse();
        assertThat(Kernels.prepareX(Kernels.XForm.SCALED, e4m3, new float[] {-0x1p8f}, 0, 1, out, 0)).isFalse();
        assertThat(Kernels.prepareX(Kernels.XForm.NATURAL, e4m3, x, 2, 3, out, 0)).isTrue();
        assertThat(Arrays.copyOf(out, 3)).containsExactly(x[2], x[3], x[4]);
        assertThat(Kernels.xScale(ElementFormat.INT8)).as("int8: codes times 2^-6 over its unit 2^-6").isEqualTo(1f);
        assertThat(Kernels.xScale(ElementFormat.E5M2)).isEqualTo(0x1p112f);
    }

    /**
     * The FAST dot of rows at a stride gives each row's own FAST dot, on x in every form, every
     * kernel and every lane format, specials among the codes (handed on per row) and NVFP4-like
     * blocks of 16 (which no vector loop takes).
     */
    @ParameterizedTest
    @MethodSource("laneFormats")
    void fastDotRowsIsEachRowsFastDot(ElementFormat element) {
        SplittableRandom random = new SplittableRandom(element.name().hashCode() * 23L);
        for (int blockSize : new int[] {32, 16}) {
            int blocks = 2 * random.nextInt(1, 9);
            int n = blocks * blockSize;
            int rows = 37;
            int codeStride = DotLanes.codeBytes(element, n) + 5;
            int scaleStride = blocks + 2;
            byte[] codes = new byte[3 + rows * codeStride];
            for (int i = 0; i < codes.length; i++) {
                int c = random.nextInt(DotLanes.nibbles(element) ? 256 : element.codeCount());
                codes[i] = (byte) (DotLanes.nibbles(element) || random.nextInt(50) == 0 || Double.isFinite(element.decode(c))
                        ? c : 0);
            }
            ElementFormat scale = blockSize == 16 ? ElementFormat.UE4M3 : ElementFormat.E8M0;
            byte[] scales = randomScales(random, scale, 1 + rows * scaleStride);
            float[] x = new float[n + 4];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            for (Kernels.XForm form : Kernels.XForm.values()) {
                float[] xs = new float[n + 4];
                if (form == Kernels.XForm.SPLIT && blockSize != 32
                        || !Kernels.prepareX(form, element, x, 4, n, xs, 4)) {
                    continue;
                }
                for (Kernels k : everyKernel()) {
                    double[] sums = new double[rows + 2];
                    k.dotFastRows(element, codes, 3, codeStride, scale, scales, 1, scaleStride, blockSize, blocks, xs, 4,
                            form, rows, sums, 2);
                    for (int r = 0; r < rows; r++) {
                        double want = Kernels.scalar().dotFast(element, codes, 3 + r * codeStride, scale, scales,
                                1 + r * scaleStride, blockSize, blocks, x, 4);
                        assertSameSum(sums[2 + r], want, element + " k=" + blockSize + " " + form + " on " + k.name()
                                + ", row " + r);
                    }
                }
            }
        }
    }

    /**
     * At 256 bits the vector kernels prefer split x for e2m1 and scaled x for the 8-bit float
     * formats, and those loops take ordinary blocks (rather than handing them on); at 16 lanes,
     * on the scalar kernels and for int8 (whose lane scale is 1) nothing but x itself.
     */
    @Test
    void preferredFormsAt256BitsAndTheirLoopsRun() {
        VectorKernels vector = (VectorKernels) vector();
        boolean narrow = VectorKernels.NARROW_DOT_LANES && !VectorKernels.DOT_LANES;
        Kernels.XForm natural = Kernels.XForm.NATURAL;
        assertThat(vector.preferredXForm(ElementFormat.E2M1, 32)).as(vector.name())
                .isEqualTo(narrow ? Kernels.XForm.SPLIT : natural);
        assertThat(vector.preferredXForm(ElementFormat.E2M1, 16)).as("blocks of 16 (NVFP4)").isEqualTo(natural);
        assertThat(vector.preferredXForm(ElementFormat.E4M3, 32)).isEqualTo(narrow ? Kernels.XForm.SCALED : natural);
        assertThat(vector.preferredXForm(ElementFormat.E5M2, 32)).isEqualTo(narrow ? Kernels.XForm.SCALED : natural);
        assertThat(vector.preferredXForm(ElementFormat.INT8, 32)).isEqualTo(natural);
        for (ElementFormat element : laneFormats()) {
            assertThat(Kernels.scalar().preferredXForm(element, 32)).isEqualTo(natural);
        }
        if (!narrow) {
            return;
        }
        SplittableRandom random = new SplittableRandom(55);
        int blocks = 37;
        byte[] scales = new byte[blocks];
        float[] x = new float[blocks * 32];
        for (int b = 0; b < blocks; b++) {
            scales[b] = (byte) random.nextInt(115, 140);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (ElementFormat element : List.of(ElementFormat.E2M1, ElementFormat.E4M3)) {
            byte[] codes = new byte[DotLanes.codeBytes(element, x.length)];
            for (int i = 0; i < codes.length; i++) {
                int c = random.nextInt(DotLanes.nibbles(element) ? 256 : element.codeCount());
                codes[i] = (byte) (DotLanes.nibbles(element) || Double.isFinite(element.decode(c)) ? c : 0);
            }
            Kernels.XForm form = vector.preferredXForm(element, 32);
            float[] xs = new float[x.length];
            assertThat(Kernels.prepareX(form, element, x, 0, x.length, xs, 0)).isTrue();
            double v = vector.vectorDotFastPrepared(element, form, codes, 0, ElementFormat.E8M0, scales, 0, blocks, xs, 0);
            assertThat(v).as("%s %s", element, form).isNotNaN();
            assertThat(Double.doubleToRawLongBits(v)).as("%s %s", element, form).isEqualTo(Double.doubleToRawLongBits(
                    Kernels.scalar().dotFast(element, codes, 0, ElementFormat.E8M0, scales, 0, 32, blocks, x, 0)));
        }
    }

    /**
     * FAST dots whose every product is a zero, of either sign (zero codes, or zero x): the sum is
     * a zero whose sign the lane order decides, -0 only if every term is -0 (docs/dot.md). Every
     * kernel, on x in every form, gives the scalar kernel's bits (the e2m1 vector loops look
     * nibbles up in a byte table, which holds +0 for the -0 code), and all -0 codes times positive
     * x give -0.
     */
    @ParameterizedTest
    @MethodSource("laneFormats")
    void fastDotOfZeroProductsKeepsTheLaneOrdersSign(ElementFormat element) {
        int[] zeroCodes = java.util.stream.IntStream.range(0, element.codeCount())
                .filter(c -> element.decode(c) == 0).toArray();
        SplittableRandom random = new SplittableRandom(element.name().hashCode() * 17L);
        List<Kernels> kernels = everyKernel();
        for (int trial = 0; trial < 120; trial++) {
            int blocks = random.nextInt(1, 12);
            int n = blocks * 32;
            int[] c = new int[n];
            float[] x = new float[n + 2];
            int style = trial % 4;   // 0: all -0 codes (where the format has -0), x > 0; else random zeros
            for (int i = 0; i < n; i++) {
                x[2 + i] = (float) (random.nextDouble(0.5, 2) * (style == 0 || random.nextBoolean() ? 1 : -1));
                if (style == 3 && random.nextInt(3) == 0) {
                    // a non-zero code times a zero x
                    int code;
                    do {
                        code = random.nextInt(element.codeCount());
                    } while (!Double.isFinite(element.decode(code)));
                    c[i] = code;
                    x[2 + i] = random.nextBoolean() ? 0.0f : -0.0f;
                } else {
                    c[i] = style == 0 ? zeroCodes[zeroCodes.length - 1] : zeroCodes[random.nextInt(zeroCodes.length)];
                }
            }
            byte[] codes = new byte[DotLanes.codeBytes(element, n) + 1];
            for (int i = 0; i < n; i++) {
                if (DotLanes.nibbles(element)) {
                    codes[1 + i / 2] |= (byte) (c[i] << (i % 2 * 4));
                } else {
                    codes[1 + i] = (byte) c[i];
                }
            }
            ElementFormat scale = trial % 2 == 1 ? ElementFormat.UE4M3 : ElementFormat.E8M0;
            byte[] scales = randomScales(random, scale, blocks);
            double want = Kernels.scalar().dotFast(element, codes, 1, scale, scales, 0, 32, blocks, x, 2);
            assertThat(want).as("%s trial %d", element, trial).isZero();
            if (style == 0 && element.decode(zeroCodes[zeroCodes.length - 1]) == 0 && zeroCodes.length == 2) {
                assertThat(Double.doubleToRawLongBits(want)).as("all -0 codes: -0").isEqualTo(Double.doubleToRawLongBits(-0.0));
            }
            for (Kernels k : kernels) {
                assertThat(Double.doubleToRawLongBits(k.dotFast(element, codes, 1, scale, scales, 0, 32, blocks, x, 2)))
                        .as("%s on %s, trial %d", element, k.name(), trial).isEqualTo(Double.doubleToRawLongBits(want));
                for (Kernels.XForm form : Kernels.XForm.values()) {
                    float[] xs = new float[n];
                    assertThat(Kernels.prepareX(form, element, x, 2, n, xs, 0)).isTrue();
                    assertThat(Double.doubleToRawLongBits(
                            k.dotFastPrepared(element, form, codes, 1, scale, scales, 0, 32, blocks, xs, 0)))
                            .as("%s %s on %s, trial %d", element, form, k.name(), trial)
                            .isEqualTo(Double.doubleToRawLongBits(want));
                }
            }
        }
    }

    /**
     * FAST dots at the edges of float: x from subnormals to near the float maximum, infinities,
     * NaNs and signed zeros among them, and scales from the smallest to the largest finite code,
     * so that lane products and sums underflow, overflow to infinity and meet inf - inf. Every
     * kernel, on x in every form, gives the scalar kernel's bits (all NaNs count as one).
     */
    @ParameterizedTest
    @MethodSource("laneFormats")
    void fastDotAgreesBitForBitAtTheEdgesOfFloat(ElementFormat element) {
        SplittableRandom random = new SplittableRandom(element.name().hashCode() * 19L);
        List<Kernels> kernels = everyKernel();
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 0x1p-140f, Float.MAX_VALUE,
            -Float.MAX_VALUE, 0x1p100f, -0x1.8p110f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (int trial = 0; trial < 200; trial++) {
            int blocks = random.nextInt(1, 6);
            int n = blocks * 32;
            byte[] codes = new byte[DotLanes.codeBytes(element, n)];
            for (int i = 0; i < codes.length; i++) {
                int c = random.nextInt(DotLanes.nibbles(element) ? 256 : element.codeCount());
                codes[i] = (byte) (DotLanes.nibbles(element) || Double.isFinite(element.decode(c)) ? c : 0);
            }
            ElementFormat scale = trial % 2 == 0 ? ElementFormat.E8M0 : ElementFormat.UE4M3;
            byte[] scales = new byte[blocks];
            for (int b = 0; b < blocks; b++) {
                int pick = random.nextInt(4);
                scales[b] = (byte) (scale == ElementFormat.E8M0 ? (pick == 0 ? 0 : pick == 1 ? 254 : random.nextInt(100, 160))
                        : (pick == 0 ? 0 : pick == 1 ? 0x7e : random.nextInt(0, 0x7f)));
            }
            float[] x = new float[n];
            int edgeRate = 1 + trial % 8;   // from every element an edge value to one in eight
            // Odd trials stay below 2^room in magnitude, where x times the format's scale is exact.
            int room = Math.min(128, 127 - Math.getExponent(Kernels.xScale(element)));
            int top = trial % 2 == 1 ? room : 128;
            for (int i = 0; i < n; i++) {
                float edge = edges[random.nextInt(trial % 5 == 0 ? edges.length : edges.length - 3)];
                boolean fits = Math.abs(edge) < Math.scalb(1f, top) || Float.isInfinite(edge) || top == 128;
                x[i] = random.nextInt(edgeRate) == 0 && (trial % 3 != 0 || random.nextInt(4) != 0) && fits
                        ? edge
                        : (float) (Math.max(-2, Math.min(2, random.nextGaussian()))
                        * Math.scalb(1.0, random.nextInt(-140, top - 1)));
            }
            double want = Kernels.scalar().dotFast(element, codes, 0, scale, scales, 0, 32, blocks, x, 0);
            for (Kernels.XForm form : Kernels.XForm.values()) {
                float[] xs = new float[n];
                if (!Kernels.prepareX(form, element, x, 0, n, xs, 0)) {
                    assertThat(form).as("%s trial %d: only scaling declines", element, trial).isEqualTo(Kernels.XForm.SCALED);
                    assertThat(top).as("declined only with x beyond 2^room").isEqualTo(128);
                    continue;
                }
                for (Kernels k : kernels) {
                    assertSameSum(k.dotFastPrepared(element, form, codes, 0, scale, scales, 0, 32, blocks, xs, 0), want,
                            element + " " + form + " on " + k.name() + ", trial " + trial);
                }
            }
        }
    }

    /** Finite scale codes: UE4M3 below its NaN code, E8M0 from 2^-27 to 2^22. */
    private static byte[] randomScales(SplittableRandom random, ElementFormat scale, int count) {
        byte[] scales = new byte[count];
        for (int b = 0; b < count; b++) {
            scales[b] = (byte) (scale == ElementFormat.UE4M3 ? random.nextInt(0, 0x7f) : random.nextInt(100, 150));
        }
        return scales;
    }

    static List<ElementFormat> laneFormats() {
        return List.of(ElementFormat.E4M3, ElementFormat.E5M2, ElementFormat.E2M1, ElementFormat.INT8,
                ElementFormat.E3M2, ElementFormat.E2M3, ElementFormat.E3M4);
    }

    @Test
    void fastDotOfANaNCodeOrScaleIsNaN() {
        Kernels vector = vector();
        byte[] codes = new byte[32];
        codes[7] = 0x7f;   // e4m3 NaN
        float[] x = new float[32];
        java.util.Arrays.fill(x, 1f);
        byte[] scales = {127};
        for (Kernels k : new Kernels[] {vector, Kernels.scalar()}) {
            assertThat(k.dotFast(ElementFormat.E4M3, codes, 0, ElementFormat.E8M0, scales, 0, 32, 1, x, 0)).isNaN();
            assertThat(k.dotFast(ElementFormat.E4M3, new byte[32], 0, ElementFormat.E8M0, new byte[] {(byte) 0xff}, 0,
                    32, 1, x, 0)).isNaN();
        }
    }

    @ParameterizedTest
    @MethodSource("formatPairs")
    void blockProductSumsAreExactPerBlock(ElementFormat a, ElementFormat b) {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(a.name().hashCode() * 17L + b.name().hashCode());
        for (int blockSize : new int[] {32, 64, 16, 20}) {
            int blocks = 9;
            byte[] ca = new byte[blocks * blockSize + 1];
            byte[] cb = new byte[blocks * blockSize + 2];
            for (int i = 0; i < ca.length; i++) {
                ca[i] = (byte) random.nextInt(a.codeCount());
            }
            for (int i = 0; i < cb.length; i++) {
                cb[i] = (byte) random.nextInt(b.codeCount());
            }
            if (a.signEncoding() == org.mxformats.format.SignEncoding.TWOS_COMPLEMENT) {
                Arrays.fill(ca, 1, 1 + blockSize, (byte) -128);   // the extreme block
                Arrays.fill(cb, 2, 2 + blockSize, (byte) -128);
            }
            double[] s = new double[blocks];
            double[] v = new double[blocks];
            Kernels.scalar().blockProductSums(a, ca, 1, b, cb, 2, blockSize, blocks, s);
            vector.blockProductSums(a, ca, 1, b, cb, 2, blockSize, blocks, v);
            for (int j = 0; j < blocks; j++) {
                assertThat(Double.doubleToRawLongBits(v[j])).as("%s x %s k=%d block %d", a, b, blockSize, j)
                        .isEqualTo(Double.doubleToRawLongBits(s[j]));
                BigDecimal exact = BigDecimal.ZERO;
                boolean special = false;
                for (int i = j * blockSize; i < (j + 1) * blockSize; i++) {
                    double x = a.decode(ca[1 + i] & 0xff);
                    double y = b.decode(cb[2 + i] & 0xff);
                    special |= !Double.isFinite(x) || !Double.isFinite(y);
                    if (!special) {
                        exact = exact.add(new BigDecimal(x).multiply(new BigDecimal(y)));
                    }
                }
                if (special) {
                    assertThat(Double.isFinite(s[j])).isFalse();
                } else if (Kernels.exactProductSumBits(a, b, blockSize) <= 53) {
                    assertThat(new BigDecimal(s[j]).compareTo(exact)).isZero();
                }
            }
        }
    }

    /**
     * NVFP4 x NVFP4 block sums (e2m1 in blocks of 16, the 16-bit lane loop): the extreme blocks
     * (every product +-36, the largest sum), all-zero blocks of +0 and -0 codes (the sum is +0),
     * codes with bits above the nibble set (ignored, as the scalar kernel ignores them), random
     * blocks at odd offsets; each sum the scalar kernel's bits and the exact value.
     */
    @Test
    void e2m1BlocksOfSixteenSumExactlyInShortLanes() {
        Kernels vector = vector();
        ElementFormat e2m1 = ElementFormat.E2M1;
        SplittableRandom random = new SplittableRandom(1616);
        int blocks = 70;
        byte[] ca = new byte[blocks * 16 + 3];
        byte[] cb = new byte[blocks * 16 + 1];
        for (int j = 0; j < blocks; j++) {
            for (int i = 0; i < 16; i++) {
                int a;
                int b;
                switch (j % 7) {
                    case 0: a = 0x7; b = 0x7; break;                        // 6 x 6
                    case 1: a = 0xf; b = 0x7; break;                        // -6 x 6
                    case 2: a = random.nextBoolean() ? 0x8 : 0x0; b = 0x8; break;   // zeros of both signs
                    case 3: a = random.nextInt(256); b = random.nextInt(256); break;   // high bits set
                    default: a = random.nextInt(16); b = random.nextInt(16); break;
                }
                ca[3 + j * 16 + i] = (byte) a;
                cb[1 + j * 16 + i] = (byte) b;
            }
        }
        double[] s = new double[blocks];
        double[] v = new double[blocks];
        Kernels.scalar().blockProductSums(e2m1, ca, 3, e2m1, cb, 1, 16, blocks, s);
        vector.blockProductSums(e2m1, ca, 3, e2m1, cb, 1, 16, blocks, v);
        for (int j = 0; j < blocks; j++) {
            double exact = 0;   // small integers and halves: exact in double
            for (int i = 0; i < 16; i++) {
                exact += e2m1.decode(ca[3 + j * 16 + i] & 0xf) * e2m1.decode(cb[1 + j * 16 + i] & 0xf);
            }
            assertThat(Double.doubleToRawLongBits(v[j])).as("block %d", j).isEqualTo(Double.doubleToRawLongBits(s[j]));
            assertThat(v[j]).as("block %d", j).isEqualTo(exact);
        }
        assertThat(v[0]).isEqualTo(576.0);
        assertThat(v[1]).isEqualTo(-576.0);
        assertThat(Double.doubleToRawLongBits(v[2])).as("+0").isZero();
    }

    /**
     * UE8M0 scale exponent sums, vector and scalar, against sums worked out here: every count from
     * 1 to 40 and 130, odd offsets, the extreme codes 0 and 254, and a NaN code (255) placed at
     * every position class (vector body and tail).
     */
    @Test
    void e8m0ExponentSumsMatchTheirDefinition() {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(43);
        int[] counts = new int[41];
        for (int c = 1; c <= 40; c++) {
            counts[c - 1] = c;
        }
        counts[40] = 130;
        for (int count : counts) {
            for (int nanAt = -1; nanAt < count; nanAt += Math.max(1, count / 5)) {
                byte[] sa = new byte[count + 3];
                byte[] sb = new byte[count + 1];
                for (int j = 0; j < sa.length; j++) {
                    sa[j] = (byte) random.nextInt(255);
                }
                for (int j = 0; j < sb.length; j++) {
                    sb[j] = (byte) random.nextInt(255);
                }
                sa[3] = 0;
                sb[1 + count - 1] = (byte) 254;
                if (nanAt >= 0) {
                    (nanAt % 2 == 0 ? sa : sb)[(nanAt % 2 == 0 ? 3 : 1) + nanAt] = (byte) 255;
                }
                int least = Integer.MAX_VALUE;
                int greatest = Integer.MIN_VALUE;
                int[] want = new int[count];
                for (int j = 0; j < count; j++) {
                    want[j] = (sa[3 + j] & 0xFF) - 127 + (sb[1 + j] & 0xFF) - 127;
                    least = Math.min(least, want[j]);
                    greatest = Math.max(greatest, want[j]);
                }
                long expected = nanAt >= 0 ? Kernels.NAN_SCALE : (long) least << 32 | (greatest & 0xFFFFFFFFL);
                for (Kernels k : new Kernels[] {Kernels.scalar(), vector}) {
                    int[] out = new int[count + 2];
                    assertThat(k.e8m0ExponentSums(sa, 3, sb, 1, count, out)).as(k.name() + " count=" + count + " nan@" + nanAt)
                            .isEqualTo(expected);
                    if (nanAt < 0) {
                        assertThat(Arrays.copyOf(out, count)).as(k.name() + " sums, count=" + count).isEqualTo(want);
                    }
                }
            }
        }
    }

    /**
     * UE8M0 scale values, vector and scalar, against {@code Math.scalb}: every code 0-254 at every
     * position class (vector body and tail: counts 0 to 40 and 300, an odd offset), shifts at both
     * ends of the range and between, a NaN code (255) anywhere, entries outside the range untouched,
     * and a shift out of range refused.
     */
    @Test
    void e8m0ValuesArePowersOfTwoBuiltFromTheirCodes() {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(47);
        int[] counts = new int[42];
        for (int c = 0; c <= 40; c++) {
            counts[c] = c;
        }
        counts[41] = 300;
        for (int count : counts) {
            for (int shift : new int[] {0, -1, 6, -800, 800, random.nextInt(-800, 801)}) {
                for (int nanAt = -1; nanAt < count; nanAt += Math.max(1, count / 4)) {
                    byte[] codes = new byte[count + 5];
                    for (int j = 0; j < codes.length; j++) {
                        codes[j] = (byte) (j < 255 ? (j * 7 + count) % 255 : random.nextInt(255));   // every code 0-254
                    }
                    if (nanAt >= 0) {
                        codes[3 + nanAt] = (byte) 255;
                    }
                    for (Kernels k : new Kernels[] {Kernels.scalar(), vector}) {
                        double[] out = new double[count + 4];
                        Arrays.fill(out, -7.0);
                        String what = k.name() + " count=" + count + " shift=" + shift + " nan@" + nanAt;
                        assertThat(k.e8m0Values(codes, 3, count, shift, out, 2)).as(what).isEqualTo(nanAt < 0);
                        assertThat(new double[] {out[0], out[1], out[count + 2], out[count + 3]}).as(what + " outside")
                                .containsOnly(-7.0);
                        for (int j = 0; j < count && nanAt < 0; j++) {
                            double want = Math.scalb(1.0, (codes[3 + j] & 0xFF) - 127 + shift);
                            assertThat(Double.doubleToRawLongBits(out[2 + j])).as(what + " j=" + j)
                                    .isEqualTo(Double.doubleToRawLongBits(want));
                        }
                    }
                }
            }
        }
        for (Kernels k : new Kernels[] {Kernels.scalar(), vector}) {
            assertThatThrownBy(() -> k.e8m0Values(new byte[8], 0, 8, 801, new double[8], 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("801");
            assertThatThrownBy(() -> k.e8m0Values(new byte[8], 1, 8, 0, new double[8], 0))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    /** The integer units of the shifted product sums: each format's smallest subnormal (or integer weight). */
    @Test
    void integerUnitsAreTheFormatsLeastBits() {
        assertThat(Kernels.integerLsbExponent(ElementFormat.INT8)).isEqualTo(-6);     // values code * 2^-6
        assertThat(Kernels.integerLsbExponent(ElementFormat.E4M3)).isEqualTo(-9);     // min subnormal 2^-9
        assertThat(Kernels.integerLsbExponent(ElementFormat.E5M2)).isEqualTo(-16);    // 2^-16
        assertThat(Kernels.integerLsbExponent(ElementFormat.E2M1)).isEqualTo(-1);     // 0.5
        assertThat(Kernels.integerLsbExponent(ElementFormat.E3M4)).isEqualTo(-6);     // 2^(1 - 3 - 4)
    }

    /**
     * The shifted block product sums, vector and scalar, against a BigInteger oracle built from the
     * decoded values (exact BigDecimal products divided by the units checked above), taken modulo
     * 2^64 (the kernel's wrapping arithmetic): shifts up to 63 (so wrapping happens), blocks of the
     * largest codes, odd offsets, codes with stray high bits, block sizes the vector loop does and
     * does not take, and for every pair of formats whose products stay below 2^62 units.
     */
    @ParameterizedTest
    @MethodSource("shiftedProductPairs")
    void shiftedProductSumsMatchABigIntegerOracle(ElementFormat fa, ElementFormat fb) {
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(41);
        int unit = Kernels.integerLsbExponent(fa) + Kernels.integerLsbExponent(fb);
        for (int blockSize : new int[] {32, 64, 96, 16, 20}) {
            for (int blocks : new int[] {0, 1, 2, 7, 130}) {
                for (int maxShift : new int[] {0, 5, 40, 64}) {
                    byte[] a = finiteCodes(fa, blocks * blockSize + 3, random);
                    byte[] b = finiteCodes(fb, blocks * blockSize + 1, random);
                    if (blocks > 1) {
                        Arrays.fill(a, 3, 3 + blockSize, (byte) largestMagnitudeCode(fa, true));
                        Arrays.fill(b, 1, 1 + blockSize, (byte) largestMagnitudeCode(fb, random.nextBoolean()));
                    }
                    int[] shifts = new int[blocks + 2];
                    int base = random.nextInt(100) - 50;
                    java.math.BigInteger want = java.math.BigInteger.ZERO;
                    for (int j = 0; j < blocks; j++) {
                        shifts[j] = base + (maxShift == 0 ? 0 : random.nextInt(maxShift));
                        BigDecimal sum = BigDecimal.ZERO;
                        for (int i = 0; i < blockSize; i++) {
                            sum = sum.add(new BigDecimal(fa.decodeFloat(a[3 + j * blockSize + i] & (fa.codeCount() - 1)))
                                    .multiply(new BigDecimal(fb.decodeFloat(b[1 + j * blockSize + i] & (fb.codeCount() - 1)))));
                        }
                        java.math.BigInteger integer = (unit < 0 ? sum.multiply(BigDecimal.valueOf(2).pow(-unit))
                                : sum.divide(BigDecimal.valueOf(2).pow(unit))).toBigIntegerExact();
                        want = want.add(integer.shiftLeft(shifts[j] - base));
                    }
                    String what = fa + " x " + fb + " k=" + blockSize + " blocks=" + blocks + " shifts<" + maxShift;
                    assertShiftedSums(vector, fa, a, fb, b, blockSize, blocks, shifts, base, want.longValue(), what);
                    if (blocks > 0 && (fa.hasNaN() || fa.hasInfinity())) {
                        a[3 + random.nextInt(blocks * blockSize)] = (byte) specialCode(fa);
                        assertShiftedSums(vector, fa, a, fb, b, blockSize, blocks, shifts, base, Kernels.NOT_INTEGER,
                                "NaN/Inf " + what);
                    }
                }
            }
        }
    }

    /**
     * Both kernels on codes {@code a} from index 3 and {@code b} from index 1, one per byte, handed
     * to them as MX stores them (4-bit codes packed two per byte from byte 3 or 1).
     */
    private static void assertShiftedSums(Kernels vector, ElementFormat fa, byte[] a, ElementFormat fb, byte[] b,
                                          int blockSize, int blocks, int[] shifts, int base, long want, String what) {
        byte[] sa = stored(fa, a, 3);
        byte[] sb = stored(fb, b, 1);
        assertThat(Kernels.scalar().shiftedProductSum(fa, sa, 3, fb, sb, 1, blockSize, blocks, shifts, base))
                .as("scalar " + what).isEqualTo(want);
        assertThat(vector.shiftedProductSum(fa, sa, 3, fb, sb, 1, blockSize, blocks, shifts, base))
                .as("vector " + what).isEqualTo(want);
    }

    /** The codes from {@code start} as MX stores them: 4-bit codes two per byte, low nibble first, from byte {@code start}. */
    private static byte[] stored(ElementFormat f, byte[] codes, int start) {
        if (f.bits() != 4) {
            return codes;
        }
        byte[] packed = new byte[start + (codes.length - start + 1) / 2];
        for (int i = 0; start + i < codes.length; i++) {
            packed[start + i / 2] |= (byte) ((codes[start + i] & 0x0f) << (4 * (i & 1)));
        }
        return packed;
    }

    static List<org.junit.jupiter.params.provider.Arguments> shiftedProductPairs() {
        ElementFormat[] all = {ElementFormat.INT8, ElementFormat.E4M3, ElementFormat.E5M2, ElementFormat.E2M1,
                ElementFormat.E3M4, ElementFormat.E3M2, ElementFormat.E2M3};
        List<org.junit.jupiter.params.provider.Arguments> pairs = new java.util.ArrayList<>();
        for (ElementFormat fa : all) {
            for (ElementFormat fb : all) {
                // Products below 2^62 units (e5m2 x e5m2 reaches 2^63.6), sums of 96 below 2^63 before shifting.
                double top = (double) fa.maxFinite() * fb.maxFinite()
                        * Math.scalb(1.0, -(Kernels.integerLsbExponent(fa) + Kernels.integerLsbExponent(fb)));
                if (top * 96 < 0x1p62) {
                    pairs.add(org.junit.jupiter.params.provider.Arguments.of(fa, fb));
                }
            }
        }
        return pairs;
    }

    /** Random finite codes, with random bits above the format's width. */
    private static byte[] finiteCodes(ElementFormat f, int n, SplittableRandom random) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            int c;
            do {
                c = random.nextInt(f.codeCount());
            } while (!Float.isFinite(f.decodeFloat(c)));
            out[i] = (byte) (c | random.nextInt(256) & ~(f.codeCount() - 1));
        }
        return out;
    }

    /** The code of the largest finite magnitude, negative or positive (for int8 the most negative code). */
    private static int largestMagnitudeCode(ElementFormat f, boolean negative) {
        int best = 0;
        for (int c = 0; c < f.codeCount(); c++) {
            float v = f.decodeFloat(c);
            if (Float.isFinite(v) && (v < 0) == negative && Math.abs(v) >= Math.abs(f.decodeFloat(best))) {
                best = c;
            }
        }
        return best;
    }

    /** A NaN or infinity code. */
    private static int specialCode(ElementFormat f) {
        for (int c = f.codeCount() - 1; c >= 0; c--) {
            if (!Float.isFinite(f.decodeFloat(c))) {
                return c;
            }
        }
        throw new AssertionError(f + " has no special code");
    }

    /**
     * Blocks for the one-pass quantizer: block j is the format's boundary-dense inputs times 2^t
     * (t from a list running from below float's range to near its top), headed by max(F) * 2^t so
     * that the FLOOR scale is usually 2^t and the elements are the inputs themselves; plus blocks
     * of zeros, of float subnormals, and (every 7th) one holding a NaN or an infinity.
     */
    private static float[] floorBlocks(ElementFormat f, int blockSize, int blocks, SplittableRandom random) {
        float[] base = KernelsTest.inputsFor(f, random);
        float max = (float) f.maxFinite();
        int[] shifts = {-150, -140, -127, -126, -120, -30, -9, -3, -1, 0, 1, 2, 5, 40, 100, 118, 127 - f.emax()};
        float[] in = new float[3 + blocks * blockSize];
        for (int j = 0; j < blocks; j++) {
            int t = shifts[j % shifts.length];
            int at = 3 + j * blockSize;
            for (int i = 0; i < blockSize; i++) {
                float x = base[random.nextInt(base.length)];
                float v = i == 0 ? Math.scalb(max, t) : Math.scalb(x, t);
                in[at + i] = Float.isFinite(v) ? v : random.nextBoolean() ? 0f : -0f;
            }
            if (j % 11 == 5) {
                for (int i = 0; i < blockSize; i++) {
                    in[at + i] = random.nextBoolean() ? 0f : -0f;
                }
            } else if (j % 11 == 8) {
                for (int i = 0; i < blockSize; i++) {
                    in[at + i] = Float.intBitsToFloat(random.nextInt(0, 1 << 23) | (random.nextBoolean() ? 1 << 31 : 0));
                }
            }
            if (j % 7 == 3) {
                in[at + random.nextInt(blockSize)] = random.nextInt(3) == 0 ? Float.NaN
                        : random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            }
        }
        return in;
    }

    /**
     * Runs {@link Kernels#quantizeFloorBlocks} over every block, calling it again after each block
     * it stops at; returns which blocks it covered. Codes from byte 1, scale codes from byte 2.
     */
    private static boolean[] quantizeEveryBlock(Kernels kernels, ElementFormat f, Rounding r, float[] in, int blockSize,
                                                int blocks, byte[] codes, byte[] scales) {
        boolean[] covered = new boolean[blocks];
        int perByte = f.bits() == 4 ? 2 : 1;
        for (int b = 0; b < blocks; b++) {
            int done = kernels.quantizeFloorBlocks(f, ElementFormat.E8M0, r, in, 3 + b * blockSize, blockSize,
                    blocks - b, codes, 1 + b * blockSize / perByte, scales, 2 + b);
            for (int j = 0; j < done; j++) {
                covered[b + j] = true;
            }
            b += done;   // then the loop steps over the block where it stopped
        }
        return covered;
    }

    @ParameterizedTest
    @MethodSource("byteFormats")
    void quantizeFloorBlocksIsTheFloorScaleAndTheScaledEncoding(ElementFormat f) {
        SplittableRandom random = new SplittableRandom(f.name().hashCode() + 11L);
        for (int blockSize : new int[] {32, 16, 64, 48, 2}) {
            int blocks = 80;
            float[] in = floorBlocks(f, blockSize, blocks, random);
            for (Rounding r : new Rounding[] {Rounding.RNE, Rounding.RNA, Rounding.RTZ, Rounding.RUP, Rounding.RDN,
                    Rounding.ODD}) {
                int vectorBlocks = checkFloorBlocks(f, r, in, blockSize, blocks);
                // The vector kernel must take the common case, or the comparison is empty.
                if (vectorTakes(f, r, blockSize)) {
                    assertThat(vectorBlocks).as("%s k=%d: blocks the vector kernel took", f, blockSize)
                            .isGreaterThan(blocks * 3 / 4);
                }
            }
        }
    }

    /**
     * Runs of ordinary blocks (no zero, subnormal or special one), so that the vector kernel finds
     * whole batches of 16 blocks with nothing to set aside, at scales from the least to the
     * largest, then a zero block, a NaN and a last partial batch.
     */
    @ParameterizedTest
    @MethodSource("byteFormats")
    void quantizeFloorBlocksTakesRunsOfOrdinaryBlocks(ElementFormat f) {
        SplittableRandom random = new SplittableRandom(f.name().hashCode() + 13L);
        float[] base = KernelsTest.inputsFor(f, random);
        for (int blockSize : new int[] {32, 16, 64, 8, 24}) {
            int blocks = 16 * 9 + 5;
            float[] in = new float[3 + blocks * blockSize];
            for (int j = 0; j < blocks; j++) {
                // amax from 2^-126 (scale 2^(-126 - emax) or the least one) to float's largest binade
                int t = random.nextInt(-126, 128);
                int at = 3 + j * blockSize;
                for (int i = 0; i < blockSize; i++) {
                    float b = base[random.nextInt(base.length)];
                    float x = Float.isNaN(b) ? 0f : Math.scalb(Math.abs(b), t - f.emax());
                    float head = Math.scalb(1f + random.nextInt(1 << 23) / 0x1p23f, t);
                    float v = Math.min(i == j % blockSize ? head : x, head);
                    in[at + i] = random.nextBoolean() ? v : -v;
                }
            }
            Arrays.fill(in, 3 + 16 * 6 * blockSize + 7 * blockSize, 3 + 16 * 6 * blockSize + 8 * blockSize, 0f);
            in[3 + 16 * 8 * blockSize + 9 * blockSize + 1] = Float.NaN;
            int vectorBlocks = checkFloorBlocks(f, Rounding.RNE, in, blockSize, blocks);
            if (vectorTakes(f, Rounding.RNE, blockSize)) {
                // Every block but the NaN one, and (emax 0: MXINT8) those with scale 2^127, whose
                // factor 2^-127 is not a normal float.
                int huge = 0;
                for (int j = 0; j < blocks; j++) {
                    float amax = 0;
                    for (int i = 0; i < blockSize; i++) {
                        amax = Math.max(amax, Math.abs(in[3 + j * blockSize + i]));
                    }
                    huge += !Float.isNaN(amax) && Math.getExponent(amax) - f.emax() > 126 ? 1 : 0;
                }
                assertThat(vectorBlocks).as("%s k=%d: blocks the vector kernel took", f, blockSize)
                        .isEqualTo(blocks - 1 - huge);
            }
        }
    }

    private static boolean vectorTakes(ElementFormat f, Rounding r, int blockSize) {
        return r == Rounding.RNE && blockSize % KernelsTest.vectorLanes() == 0
                && (f == ElementFormat.E4M3 || f == ElementFormat.E5M2 || f == ElementFormat.E2M1 || f == ElementFormat.INT8);
    }

    /**
     * Quantizes {@code blocks} blocks of in (from index 3) with the scalar and the vector kernels
     * and checks both against the defining formula, and each other on every block the vector
     * kernel took; returns the number of those.
     */
    private int checkFloorBlocks(ElementFormat f, Rounding r, float[] in, int blockSize, int blocks) {
        boolean nibbles = f.bits() == 4;
        int codeBytes = 1 + blocks * blockSize / (nibbles ? 2 : 1);
        byte[] sc = new byte[codeBytes];
        byte[] vc = new byte[codeBytes];
        byte[] ss = new byte[2 + blocks];
        byte[] vs = new byte[2 + blocks];
        boolean[] scalarCovered = quantizeEveryBlock(Kernels.scalar(), f, r, in, blockSize, blocks, sc, ss);
        boolean[] vectorCovered = quantizeEveryBlock(vector(), f, r, in, blockSize, blocks, vc, vs);
        int vectorBlocks = 0;
        for (int j = 0; j < blocks; j++) {
            String where = String.format("%s %s k=%d block %d", f, r, blockSize, j);
            // The oracle: amax by value, the FLOOR exponent from Math.getExponent, then
            // each element's exactly scaled value encoded on its own.
            double amax = 0;
            boolean special = false;
            for (int i = 0; i < blockSize; i++) {
                float x = in[3 + j * blockSize + i];
                special |= !Float.isFinite(x);
                amax = Math.max(amax, Math.abs((double) x));
            }
            assertThat(scalarCovered[j]).as(where).isEqualTo(!special);
            if (special) {
                assertThat(vectorCovered[j]).as(where).isFalse();
                continue;
            }
            int e = amax == 0 ? -127 : Math.max(-127, Math.min(127, Math.getExponent(amax) - f.emax()));
            assertThat(ss[2 + j] & 0xff).as("scale of %s", where).isEqualTo(e + 127);
            for (int i = 0; i < blockSize; i++) {
                int element = j * blockSize + i;
                int expected = f.encode(Math.scalb((double) in[3 + element], -e), r, Overflow.SATURATE);
                int got = nibbles ? (sc[1 + element / 2] & 0xff) >> (element % 2 * 4) & 0xf : sc[1 + element] & 0xff;
                assertThat(got).as("element %d of %s", i, where).isEqualTo(expected);
            }
            if (vectorCovered[j]) {
                vectorBlocks++;
                assertThat(vs[2 + j]).as("scale of %s", where).isEqualTo(ss[2 + j]);
                int perByte = nibbles ? 2 : 1;
                for (int i = j * blockSize / perByte; i < (j + 1) * blockSize / perByte; i++) {
                    assertThat(vc[1 + i]).as("code byte %d of %s", i, where).isEqualTo(sc[1 + i]);
                }
            }
        }
        return vectorBlocks;
    }

    @ParameterizedTest
    @MethodSource("byteFormats")
    void decodeNibbleBlocksIsOneRoundedProductPerElement(ElementFormat f) {
        if (f.bits() != 4) {
            return;
        }
        Kernels vector = vector();
        SplittableRandom random = new SplittableRandom(f.name().hashCode() + 13L);
        float[] factorChoices = {1f, 0x1p-127f, 0x1p-140f, 0x1p100f, 0x1p127f, 3.75f, -0.5f, Float.NaN, 0f};
        for (int blockSize : new int[] {32, 64, 96, 16, 48, 80, 2, 7}) {
            for (int length : new int[] {0, 1, 31, 32, 33, 64, 95, 1000, 1024 + 17}) {
                byte[] packed = new byte[3 + (length + 1) / 2];
                random.nextBytes(packed);
                float[] factors = new float[1 + (length + blockSize - 1) / blockSize];
                for (int j = 0; j < factors.length; j++) {
                    factors[j] = factorChoices[random.nextInt(factorChoices.length)];
                }
                float[] a = new float[length + 2];
                float[] b = new float[length + 2];
                Kernels.scalar().decodeNibbleBlocks(f, packed, 3, length, blockSize, factors, 1, a, 2);
                vector.decodeNibbleBlocks(f, packed, 3, length, blockSize, factors, 1, b, 2);
                for (int i = 0; i < length; i++) {
                    int nibble = i % 2 == 0 ? packed[3 + i / 2] & 0xf : (packed[3 + i / 2] & 0xff) >> 4;
                    float expected = (float) ((double) f.decodeFloat(nibble) * factors[1 + i / blockSize]);
                    assertThat(Float.floatToRawIntBits(b[2 + i])).as("%s k=%d n=%d i=%d", f, blockSize, length, i)
                            .isEqualTo(Float.floatToRawIntBits(a[2 + i]));
                    assertThat(Float.floatToIntBits(a[2 + i])).as("%s k=%d i=%d", f, blockSize, i)
                            .isEqualTo(Float.floatToIntBits(expected));
                }
            }
        }
    }

    /** Higham's gamma(m) = m u / (1 - m u), rounded up a little so that it is a safe bound. */
    private static double gamma(int m, double u) {
        return m * u / (1 - m * u) * (1 + 0x1p-40);
    }
}
