package org.mxformats.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A named float32 tensor for {@link BlockSizeStudy}: seeded synthetic data (normal or Laplace with a
 * chosen standard deviation) or the contents of a raw little-endian float32 file. Immutable.
 *
 * <p>Synthetic tensors are reproducible: the same distribution, sigma, length and seed give the same
 * floats on every JDK and platform, because they are drawn from {@link SplittableRandom} (whose
 * algorithm is specified) and transformed with {@link StrictMath}.
 */
public final class StudyInput {
    /** The synthetic distributions. */
    public enum Distribution {
        /** Normal with mean 0 and standard deviation sigma (Box-Muller transform). */
        NORMAL,
        /** Laplace with mean 0 and standard deviation sigma, i.e. scale sigma / sqrt(2) (inverse CDF). */
        LAPLACE;

        /** The lower-case name used by the command line. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The distribution with this lower-case name.
         *
         * @throws IllegalArgumentException naming the value if it is neither {@code normal} nor {@code laplace}
         */
        public static Distribution byName(String name) {
            for (Distribution d : values()) {
                if (d.cliName().equals(name)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("unknown distribution '" + name + "' (expected normal or laplace)");
        }
    }

    private final String name;
    private final float[] values;

    private StudyInput(String name, float[] values) {
        this.name = name;
        this.values = values;
    }

    /**
     * A tensor of the given values (copied) under a display name.
     *
     * @throws IllegalArgumentException if the tensor is empty or holds NaN or infinity
     */
    public static StudyInput of(String name, float[] values) {
        Objects.requireNonNull(name, "name");
        return new StudyInput(name, checkFinite(name, values.clone()));
    }

    /**
     * {@code n} seeded draws from a distribution with mean 0 and standard deviation {@code sigma},
     * rounded to float32 (to nearest).
     *
     * @throws IllegalArgumentException if sigma is not positive and finite or n is not positive
     */
    public static StudyInput synthetic(Distribution distribution, double sigma, int n, long seed) {
        Objects.requireNonNull(distribution, "distribution");
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma must be positive and finite, got " + sigma);
        }
        if (n < 1) {
            throw new IllegalArgumentException("the tensor length n must be at least 1, got " + n);
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        if (distribution == Distribution.NORMAL) {
            for (int i = 0; i < n; i += 2) {
                // Box-Muller: two independent standard normals from two uniforms; 1 - u is in (0, 1]
                double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - random.nextDouble()));
                double angle = 2 * StrictMath.PI * random.nextDouble();
                v[i] = (float) (sigma * radius * StrictMath.cos(angle));
                if (i + 1 < n) {
                    v[i + 1] = (float) (sigma * radius * StrictMath.sin(angle));
                }
            }
        } else {
            double scale = sigma / StrictMath.sqrt(2);
            for (int i = 0; i < n; i++) {
                // inverse CDF: |x| = -b ln(1 - p) for p uniform in [0, 1), with a fair random sign
                double p = random.nextDouble();
                double magnitude = -scale * StrictMath.log1p(-p);
                v[i] = (float) (random.nextBoolean() ? magnitude : -magnitude);
            }
        }
        String label = String.format(Locale.ROOT, "%s(sigma=%s)", distribution.cliName(), shortNumber(sigma));
        return new StudyInput(label, checkFinite(label, v));
    }

    /**
     * The raw little-endian float32 values of a file, named by the file's name.
     *
     * @throws IllegalArgumentException if the file is empty, its size is not a multiple of 4, or it
     *         holds NaN or infinity
     * @throws IOException if the file cannot be read
     */
    public static StudyInput fromFile(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0 || bytes.length % 4 != 0) {
            throw new IllegalArgumentException("input file " + file + " has " + bytes.length
                    + " bytes; a raw little-endian float32 file needs a positive multiple of 4");
        }
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        Path fileName = file.getFileName();
        return new StudyInput(fileName == null ? file.toString() : fileName.toString(), checkFinite(file.toString(), v));
    }

    /** The display name, e.g. {@code normal(sigma=0.001)} or the file name. */
    public String name() {
        return name;
    }

    /** The element count. */
    public int length() {
        return values.length;
    }

    /** A copy of the values. */
    public float[] values() {
        return values.clone();
    }

    /** The values without copying, for the study's own read-only use. */
    float[] valuesShared() {
        return values;
    }

    @Override
    public String toString() {
        return name + " [" + values.length + " floats]";
    }

    /** The shortest decimal that reads back as {@code v}, plain down to 1e-6: 1, 0.003, 0.00001, 1E-7. */
    static String shortNumber(double v) {
        return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toString();
    }

    private static float[] checkFinite(String what, float[] v) {
        if (v.length == 0) {
            throw new IllegalArgumentException("tensor " + what + " is empty");
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("tensor " + what + " has a non-finite value " + v[i] + " at index " + i
                        + "; the study measures finite tensors only");
            }
        }
        return v;
    }
}
