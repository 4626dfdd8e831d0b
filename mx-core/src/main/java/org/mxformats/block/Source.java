package org.mxformats.block;

/**
 * A strided run of float or double inputs: element i is {@code array[offset + i * stride]}. Lets one
 * block loop serve float[] and double[] vectors, rows and columns alike.
 */
final class Source {
    private final float[] floats;
    private final double[] doubles;
    private final int offset;
    private final int stride;

    private Source(float[] floats, double[] doubles, int offset, int stride) {
        this.floats = floats;
        this.doubles = doubles;
        this.offset = offset;
        this.stride = stride;
    }

    static Source of(float[] a, int offset, int stride) {
        return new Source(a, null, offset, stride);
    }

    static Source of(double[] a, int offset, int stride) {
        return new Source(null, a, offset, stride);
    }

    /** Copies elements {@code start .. start + n - 1} into {@code buf[0..n)}. */
    void gather(int start, int n, double[] buf) {
        int p = offset + start * stride;
        if (floats != null) {
            for (int i = 0; i < n; i++, p += stride) {
                buf[i] = floats[p];
            }
        } else {
            for (int i = 0; i < n; i++, p += stride) {
                buf[i] = doubles[p];
            }
        }
    }

    /** The largest finite magnitude among the first {@code n} elements (0 if none). */
    double amaxFinite(int n) {
        double m = 0;
        int p = offset;
        for (int i = 0; i < n; i++, p += stride) {
            double a = Math.abs(floats != null ? floats[p] : doubles[p]);
            if (a <= Double.MAX_VALUE) {
                m = Math.max(m, a);
            }
        }
        return m;
    }
}
