package org.mxformats.bench;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The baselines every benchmark class measures beside the library, and its test data. */
final class Baselines {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Baselines() {
    }

    /**
     * The memory-stream bound: the sum of a float array with four independent vector accumulators,
     * so that for large arrays only memory bandwidth limits it.
     */
    static float streamSum(float[] a) {
        int step = F.length() * 4;
        int bound = a.length - a.length % step;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int i = 0; i < bound; i += step) {
            s0 = s0.add(FloatVector.fromArray(F, a, i));
            s1 = s1.add(FloatVector.fromArray(F, a, i + F.length()));
            s2 = s2.add(FloatVector.fromArray(F, a, i + 2 * F.length()));
            s3 = s3.add(FloatVector.fromArray(F, a, i + 3 * F.length()));
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < a.length; i++) {
            s += a[i];
        }
        return s;
    }

    /** float32 dot product with FloatVector fma and four accumulators. */
    static float vectorDot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int step = F.length() * 4;
        int bound = n - n % step;
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int w = F.length();
        for (int i = 0; i < bound; i += step) {
            s0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), s0);
            s1 = FloatVector.fromArray(F, a, aOffset + i + w).fma(FloatVector.fromArray(F, b, bOffset + i + w), s1);
            s2 = FloatVector.fromArray(F, a, aOffset + i + 2 * w).fma(FloatVector.fromArray(F, b, bOffset + i + 2 * w), s2);
            s3 = FloatVector.fromArray(F, a, aOffset + i + 3 * w).fma(FloatVector.fromArray(F, b, bOffset + i + 3 * w), s3);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < n; i++) {
            s = Math.fma(a[aOffset + i], b[bOffset + i], s);
        }
        return s;
    }

    /** The loop a user writes by hand. */
    static float scalarDot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Gaussian floats, fixed seed. */
    static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Uniform signed bytes, fixed seed. */
    static byte[] bytes(int n, long seed) {
        byte[] a = new byte[n];
        new SplittableRandom(seed).nextBytes(a);
        return a;
    }
}
