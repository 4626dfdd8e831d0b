package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxformats.block.StudyInput.Distribution;

class StudyInputTest {
    private static final int N = 200_000;

    @Test
    void syntheticTensorsAreReproducibleAndSeedDependent() {
        float[] a = StudyInput.synthetic(Distribution.NORMAL, 0.5, 1001, 7).values();
        assertThat(StudyInput.synthetic(Distribution.NORMAL, 0.5, 1001, 7).values()).containsExactly(a);
        assertThat(StudyInput.synthetic(Distribution.NORMAL, 0.5, 1001, 8).values()).isNotEqualTo(a);
        assertThat(a).hasSize(1001);
        assertThat(StudyInput.synthetic(Distribution.LAPLACE, 0.5, 10, 7).values())
                .containsExactly(StudyInput.synthetic(Distribution.LAPLACE, 0.5, 10, 7).values());
        assertThat(StudyInput.synthetic(Distribution.NORMAL, 1e-3, 4, 1).name()).isEqualTo("normal(sigma=0.001)");
        assertThat(StudyInput.synthetic(Distribution.LAPLACE, 2, 4, 1).name()).isEqualTo("laplace(sigma=2)");
        assertThat(StudyInput.synthetic(Distribution.LAPLACE, 1e-5, 4, 1).name()).isEqualTo("laplace(sigma=0.00001)");
        assertThat(StudyInput.synthetic(Distribution.LAPLACE, 2.5e-7, 4, 1).name()).isEqualTo("laplace(sigma=2.5E-7)");
    }

    @Test
    void normalHasTheRequestedSigmaAndShape() {
        double sigma = 3e-3;
        float[] v = StudyInput.synthetic(Distribution.NORMAL, sigma, N, 11).values();
        Moments m = new Moments(v);
        assertThat(m.mean / sigma).isCloseTo(0, within(0.02));
        assertThat(m.std / sigma).isCloseTo(1, within(0.01));
        assertThat(m.kurtosis).isCloseTo(3, within(0.1));
        // P(|x| < sigma) = erf(1/sqrt 2) = 0.682689..., P(|x| < 2 sigma) = 0.954499...
        assertThat(m.shareWithin(sigma)).isCloseTo(0.682689, within(0.005));
        assertThat(m.shareWithin(2 * sigma)).isCloseTo(0.954500, within(0.003));
    }

    @Test
    void laplaceHasTheRequestedSigmaAndShape() {
        double sigma = 0.25;
        float[] v = StudyInput.synthetic(Distribution.LAPLACE, sigma, N, 12).values();
        Moments m = new Moments(v);
        assertThat(m.mean / sigma).isCloseTo(0, within(0.02));
        assertThat(m.std / sigma).isCloseTo(1, within(0.015));
        assertThat(m.kurtosis).isCloseTo(6, within(0.4));
        // P(|x| < b) = 1 - 1/e with b = sigma / sqrt 2
        double b = sigma / Math.sqrt(2);
        assertThat(m.shareWithin(b)).isCloseTo(1 - Math.exp(-1), within(0.005));
        assertThat(m.shareWithin(3 * b)).isCloseTo(1 - Math.exp(-3), within(0.003));
    }

    @Test
    void fileIsReadAsLittleEndianFloat32(@TempDir Path dir) throws Exception {
        float[] expected = {1.5f, -0f, 3e-40f, -65504f, Float.MIN_VALUE};
        byte[] bytes = new byte[expected.length * 4];
        for (int i = 0; i < expected.length; i++) {
            int bits = Float.floatToRawIntBits(expected[i]);
            for (int j = 0; j < 4; j++) {
                bytes[4 * i + j] = (byte) (bits >>> (8 * j));
            }
        }
        Path f = dir.resolve("weights.f32");
        Files.write(f, bytes);
        StudyInput in = StudyInput.fromFile(f);
        assertThat(in.name()).isEqualTo("weights.f32");
        float[] got = in.values();
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(got[i])).isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    @Test
    void badInputIsRefused(@TempDir Path dir) throws Exception {
        Path odd = dir.resolve("odd.f32");
        Files.write(odd, new byte[]{1, 2, 3, 4, 5, 6});
        assertThatThrownBy(() -> StudyInput.fromFile(odd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("odd.f32").hasMessageContaining("6 bytes");
        Path empty = dir.resolve("empty.f32");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> StudyInput.fromFile(empty)).isInstanceOf(IllegalArgumentException.class);
        Path nan = dir.resolve("nan.f32");
        Files.write(nan, new byte[]{0, 0, (byte) 0x80, 0x3f, 0, 0, (byte) 0xc0, 0x7f});
        assertThatThrownBy(() -> StudyInput.fromFile(nan)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 1");
        assertThatThrownBy(() -> StudyInput.synthetic(Distribution.NORMAL, 0, 10, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sigma");
        assertThatThrownBy(() -> StudyInput.synthetic(Distribution.NORMAL, Double.NaN, 10, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> StudyInput.synthetic(Distribution.LAPLACE, 1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> Distribution.byName("cauchy")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cauchy");
        assertThatThrownBy(() -> StudyInput.of("x", new float[]{Float.NEGATIVE_INFINITY}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static final class Moments {
        final float[] v;
        final double mean;
        final double std;
        final double kurtosis;

        Moments(float[] v) {
            this.v = v;
            double s = 0;
            for (float x : v) {
                s += x;
            }
            mean = s / v.length;
            double m2 = 0;
            double m4 = 0;
            for (float x : v) {
                double d = (x - mean) * (x - mean);
                m2 += d;
                m4 += d * d;
            }
            m2 /= v.length;
            m4 /= v.length;
            std = Math.sqrt(m2);
            kurtosis = m4 / (m2 * m2);
        }

        double shareWithin(double bound) {
            int c = 0;
            for (float x : v) {
                if (Math.abs(x) < bound) {
                    c++;
                }
            }
            return (double) c / v.length;
        }
    }
}
