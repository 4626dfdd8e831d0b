package org.mxformats.block;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.mxformats.format.ElementFormat;

/**
 * How far a reconstructed tensor is from the original: the error measurements a user needs to
 * choose an MX format. Immutable and thread-safe.
 *
 * <p>All sums are computed in {@code double} with compensated (Neumaier) summation, so the reported
 * values do not depend on the order of a long tensor's terms beyond a few units in the last place.
 *
 * <h2>Definitions</h2>
 * For an original tensor {@code x} and its reconstruction {@code y} of {@code n} elements:
 * <ul>
 *   <li>{@link #mse()}: {@code sum (x_i - y_i)^2 / n};</li>
 *   <li>{@link #inputVariance()}: the population variance {@code sum (x_i - mean)^2 / n};</li>
 *   <li>{@link #relativeMse()}: MSE / variance of the input; 0 when both are 0, +Infinity when only
 *       the variance is 0;</li>
 *   <li>{@link #sqnrDb()}: {@code 10 log10(sum x_i^2 / sum (x_i - y_i)^2)}, +Infinity for an exact
 *       reconstruction, -Infinity for an all-zero input reconstructed with an error;</li>
 *   <li>{@link #maxAbsError()}: {@code max |x_i - y_i|};</li>
 *   <li>{@link #maxRelativeError()}: {@code max |x_i - y_i| / |x_i|}, where a zero input counts 0 if it
 *       was reconstructed as zero and +Infinity otherwise;</li>
 *   <li>{@link #flushedToZeroCount()}: elements with {@code x_i != 0} and {@code y_i == 0}.</li>
 * </ul>
 * The following need the MX format and the quantized data, so they are present only in reports made
 * by {@link #of(float[], int, MxArray)} or {@link #measure(MxFormat, float[])}
 * ({@link #format()} is then non-empty). With {@code X_b} the decoded scale of element i's block
 * times the per-tensor scale, {@code F} the element format and {@code S} the scale format:
 * <ul>
 *   <li>{@link #saturatedCount()}: elements with {@code X_b > 0} and
 *       {@code |x_i| / X_b > maxFinite(F) + step(F) / 2}, {@code step(F)} being the spacing of F's
 *       top binade (2 for e2m1, 32 for e4m3, 1/64 for int8): clamping to {@code maxFinite(F)} cost them
 *       more than rounding would have with a wider exponent range. A quotient just above
 *       {@code maxFinite(F)} is not counted: it would round to {@code maxFinite(F)} anyway;</li>
 *   <li>{@link #underflowedScaleBlockCount()}: blocks with a nonzero amax whose ideal scale
 *       {@code amax / (maxFinite(F) * tensorScale)} is below {@code S.minNormal()}: the scale the block
 *       got is subnormal, zero or clamped to S's least value, so it carries less than S's full
 *       precision;</li>
 *   <li>{@link #zeroScaleBlockCount()}: blocks with a nonzero amax whose decoded scale is 0, so every
 *       element of the block was flushed to zero.</li>
 * </ul>
 * Every share is the count divided by the element count (element counts) or the block count (block
 * counts).
 */
public final class ErrorReport {
    private final int length;
    private final double mse;
    private final double inputVariance;
    private final double inputMeanSquare;
    private final double maxAbsError;
    private final double maxRelativeError;
    private final int flushedToZero;
    private final MxFormat format;
    private final int blockCount;
    private final int saturated;
    private final int underflowedScaleBlocks;
    private final int zeroScaleBlocks;

    private ErrorReport(ErrorSums e, MxFormat format, int blockCount, int saturated, int underflowedScaleBlocks,
            int zeroScaleBlocks) {
        this.length = e.length;
        this.mse = e.mse;
        this.inputVariance = e.variance;
        this.inputMeanSquare = e.meanSquare;
        this.maxAbsError = e.maxAbs;
        this.maxRelativeError = e.maxRelative;
        this.flushedToZero = e.flushedToZero;
        this.format = format;
        this.blockCount = blockCount;
        this.saturated = saturated;
        this.underflowedScaleBlocks = underflowedScaleBlocks;
        this.zeroScaleBlocks = zeroScaleBlocks;
    }

    /**
     * The error of {@code reconstructed} against {@code original}, without the format-dependent counts.
     *
     * @throws IllegalArgumentException if the arrays are empty, differ in length, or hold NaN or infinity
     */
    public static ErrorReport of(float[] original, float[] reconstructed) {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(reconstructed, "reconstructed");
        if (original.length != reconstructed.length) {
            throw new IllegalArgumentException("original has " + original.length + " elements but reconstructed has "
                    + reconstructed.length);
        }
        return new ErrorReport(new ErrorSums(original, 0, reconstructed), null, 0, 0, 0, 0);
    }

