package org.mxformats.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ElementFormatTest {

    /** Built-in formats plus user-defined and P3109 ones, so that nothing depends on a constant. */
    static Stream<ElementFormat> formats() {
        List<ElementFormat> all = new ArrayList<>(ElementFormat.builtIn());
        all.add(ElementFormat.builder("e5m3").exponentBits(5).mantissaBits(3).bias(15).ieeeSpecials().build());
        all.add(ElementFormat.builder("e1m6").exponentBits(1).mantissaBits(6).bias(0).build());
        all.add(ElementFormat.builder("bf16").exponentBits(8).mantissaBits(7).bias(127).ieeeSpecials().build());
        all.add(ElementFormat.builder("e5m10").exponentBits(5).mantissaBits(10).bias(15).ieeeSpecials().build());
        all.add(ElementFormat.p3109(8, 3, true, true));
        all.add(ElementFormat.p3109(8, 1, true, false));
        all.add(ElementFormat.p3109(8, 4, false, true));
        all.add(ElementFormat.p3109(6, 6, false, false));
        return all.stream();
    }

    private static final Rounding[] DETERMINISTIC = {Rounding.RNE, Rounding.RNA, Rounding.RTZ, Rounding.RUP,
            Rounding.RDN, Rounding.ODD};

    @Test
    void builtInParametersMatchTheContract() {
        assertThat(ElementFormat.E4M3.maxFinite()).isEqualTo(448.0);
        assertThat(ElementFormat.E5M2.maxFinite()).isEqualTo(57344.0);
        assertThat(ElementFormat.E3M2.maxFinite()).isEqualTo(28.0);
        assertThat(ElementFormat.E2M3.maxFinite()).isEqualTo(7.5);
        assertThat(ElementFormat.E2M1.maxFinite()).isEqualTo(6.0);
        assertThat(ElementFormat.INT8.maxFinite()).isEqualTo(127.0 / 64);
        assertThat(ElementFormat.E3M4.maxFinite()).isEqualTo(15.5);
        assertThat(ElementFormat.E8M0.maxFinite()).isEqualTo(Math.scalb(1.0, 127));
        assertThat(ElementFormat.UE4M3.maxFinite()).isEqualTo(448.0);
        assertThat(ElementFormat.UE5M3.maxFinite()).isEqualTo(114688.0);
        assertThat(ElementFormat.UE5M3.minSubnormal()).isEqualTo(Math.scalb(1.0, -17));
        // emax of the contract's floor rule
        assertThat(Stream.of(ElementFormat.E4M3, ElementFormat.E5M2, ElementFormat.E3M2, ElementFormat.E2M3,
                ElementFormat.E2M1, ElementFormat.INT8, ElementFormat.E3M4).map(ElementFormat::emax))
                .containsExactly(8, 15, 4, 2, 2, 0, 3);
        assertThat(ElementFormat.E8M0.decode(0)).isEqualTo(Math.scalb(1.0, -127));
        assertThat(ElementFormat.E8M0.decode(127)).isEqualTo(1.0);
        assertThat(ElementFormat.E8M0.isNaN(0xff)).isTrue();
        assertThat(ElementFormat.UE4M3.bits()).isEqualTo(7);
        assertThat(ElementFormat.UE4M3.isNaN(0x7f)).isTrue();
        assertThat(ElementFormat.INT8.decode(0x80)).isEqualTo(-2.0);
        assertThat(ElementFormat.INT8.decode(0x81)).isEqualTo(-127.0 / 64);
        assertThat(ElementFormat.E4M3.isNaN(0x7f)).isTrue();
        assertThat(ElementFormat.E4M3.isNaN(0xff)).isTrue();
        assertThat(ElementFormat.E5M2.isInfinite(0x7c)).isTrue();
        assertThat(ElementFormat.E5M2.isInfinite(0xfc)).isTrue();
        assertThat(ElementFormat.E3M4.decode(0x70)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Double.doubleToRawLongBits(ElementFormat.E2M1.decode(0x8))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void e2m1ValueTable() {
        double[] expected = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
        for (int c = 0; c < 8; c++) {
            assertThat(ElementFormat.E2M1.decode(c)).isEqualTo(expected[c]);
            assertThat(ElementFormat.E2M1.decode(c | 8)).isEqualTo(-expected[c]);
        }
    }

    @Test
    void p3109FormatsFollowTheInterimReport() {
        ElementFormat p3 = ElementFormat.p3109(8, 3, true, true);
        assertThat(p3.bias()).isEqualTo(16);
        assertThat(p3.maxFinite()).isEqualTo(49152.0);
        assertThat(p3.isNaN(0x80)).isTrue();
        assertThat(p3.decode(0x7f)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(p3.decode(0xff)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(p3.hasNegativeZero()).isFalse();
        ElementFormat p4 = ElementFormat.p3109(8, 4, true, true);
        assertThat(p4.maxFinite()).isEqualTo(224.0);
        ElementFormat p4f = ElementFormat.p3109(8, 4, true, false);
        assertThat(p4f.maxFinite()).isEqualTo(240.0);
        assertThat(p4f.hasInfinity()).isFalse();
        ElementFormat u4 = ElementFormat.p3109(8, 4, false, true);
        assertThat(u4.isNaN(0xff)).isTrue();
        assertThat(u4.decode(0xfe)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(u4.bias()).isEqualTo(16);
        assertThat(ElementFormat.byName("p3109_k8p3se")).isEqualTo(p3);
        // negative zero input gives +0, never the NaN code
        assertThat(p3.encode(-0.0, Rounding.RNE, Overflow.SATURATE)).isZero();
        assertThat(p3.encode(-1e-30, Rounding.RNE, Overflow.SATURATE)).isZero();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void everyCodeRoundTripsUnderEveryMode(ElementFormat f) {
        for (int code = 0; code < f.codeCount(); code++) {
            double v = f.decode(code);
            if (Double.isNaN(v)) {
                assertThat(f.encode(v, Rounding.RNE, Overflow.SATURATE)).satisfies(c -> assertThat(f.isNaN(c)).isTrue());
                continue;
            }
            int expected = code;
            if (f.signEncoding() == SignEncoding.TWOS_COMPLEMENT && code == f.codeCount() / 2) {
                expected = code + 1;   // -2^(bits-1) is never produced: symmetric saturation
            }
            for (Rounding r : DETERMINISTIC) {
                int got = f.encode(v, r, Overflow.SATURATE);
                if (Double.isInfinite(v)) {
                    assertThat(f.decode(got)).isEqualTo(Math.copySign(f.maxFinite(), v));
                    if (f.allowsNoSaturate()) {
                        assertThat(f.encode(v, r, Overflow.NO_SATURATE)).as("%s %s code %x", f, r, code).isEqualTo(code);
                    }
                } else {
                    assertThat(got).as("%s %s code %x value %s", f, r, code, v).isEqualTo(expected);
                    assertThat(f.encode((float) v, r, Overflow.SATURATE)).isEqualTo(expected);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void boundaryDenseInputsMatchTheReference(ElementFormat f) {
        ReferenceRounder ref = new ReferenceRounder(f);
        double[] mags = ref.magnitudes();
        List<Double> inputs = new ArrayList<>();
        for (int i = 0; i < mags.length; i++) {
            double next = i + 1 < mags.length ? mags[i + 1] : ref.beyond();
            double mid = (mags[i] + next) / 2;   // exact: both share a short significand grid
            for (double v : new double[]{mags[i], mid, next + (next - mags[i])}) {
                inputs.add(v);
                inputs.add(Math.nextUp(v));
                inputs.add(Math.nextDown(v));
                inputs.add((double) Math.nextUp((float) v));
                inputs.add((double) Math.nextDown((float) v));
            }
        }
        inputs.add(Double.MIN_VALUE);
        inputs.add(Double.MAX_VALUE);
        inputs.add(Double.POSITIVE_INFINITY);
        inputs.add(mags[1] / 4);
        inputs.add(Math.nextUp(mags[1] / 2));
        inputs.add(ref.beyond() * 1e10);
        for (double in : inputs) {
            for (double x : new double[]{in, -in}) {
                for (Rounding r : DETERMINISTIC) {
                    checkAgainstReference(f, ref, x, r, Overflow.SATURATE);
                    if (f.allowsNoSaturate()) {
                        checkAgainstReference(f, ref, x, r, Overflow.NO_SATURATE);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void millionRandomFloatsAndDoublesMatchTheReference(ElementFormat f) {
        ReferenceRounder ref = new ReferenceRounder(f);
        SplittableRandom rnd = new SplittableRandom(f.name().hashCode());
        double lo = Math.log(f.minSubnormal() / 8);
        double hi = Math.log(f.maxFinite() * 4);
        Overflow[] policies = f.allowsNoSaturate() ? Overflow.values() : new Overflow[]{Overflow.SATURATE};
        int count = f.bits() <= 8 ? 2_000_000 : 400_000;   // half floats, half doubles
        for (int i = 0; i < count; i++) {
            double d;
            switch (i & 3) {
                case 0: d = Math.exp(lo + (hi - lo) * rnd.nextDouble()); break;                 // log-uniform double
                case 1: d = (float) Math.exp(lo + (hi - lo) * rnd.nextDouble()); break;         // log-uniform float
                case 2: d = Float.intBitsToFloat(rnd.nextInt()); break;                          // any float
                default: d = Double.longBitsToDouble(rnd.nextLong()); break;                     // any double
            }
            if (Double.isNaN(d) && !f.hasNaN()) {
                continue;
            }
            if (rnd.nextBoolean()) {
                d = -d;
            }
            Rounding r = DETERMINISTIC[i % DETERMINISTIC.length];
            checkAgainstReference(f, ref, d, r, policies[(i >>> 3) % policies.length]);
        }
    }

    private static void checkAgainstReference(ElementFormat f, ReferenceRounder ref, double x, Rounding r, Overflow o) {
        int expected = ref.encode(x, r, o);
        int got = f.encode(x, r, o);
        if (expected < 0) {
            assertThat(f.isNaN(got)).as("%s %s %s: %s (%x) should give NaN, got %x", f, r, o, x,
                    Double.doubleToRawLongBits(x), got).isTrue();
        } else {
            assertThat(got).as("%s %s %s: %s (%x)", f, r, o, x, Double.doubleToRawLongBits(x)).isEqualTo(expected);
        }
    }

    @Test
    void specialValues() {
        ElementFormat e4 = ElementFormat.E4M3;
        assertThat(e4.encode(Float.POSITIVE_INFINITY, Rounding.RNE, Overflow.SATURATE)).isEqualTo(0x7e);
        assertThat(e4.encode(Float.NEGATIVE_INFINITY, Rounding.RNE, Overflow.SATURATE)).isEqualTo(0xfe);
        assertThat(e4.isNaN(e4.encode(Float.POSITIVE_INFINITY, Rounding.RNE, Overflow.NO_SATURATE))).isTrue();
        assertThat(e4.isNaN(e4.encode(480f, Rounding.RNE, Overflow.NO_SATURATE))).isTrue();
        assertThat(e4.encode(464f, Rounding.RNE, Overflow.NO_SATURATE)).isEqualTo(0x7e);   // tie to even 448
        assertThat(e4.isNaN(e4.encode(464f, Rounding.RNA, Overflow.NO_SATURATE))).isTrue();
        assertThat(e4.encode(1000f, Rounding.RTZ, Overflow.NO_SATURATE)).isEqualTo(0x7e);  // IEEE: rtz -> max
        assertThat(e4.encode(-1000f, Rounding.RUP, Overflow.NO_SATURATE)).isEqualTo(0xfe);
        assertThat(e4.isNaN(e4.encode(-1000f, Rounding.RDN, Overflow.NO_SATURATE))).isTrue();
        assertThat(e4.encode(Float.NaN, Rounding.RNE, Overflow.SATURATE)).satisfies(c -> assertThat(e4.isNaN(c)).isTrue());
        assertThat(e4.encode(-0.0f, Rounding.RNE, Overflow.SATURATE)).isEqualTo(0x80);
        assertThat(e4.encode(-1e-9f, Rounding.RNE, Overflow.SATURATE)).isEqualTo(0x80);
        assertThat(e4.encode(-1e-9f, Rounding.RDN, Overflow.SATURATE)).isEqualTo(0x81);
        ElementFormat e5 = ElementFormat.E5M2;
        assertThat(e5.encode(1e6f, Rounding.RNE, Overflow.NO_SATURATE)).isEqualTo(0x7c);
        assertThat(e5.encode(-1e6f, Rounding.RNE, Overflow.NO_SATURATE)).isEqualTo(0xfc);
        assertThat(e5.encode(1e6f, Rounding.RDN, Overflow.NO_SATURATE)).isEqualTo(0x7b);
        ElementFormat i8 = ElementFormat.INT8;
        assertThat(i8.encode(-5f, Rounding.RNE, Overflow.SATURATE)).isEqualTo(0x81);
        assertThat(i8.encode(-0.0f, Rounding.RNE, Overflow.SATURATE)).isZero();
        assertThat(i8.encode(-1f / 128, Rounding.RNE, Overflow.SATURATE)).isZero();  // tie to even 0
        assertThat(i8.encode(-3f / 128, Rounding.RNE, Overflow.SATURATE)).isEqualTo(0xfe);
        ElementFormat e8 = ElementFormat.E8M0;
        assertThat(e8.encode(0.0, Rounding.RNE, Overflow.SATURATE)).isZero();
        assertThat(e8.encode(1e-300, Rounding.RNE, Overflow.SATURATE)).isZero();
        assertThat(e8.encode(3.0, Rounding.RNE, Overflow.SATURATE)).isEqualTo(128);  // tie between 2 and 4 -> even code
        assertThat(e8.encode(3.0, Rounding.RNA, Overflow.SATURATE)).isEqualTo(129);
        assertThat(e8.encode(1e300, Rounding.RNE, Overflow.SATURATE)).isEqualTo(254);
        assertThat(e8.encode(-1.0, Rounding.RNE, Overflow.SATURATE)).isZero();
        assertThat(e8.isNaN(e8.encode(-1.0, Rounding.RNE, Overflow.NO_SATURATE))).isTrue();
    }

    @Test
    void badInputIsRejectedWithClearMessages() {
        assertThatThrownBy(() -> ElementFormat.E2M1.encode(Float.NaN, Rounding.RNE, Overflow.SATURATE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN").hasMessageContaining("e2m1");
        assertThatThrownBy(() -> ElementFormat.E3M2.encode(1f, Rounding.RNE, Overflow.NO_SATURATE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nosat").hasMessageContaining("e3m2");
        assertThatThrownBy(() -> ElementFormat.INT8.encode(1f, Rounding.RNE, Overflow.NO_SATURATE))
                .hasMessageContaining("int8");
        assertThatThrownBy(() -> ElementFormat.E2M1.decode(0x10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x10").hasMessageContaining("e2m1");
        assertThatThrownBy(() -> ElementFormat.UE4M3.decode(0x80)).hasMessageContaining("ue4m3");
        assertThatThrownBy(() -> ElementFormat.byName("e9m9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e9m9").hasMessageContaining("e4m3");
        assertThatThrownBy(() -> ElementFormat.E4M3.encode(1.0, Rounding.STOCHASTIC, Overflow.SATURATE))
                .hasMessageContaining("random");
        assertThatThrownBy(() -> ElementFormat.builder("huge").exponentBits(15).mantissaBits(0).bias(0).build())
                .hasMessageContaining("huge");
        assertThatThrownBy(() -> ElementFormat.builder("wide").exponentBits(9).mantissaBits(9).build())
                .hasMessageContaining("16 bits");
        byte[] out = new byte[4];
        float[] in = {1f, 2f, Float.NaN, 3f};
        assertThatThrownBy(() -> ElementFormat.E2M1.encode(in, 0, out, 0, 4, Rounding.RNE, Overflow.SATURATE))
                .hasMessageContaining("index 2");
        assertThat(out).containsOnly(0);   // nothing half-written
    }

    @Test
    void bulkConversionsMatchScalarOnes() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (ElementFormat f : ElementFormat.builtIn()) {
            float[] in = new float[1000];
            for (int i = 0; i < in.length; i++) {
                in[i] = (float) (rnd.nextGaussian() * f.maxFinite() / 3);
                if (!f.isSigned()) {
                    in[i] = Math.abs(in[i]);
                }
            }
            byte[] codes = new byte[in.length + 3];
            f.encode(in, 0, codes, 3, in.length, Rounding.RNE, Overflow.SATURATE);
            float[] back = new float[in.length];
            f.decode(codes, 3, back, 0, in.length);
            for (int i = 0; i < in.length; i++) {
                int c = f.encode(in[i], Rounding.RNE, Overflow.SATURATE);
                assertThat(codes[3 + i] & 0xff).isEqualTo(c);
                assertThat(back[i]).isEqualTo(f.decodeFloat(c));
            }
        }
    }

    @Test
    void stochasticRoundingIsReproducibleAndUnbiased() {
        ElementFormat f = ElementFormat.E2M1;
        // 2.3 lies between 2 and 3: P(up) = 0.3 exactly in the 32-bit fraction's resolution.
        float x = 2.3f;
        double frac = ((double) x - 2.0) / 1.0;
        int n = 400_000;
        float[] in = new float[n];
        java.util.Arrays.fill(in, x);
        byte[] a = new byte[n];
        byte[] b = new byte[n];
        f.encode(in, 0, a, 0, n, Rounding.STOCHASTIC, Overflow.SATURATE, new SplittableRandom(42));
        f.encode(in, 0, b, 0, n, Rounding.STOCHASTIC, Overflow.SATURATE, new SplittableRandom(42));
        assertThat(a).isEqualTo(b);
        long ups = 0;
        for (byte c : a) {
            assertThat(c).isIn((byte) 4, (byte) 5);
            ups += c == 5 ? 1 : 0;
        }
        // Binomial: sd = sqrt(n p (1-p)) ~ 290; allow 5 sd.
        double sd = Math.sqrt(n * frac * (1 - frac));
        assertThat((double) ups).isCloseTo(n * frac, org.assertj.core.data.Offset.offset(5 * sd));
        // mean of decoded values is unbiased for a negative subnormal-range value too
        float y = -0.37f;   // between -0.5 and 0 in e2m1
        SplittableRandom rng = new SplittableRandom(1);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += f.decode(f.encode(y, Rounding.STOCHASTIC, Overflow.SATURATE, rng.nextInt()));
        }
        double sd2 = 0.5 * Math.sqrt(n * 0.74 * 0.26);
        assertThat(sum).isCloseTo((double) y * n, org.assertj.core.data.Offset.offset(5 * sd2));
        // Exact values never move.
        assertThat(f.encode(3.0, Rounding.STOCHASTIC, Overflow.SATURATE, -1)).isEqualTo(5);
    }
}