    /**
     * Quantizes {@code data} to {@code format}, dequantizes it, and measures the error together with
     * the format-dependent counts.
     *
     * @throws IllegalArgumentException if the tensor is empty or holds NaN or infinity, or if the
     *         quantizer refuses the format or data
     */
    public static ErrorReport measure(MxFormat format, float[] data) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(data, "data");
        return of(data, 0, MxQuantizer.quantize(format, data, 0, data.length));
    }

    /**
     * The error of an MX array against the original values it was quantized from
     * ({@code original[offset .. offset + quantized.length())}), with the format-dependent counts.
     *
     * @throws IllegalArgumentException if the original is too short, or either side holds NaN or infinity
     */
    public static ErrorReport of(float[] original, int offset, MxArray quantized) {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(quantized, "quantized");
        int n = quantized.length();
        if (offset < 0 || offset > original.length - n) {
            throw new IllegalArgumentException("original has " + original.length + " elements; offset " + offset
                    + " leaves fewer than the MX array's " + n);
        }
        float[] reconstructed = new float[n];
        MxQuantizer.dequantize(quantized, reconstructed, 0);
        ErrorSums sums = new ErrorSums(original, offset, reconstructed);

        MxFormat f = quantized.format();
        double maxElement = f.element().maxFinite();
        double saturationBound = maxElement + topStep(f.element()) / 2;
        double tensorScale = quantized.tensorScale();
        // amax below this means the ideal scale amax / (max(F) * tensorScale) is below S's least normal;
        // the product is exact in double (a power of two, a few-bit maximum and a float)
        double underflowBound = f.scale().minNormal() * maxElement * tensorScale;
        int saturated = 0;
        int underflowed = 0;
        int zeroScale = 0;
        int start = 0;
        for (int b = 0; b < quantized.blockCount(); b++) {
            int len = quantized.blockLength(b);
            double scale = quantized.scaleValue(b);
            // exact, as above; a zero scale flushes its block, which is not saturation
            double limit = scale == 0 ? Double.POSITIVE_INFINITY : saturationBound * scale * tensorScale;
            double amax = 0;
            for (int i = start; i < start + len; i++) {
                double x = Math.abs(original[offset + i]);
                amax = Math.max(amax, x);
                if (x > limit) {
                    saturated++;
                }
            }
            if (amax > 0) {
                if (amax < underflowBound) {
                    underflowed++;
                }
                if (scale == 0) {
                    zeroScale++;
                }
            }
            start += len;
        }
        return new ErrorReport(sums, f, quantized.blockCount(), saturated, underflowed, zeroScale);
    }

    /** The element count n. */
    public int length() { return length; }

    /** Mean squared error. */
    public double mse() { return mse; }

    /** Population variance of the original. */
    public double inputVariance() { return inputVariance; }

    /** Mean of the squared original, the signal power of {@link #sqnrDb()}. */
    public double inputMeanSquare() { return inputMeanSquare; }

    /** MSE divided by the input's variance (0 when both are 0, +Infinity when only the variance is 0). */
    public double relativeMse() {
        if (mse == 0) {
            return 0;
        }
        return inputVariance == 0 ? Double.POSITIVE_INFINITY : mse / inputVariance;
    }

    /** Signal-to-quantization-noise ratio in decibels (+Infinity for an exact reconstruction). */
    public double sqnrDb() {
        if (mse == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return inputMeanSquare == 0 ? Double.NEGATIVE_INFINITY : 10 * Math.log10(inputMeanSquare / mse);
    }

    /** Largest absolute error. */
    public double maxAbsError() { return maxAbsError; }

    /** Largest relative error; a zero input counts 0 if reconstructed as zero, +Infinity otherwise. */
    public double maxRelativeError() { return maxRelativeError; }

    /** Nonzero elements reconstructed as zero. */
    public int flushedToZeroCount() { return flushedToZero; }

    /** {@link #flushedToZeroCount()} divided by the element count. */
    public double flushedToZeroShare() { return (double) flushedToZero / length; }

    /** The MX format measured, or empty for a report made from two float arrays. */
    public Optional<MxFormat> format() { return Optional.ofNullable(format); }

    /**
     * The block count of the measured MX array.
     *
     * @throws IllegalStateException if the report was made without a format
     */
    public int blockCount() {
        requireFormat("blockCount");
        return blockCount;
    }

    /**
     * Elements whose exact quotient lay more than half a top step beyond the element format's largest value.
     *
     * @throws IllegalStateException if the report was made without a format
     */
    public int saturatedCount() {
        requireFormat("saturatedCount");
        return saturated;
    }

    /** {@link #saturatedCount()} divided by the element count. */
    public double saturatedShare() { return (double) saturatedCount() / length; }

    /**
     * Nonzero blocks whose ideal scale is below the scale format's smallest normal value.
     *
     * @throws IllegalStateException if the report was made without a format
     */
    public int underflowedScaleBlockCount() {
        requireFormat("underflowedScaleBlockCount");
        return underflowedScaleBlocks;
    }

    /** {@link #underflowedScaleBlockCount()} divided by the block count. */
    public double underflowedScaleBlockShare() { return (double) underflowedScaleBlockCount() / blockCount; }

    /**
     * Nonzero blocks whose scale became zero, flushing the whole block.
     *
     * @throws IllegalStateException if the report was made without a format
     */
    public int zeroScaleBlockCount() {
        requireFormat("zeroScaleBlockCount");
        return zeroScaleBlocks;
    }

    /** {@link #zeroScaleBlockCount()} divided by the block count. */
    public double zeroScaleBlockShare() { return (double) zeroScaleBlockCount() / blockCount; }

    private void requireFormat(String what) {
        if (format == null) {
            throw new IllegalStateException(what + " needs the MX format: make the report with ErrorReport.measure "
                    + "or ErrorReport.of(original, offset, mxArray)");
        }
    }

    /** A one-line summary of every measurement. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "n=%d mse=%.6g relMse=%.6g sqnr=%.3fdB maxAbs=%.6g maxRel=%.6g flushed=%d",
                length, mse, relativeMse(), sqnrDb(), maxAbsError, maxRelativeError, flushedToZero));
        if (format != null) {
            s.append(String.format(Locale.ROOT, " saturated=%d blocks=%d underflowedScales=%d zeroScales=%d [%s]",
                    saturated, blockCount, underflowedScaleBlocks, zeroScaleBlocks, format));
        }
        return s.toString();
    }

    /** The element-wise sums, shared by every way of making a report. */
    private static final class ErrorSums {
        final int length;
        final double mse;
        final double variance;
        final double meanSquare;
        final double maxAbs;
        final double maxRelative;
        final int flushedToZero;

        ErrorSums(float[] original, int offset, float[] reconstructed) {
            int n = reconstructed.length;
            if (n == 0) {
                throw new IllegalArgumentException("cannot measure the error of an empty tensor");
            }
            // the originals first, so that a NaN is reported where it is, not where it spoilt a block
            for (int i = 0; i < n; i++) {
                requireFinite("original", i, original[offset + i]);
            }
            CompensatedSum sum = new CompensatedSum();
            CompensatedSum squares = new CompensatedSum();
            CompensatedSum errors = new CompensatedSum();
            double maxAbsSeen = 0;
            double maxRelativeSeen = 0;
            int flushed = 0;
            for (int i = 0; i < n; i++) {
                double x = original[offset + i];
                double y = reconstructed[i];
                requireFinite("reconstructed", i, reconstructed[i]);
                sum.add(x);
                squares.add(x * x); // exact: a float's square fits a double
                double d = Math.abs(x - y);
                errors.add(d * d);
                maxAbsSeen = Math.max(maxAbsSeen, d);
                double relative = x != 0 ? d / Math.abs(x) : (d == 0 ? 0 : Double.POSITIVE_INFINITY);
                maxRelativeSeen = Math.max(maxRelativeSeen, relative);
                if (x != 0 && y == 0) {
                    flushed++;
                }
            }
            double mean = sum.value() / n;
            CompensatedSum deviations = new CompensatedSum();
            for (int i = 0; i < n; i++) {
                double dev = original[offset + i] - mean;
                deviations.add(dev * dev);
            }
            this.length = n;
            this.mse = errors.value() / n;
            this.variance = deviations.value() / n;
            this.meanSquare = squares.value() / n;
            this.maxAbs = maxAbsSeen;
            this.maxRelative = maxRelativeSeen;
            this.flushedToZero = flushed;
        }
    }

    /** The spacing of the element format's values in the binade of its largest value. */
    static double topStep(ElementFormat element) {
        // formats without exponent bits (int8) are evenly spaced by their least value
        return element.exponentBits() == 0 ? element.minSubnormal()
                : Math.scalb(1.0, element.emax() - element.mantissaBits());
    }

    private static void requireFinite(String which, int i, float v) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(which + " element " + i + " is " + v
                    + ": the error report measures finite tensors only");
        }
    }

    /** Neumaier's compensated sum: keeps the low-order bits that plain addition of a large total drops. */
    private static final class CompensatedSum {
        private double total;
        private double compensation;

        void add(double v) {
            double t = total + v;
            if (Math.abs(total) >= Math.abs(v)) {
                compensation += (total - t) + v;
            } else {
                compensation += (v - t) + total;
            }
            total = t;
        }

        double value() {
            return total + compensation;
        }
    }
}
