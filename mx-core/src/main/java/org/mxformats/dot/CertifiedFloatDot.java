package org.mxformats.dot;

import java.util.Arrays;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;
import org.mxformats.internal.MxArrayStorage;
import org.mxformats.simd.Kernels;

/**
 * The exact MX x float32 dot product rounded once to float, decided from a double approximation
 * with a proven error bound (Ziv's strategy): the approximation and its bound are computed in
 * double lanes ({@link Kernels#exactDotCodeLanes}); when every real number within the bound rounds to
 * the same float in the requested mode, that float is the correctly rounded exact result, else
 * the caller computes the exact sum ({@link FloatDotKernel#exact}). Stateless and thread-safe.
 *
 * <p><b>Error bound.</b> Let {@code u = 2^-53}, {@code gamma(m) = m u / (1 - m u)}, k the block
 * size, {@code m = k/8 - 1}, G the elements per group, {@code G/k} blocks per group in runs of at
 * most 128 ({@link Kernels#EXACT_DOT_RUN}), {@code r = min(G/k, 128)}, {@code rho} the runs per
 * group and {@code g = r + rho}. Every
 * product {@code p = P * x} of an element value (a float) and a float is exact in double; a block
 * scale X_j (at most 8 significant bits: a power of two, or UE4M3 and UE5M3 values) multiplies a
 * lane sum b inside one fma with the run's addition, so each term {@code X_j b} enters exactly with
 * one rounding ({@link #qualifies} keeps every value within 2^-1022 .. 2^1000, so nothing
 * underflows or overflows, and an addition that would underflow is exact). In lane L of block j the kernel sums the lane's {@code m + 1} products
 * recursively: by Higham's bound for recursive summation (Accuracy and Stability of Numerical
 * Algorithms, 2nd ed., (4.4)) the computed {@code b} differs from the exact lane sum by at most
 * {@code gamma(m) S} where {@code S = sum |p|}, hence {@code |b| <= (1 + gamma(m)) S}. A run's
 * lane sum starts at 0 and adds {@code X_j b} for its (at most r) blocks, and the group's lane sum
 * {@code H_L} adds its rho runs' sums one by one: error at most
 * {@code (gamma(r) + gamma(rho) (1 + gamma(r))) sum_j X_j |b| <= gamma(g) sum_j X_j |b|}, and
 * {@code |H_L| <= (1 + gamma(g)) sum_j X_j |b|}. The eight
 * {@code H_L} are folded pairwise into the group sum h (each takes part in 3 additions): error at
 * most {@code gamma(3) sum_L |H_L| <= gamma(7) sum_L |H_L|}, the term the bound keeps. The group sums are added by Knuth's TwoSum into {@code S} with
 * the exact errors {@code e_i} ({@code S_i + e_i = S_(i-1) + h_i}, {@code |e_i| <= u |S_i|} and
 * {@code |S_i| <= (1 + u)^i sum |h|}), and the {@code e_i} are summed recursively into C: with
 * fewer than {@code 2^20} groups (fewer than 2^31 elements, at least 2^12 per group),
 * {@code |C - sum e_i| <= gamma(2^20) 2^20 u (1 + 2^-30) sum |h| < 2^-60 sum |h|}.
 * With {@code A = sum X_j |p|} over all elements and {@code sum |h| <= (1 + 2^-30) A}, the pair
 * {@code S + C} differs from the exact result E by at most
 * {@code (gamma(m) + gamma(g) + gamma(7)) (1 + 2^-30) A + 2^-59 A <= ((m + g + 7) u (1 + 2^-17) + 2^-59) A}
 * (for {@code k <= 4096} and G as {@link #group} gives it, {@code m + g + 7 <= 521}).
 *
 * <p>A itself is not summed (that would cost an absolute value and an addition per product). In
 * each group, by Cauchy-Schwarz, {@code A_g = sum X_j |P_i| |x_i| <= sqrt(sum X_j^2 P_i^2) sqrt(Q_g)
 * <= sqrt(k M_g^2 T_g Q_g)}, where {@code M_g} bounds the group's element magnitudes (from the
 * largest {@link Kernels#magnitudeKey} the kernel read), {@code T_g = sum_j X_j^2} over the group's
 * blocks and {@code Q_g = sum x_i^2} over its elements. The kernels sum {@code Q_g} in double
 * ({@link Kernels#exactDotCodeLanes}) and {@code T_g} too: every square is exact (scales
 * have at most 8 significant bits, within 2^-300 .. 2^300, x a float, M has at most 24 significant bits) and every
 * term nonnegative, so each computed sum is at least {@code (1 - u)^D} times the exact one, D the
 * additions on its longest path (below 2^13 within a group, below 2^20 for the sum over groups).
 * The products and the square root lose a factor {@code (1 - u)} each at most. Nothing
 * underflows: a nonzero {@code T_g} is at least 2^-600, a nonzero {@code Q_g} at least 2^-298, and
 * a nonzero {@code k M_g^2} at least 2^-100 ({@link #qualifies}); a product that overflows makes the
 * bound infinite and the path does not decide. So the computed sum over the groups, Â,
 * satisfies {@code A <= (1 + 2^-30) Â}. With {@code c = ((m + g + 7) u (1 + 2^-17) + 2^-59)(1 + 2^-30)}
 * this gives {@code |E - (S + C)| <= c Â}. Â exceeds A by the ratio of
 * {@code M_g} to the typical element magnitude and the Cauchy-Schwarz slack (about 1.6 for
 * unrelated data, at most {@code sqrt(n)}); a looser bound only makes the path decide less often,
 * never wrongly. The approximation {@code s = fl(S + C)} is off by at most {@code u (1 + u) |s|};
 * {@link #decide} compares the sum of both errors with the distance from s to the nearest
 * rounding boundary, as squares (its comment has the proof).
 *
 * <p><b>Small-integer codes.</b> Packed codes of a 4-bit format whose values are small integers
 * times {@code 2^lsb} ({@link Kernels#smallIntegerTable}: e2m1, lsb = -1) are unpacked into those
 * integers and summed by MXINT8's lanes: element values {@code P' = P 2^-s} (MXINT8 values,
 * {@code s = lsb + 6}) and block scales {@code X' = X 2^s}, so every term {@code X' P' x} is the
 * same real number and the bound above holds word for word, with {@link #qualifies} checked for
 * MXINT8 and the moved scale range, and {@code M_g} from those integers' MXINT8 keys. Why: the
 * format's own decoding makes the e2m1 code 0.5 a float32 subnormal, whose widening to double
 * costs a microcode assist on some CPUs (AMD Zen3). The keys of two's complement integers are
 * {@code max(c, ~c)}, so a group whose largest magnitude is 0.5, 1 or 1.5 is bounded as if it held
 * the next negative value (at most twice as loose); quantized blocks, whose largest magnitude is
 * at least 4, are bounded exactly as before.
 *
 * <p><b>Tensor scale.</b> For an operand with tensor scale {@code t} (finite, not zero) the result
 * is {@code t E}: the sums and the bound are those of E, and {@link #decideTimes} decides {@code t E}
 * from {@code fl(t (S + C))} with the bound times {@code |t|} and one more rounding of its own.
 *
 * <p><b>Decision.</b> Every deterministic rounding is a monotonic function of the real argument,
 * so if every real within the error of the approximation lies strictly between two adjacent
 * rounding boundaries of the mode (the midpoints between floats for RNE and RNA, the floats
 * themselves for the others), E rounds as they all do: to the float between the midpoints for RNE
 * and RNA (no tie is possible), the lower float for RDN, the upper one for RUP, the one nearer
 * zero for RTZ, the one with an odd significand for ODD ({@link #decide}). Neighbourhoods that
 * contain a boundary, reach zero, the float subnormal range or beyond {@code Float.MAX_VALUE} are
 * not decided here; NaN and infinite values make the sum or the bound non-finite and are not
 * decided either, so the signed-zero, NaN and infinity rules stay with the exact path.
 */
final class CertifiedFloatDot {
    /**
     * Elements per group (whole blocks): the decoding scratch size, and g = GROUP / k in the bound.
     * Large enough to spread the per-group work (folding lanes, the bound's square roots) thin, small
     * enough that 4-bit codes unpacked into the scratch stay in the L1 cache while x streams past.
     */
    private static final int GROUP = 8192;
    /** Largest block size handled ({@code m + g + 7 <= 521} in the bound). */
    private static final int MAX_BLOCK = 4096;
    private static final int LANES = Kernels.EXACT_DOT_LANES;
    private static final MxArrayStorage STORAGE = MxArrayStorage.get();
    /** The answer when the path does not decide: NaN, never a decided result (those are finite, nonzero). */
    static final float UNDECIDED = Float.NaN;

    private CertifiedFloatDot() {
    }

    /** Per-thread scratch arrays, so that a call allocates no arrays. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final byte[] codes = new byte[GROUP];
        final double[] blockScales = new double[GROUP / LANES];
        final double[] lanes = new double[2 * LANES + 1];
        final float[] values = new float[GROUP];
        final double[] compensated = new double[3 * Kernels.COMPENSATED_LANES];
    }

    /** The formats last checked, reused while the same format instances come again (the common case). */
    private static volatile Plan lastPlan;

    /** What the certified path needs of one format, or {@code applies == false}. */
    private static final class Plan {
        final ElementFormat element;
        final ElementFormat scale;
        final int blockSize;
        final boolean applies;
        final double[] scaleValues;
        /**
         * By {@link Kernels#magnitudeKey}: the largest finite magnitude among the codes with that
         * key or a smaller one (the kernels report the largest key they read).
         */
        final double[] magnitudeBound;
        /**
         * For 4-bit formats of small integer values ({@link Kernels#smallIntegerTable}, e2m1): the
         * packed codes, unpacked into those integers, take MXINT8's lane kernel, each block scale
         * times {@link #integerScale}; false for other formats.
         */
        final boolean smallIntegers;
        /** {@code 2^(lsb(element) - lsb(INT8))}: an integer code's MXINT8 value times this is its value. */
        final double integerScale;
        /**
         * {@link #magnitudeBound} for those integers by their MXINT8 key, in MXINT8 values: from
         * this format's integers alone (not every byte), so that both decodings bound alike.
         */
        final double[] integerMagnitudeBound;
        /** UE8M0 scales: their values are built from their bits by {@link Kernels#e8m0Values}, not looked up. */
        final boolean e8m0Scales;
        /** Elements per group ({@link #group}). */
        final int group;
        /** {@code 1 / ((m + g + 8) 2^-52)}, rounded: the bound's sum over this bounds the error ({@link #decide}). */
        final double inverseFactor;

        Plan(ElementFormat element, ElementFormat scale, int blockSize) {
            this.e8m0Scales = scale.equals(ElementFormat.E8M0);
            this.group = group(blockSize);
            int blocksPerGroup = group / blockSize;
            int run = Math.min(blocksPerGroup, Kernels.EXACT_DOT_RUN);
            int runs = (blocksPerGroup + Kernels.EXACT_DOT_RUN - 1) / Kernels.EXACT_DOT_RUN;
            int depth = blockSize / LANES - 1 + run + runs + 7;   // m + g + 7
            this.inverseFactor = 0x1p52 / (depth + 1);
            this.element = element;
            this.scale = scale;
            this.blockSize = blockSize;
            this.applies = qualifies(element, scale, blockSize);
            this.scaleValues = CodeTable.of(scale).value;
            double[] values = CodeTable.of(element).value;
            magnitudeBound = new double[values.length];
            for (int c = 0; c < values.length; c++) {
                if (Double.isFinite(values[c])) {
                    int key = Kernels.magnitudeKey(element, c);
                    magnitudeBound[key] = Math.max(magnitudeBound[key], Math.abs(values[c]));
                }
            }
            for (int key = 1; key < values.length; key++) {
                magnitudeBound[key] = Math.max(magnitudeBound[key], magnitudeBound[key - 1]);
            }
            // Why: the raw-float decoding of e2m1 makes the code 0.5 a float32 subnormal, whose
            // widening to double costs a microcode assist on some CPUs; integers widen without one.
            byte[] table = Kernels.smallIntegerTable(element);
            int lsbInt8 = Kernels.integerLsbExponent(ElementFormat.INT8);
            int shift = Kernels.integerLsbExponent(element) - lsbInt8;
            smallIntegers = applies && table != null && qualifies(ElementFormat.INT8, scale, blockSize, shift);
            integerScale = Math.scalb(1.0, shift);
            integerMagnitudeBound = new double[128];
            for (int c = 0; smallIntegers && c < element.codeCount(); c++) {
                int key = Kernels.magnitudeKey(ElementFormat.INT8, table[c]);
                double magnitude = Math.scalb((double) Math.abs(table[c]), lsbInt8);   // its MXINT8 value
                integerMagnitudeBound[key] = Math.max(integerMagnitudeBound[key], magnitude);
            }
            for (int key = 1; key < integerMagnitudeBound.length; key++) {
                integerMagnitudeBound[key] = Math.max(integerMagnitudeBound[key], integerMagnitudeBound[key - 1]);
            }
        }
    }

    /** The plan for these formats, by identity first: {@code ElementFormat.hashCode} is slow. */
    private static Plan plan(ElementFormat element, ElementFormat scale, int blockSize) {
        Plan p = lastPlan;
        if (p != null && p.element == element && p.scale == scale && p.blockSize == blockSize) {
            return p;
        }
        p = new Plan(element, scale, blockSize);
        lastPlan = p;
        return p;
    }

    /**
     * Whether the bound above holds for this format: element codes of 4 or 8 bits whose values
     * are all floats, the largest finite magnitude within 2^-50 .. 2^50, scale values of at most 8
     * significant bits (powers of two, UE4M3, UE5M3; or zero, NaN, infinite) within 2^-300 .. 2^300,
     * block size a multiple of 8 up to {@value #MAX_BLOCK}.
     */
    static boolean qualifies(ElementFormat e, ElementFormat scaleFormat, int k) {
        return qualifies(e, scaleFormat, k, 0);
    }

    /** {@link #qualifies} with every scale value multiplied by {@code 2^scaleShift}. */
    private static boolean qualifies(ElementFormat e, ElementFormat scaleFormat, int k, int scaleShift) {
        if ((e.bits() != 4 && e.bits() != 8) || k % LANES != 0 || k > MAX_BLOCK) {
            return false;
        }
        for (double v : CodeTable.of(e).value) {
            if (Double.isFinite(v) && (double) (float) v != v) {
                return false;
            }
        }
        if (!(e.maxFinite() >= 0x1p-50 && e.maxFinite() <= 0x1p50)) {
            return false;
        }
        CodeTable scale = CodeTable.of(scaleFormat);
        for (int c = 0; c < scale.value.length; c++) {
            double v = scale.value[c];
            if (Double.isFinite(v) && v != 0 && Math.abs(scale.significand[c]) > 0xFF) {
                return false;   // at most 8 significant bits: squares exact, products by b inside one fma
            }
        }
        return scale.lsbExponent + scaleShift >= -300 && scale.topExponent + scaleShift <= 300;
    }

    /**
     * The exact dot product of {@code a} with {@code x[offset ..]} rounded once to float, or
     * {@link #UNDECIDED} when this path does not apply (shape, formats, tensor scale) or cannot decide the rounding.
     * The codes are read in place from {@code a}'s heap storage (a copy for other storage).
     */
    static float dot(MxArray a, float[] x, int offset, Rounding rounding) {
        MxFormat f = a.format();
        int n = a.length();
        Plan plan = plan(f.element(), f.scale(), f.blockSize());
        float t = a.tensorScale();
        if (n == 0 || n % f.blockSize() != 0 || !usableTensorScale(t) || !plan.applies) {
            return UNDECIDED;   // decided before the operand is read (a copy for direct storage)
        }
        Scratch s = SCRATCH.get();
        byte[] inPlace = STORAGE.elementArray(a);
        byte[] scales = STORAGE.scaleArray(a);
        if (n <= plan.group && inPlace != null && scales != null) {
            // One group read in place (a 1K-element call spent about a sixth of its time in the group
            // loop's general set-up, side test 2026-12-07): the group loop's result, bit for bit.
            if (f.element().bits() == 8) {
                return oneGroup(plan, s, plan.element, plan.magnitudeBound, 0, inPlace, STORAGE.elementOffset(a),
                        scales, STORAGE.scaleOffset(a), n / f.blockSize(), x, offset, rounding, t);
            }
            if (plan.smallIntegers && f.element().bits() == 4) {   // unpacked into integers, as the group loop does
                Kernels.get().unpackSmallIntegers(plan.element, inPlace, STORAGE.elementOffset(a), s.codes, 0, n);
                return oneGroup(plan, s, ElementFormat.INT8, plan.integerMagnitudeBound,
                        Math.getExponent(plan.integerScale), s.codes, 0, scales, STORAGE.scaleOffset(a),
                        n / f.blockSize(), x, offset, rounding, t);
            }
        }
        SimdRoutes.Stream codes = new SimdRoutes.Stream(a, Math.min(plan.group, n), s.codes);
        return dot(plan, s, n, codes, x, offset, rounding, t);
    }

    /** A tensor scale the certificates take: finite and not zero (it multiplies once at the end, {@link #decideTimes}). */
    private static boolean usableTensorScale(float t) {
        return t != 0 && Float.isFinite(t);
    }

    /**
     * {@link #decide} for {@code t * E}, where approx and boundSquared are as decide needs them for E.
     * For {@code t != 1}: {@code a_t = fl(t approx)} is off from {@code t (S + C)} by at most
     * {@code u |t approx| <= u (1 + u) |a_t|}, and {@code t approx} from {@code t (S + C)} by
     * {@code u (1 + u) |a_t|} more, so {@code |tE - a_t| <= |t| c Â + 2^-51 |a_t|}; decide is told
     * that own error (2^-51 in place of 2^-52), and {@code (|t| Â)^2} as
     * {@code max(fl(fl(boundSquared t^2) (1 + 2^-49)), MIN_NORMAL)} ({@code t^2} is exact, and the
     * factor covers both roundings and boundSquared's {@code (1 - u)}; the floor keeps an underflowed
     * square from shrinking the bound).
     */
    private static float decideTimes(float tensor, double approx, double boundSquared, double inverseFactor,
                                     Rounding rounding) {
        if (tensor == 1f) {
            return decide(approx, boundSquared, inverseFactor, rounding);
        }
        double t = tensor;
        return decide(t * approx, Math.max(boundSquared * (t * t) * (1 + 0x1p-49), Double.MIN_NORMAL), inverseFactor,
                rounding, 0x1p-51);
    }

    /**
     * {@link #dot(Plan, Scratch, int, SimdRoutes.Stream, float[], int, Rounding, float)} for one group of
     * codes one per byte: 8-bit codes of an MxArray or a matrix row's, read in place, or an MxArray's
     * 4-bit small integers unpacked ({@code laneElement} INT8, the block scales times
     * {@code 2^scaleShift}, {@code magnitudeBound} by INT8 key, as the group loop sums them). With a
     * single group S is its sum exactly and C is 0, so the approximation and the bound are those of
     * the group loop.
     */
    private static float oneGroup(Plan plan, Scratch s, ElementFormat laneElement, double[] magnitudeBound,
                                  int scaleShift, byte[] codes, int codeOffset, byte[] scales, int scaleOffset,
                                  int blocks, float[] x, int offset, Rounding rounding, float tensor) {
        Kernels kernels = Kernels.get();
        double[] blockScales = s.blockScales;
        double[] lanes = s.lanes;
        if (!blockScaleValues(plan, kernels, scales, scaleOffset, blocks, scaleShift, blockScales)) {
            return UNDECIDED;
        }
        Arrays.fill(lanes, 0.0);
        int largestKey = kernels.exactDotCodeLanes(laneElement, codes, codeOffset, x, offset, blockScales,
                plan.blockSize, blocks, lanes);
        double groupSum = fold(lanes, 0);
        double largest = magnitudeBound[largestKey];
        // The group's bound squared: compared as a square (decide), so no square root on the tail.
        double squares = plan.blockSize * (largest * largest) * lanes[2 * LANES] * fold(lanes, LANES);
        return decideTimes(tensor, groupSum, squares, plan.inverseFactor, rounding);
    }

    /** {@link #dot(MxArray, float[], int, Rounding)} for an operand already unpacked (a matrix row). */
    static float dot(Unpacked a, float[] x, int offset, Rounding rounding) {
        int n = a.length;
        int k = a.blockSize;
        if (n == 0 || n % k != 0 || !usableTensorScale(a.tensorScale)) {
            return UNDECIDED;
        }
        Plan plan = plan(a.element, a.scale, k);
        if (!plan.applies) {
            return UNDECIDED;
        }
        if (n <= plan.group && plan.e8m0Scales) {   // codes one per byte, read in place
            return oneGroup(plan, SCRATCH.get(), plan.element, plan.magnitudeBound, 0, a.codes, 0, a.scales, 0, n / k, x,
                    offset, rounding, a.tensorScale);
        }
        return dot(plan, SCRATCH.get(), n, new SimdRoutes.Stream(a.codes, a.scales), x, offset, rounding,
                a.tensorScale);
    }

    /**
     * The second certificate, for calls the first leaves undecided ({@link #dot(MxArray, float[], int, Rounding)}
     * applies to the same operands): the exact result rounded once to float, or {@link #UNDECIDED}.
     * About twice the first's work, and some 30 times less than the exact sum's (MXINT8 at 1M
     * elements, docs/performance-history.md, thirteenth round); for Gaussian data the first
     * leaves about 1 call in 40 undecided at 1M elements, this one almost none.
     *
     * <p>Every product {@code p = (P X) x} is exact in double ({@link #qualifies}: at most 32
     * significant bits, within 2^-600 .. 2^500, so sums of up to 2^31 of them neither underflow
     * nor overflow). {@link Kernels#compensatedDotLanes} sums them in 32 lanes with Knuth's
     * TwoSum, whose error terms e are exact: each lane's running sum plus its e's is its products'
     * sum exactly. The 32 lane sums are then added by TwoSum into S, so that
     * {@code E = S + T} exactly, T the sum of every e (lanes' and fold's). C sums the e's
     * recursively (each takes part in at most {@code D = ceil(n / 32) + 64} additions), so
     * {@code |T - C| <= gamma(D) sum |e|} (Higham (4.4)), and the e's magnitudes summed the same way
     * give {@code Aerr >= (1 - u)^D sum |e|}. With {@code D < 2^27}:
     * {@code |E - (S + C)| <= D u (1 + 2^-25) Aerr}. {@link #decide} with
     * {@code inverseFactor = fl(2^52 / (2D + 2))} decides only when
     * {@code Aerr < (1 + u)^5 G (2D + 2) 2^-52} (its proof's roundings), so the error is below
     * {@code (1 + u)^5 (1 + 2^-25) G D / (2 (2D + 2)) < G / (1 + u)}, and its proof goes on as
     * there. {@code boundSquared = max(Aerr^2, MIN_NORMAL)} is at least {@code (1 - u) Aerr^2} even
     * when the square would underflow. When every e is 0 ({@code Aerr == 0}), {@code E = S}
     * exactly, and S (a normal double) is rounded once as the exact path rounds: so sums exactly on a
     * rounding boundary, which no approximation decides, are decided here when the lanes were
     * exact. NaN and infinite products, NaN scales, a zero sum and results the first stage's
     * decide declines for range reasons stay undecided.
     */
    static float compensated(MxArray a, float[] x, int offset, Rounding rounding) {
        MxFormat f = a.format();
        int n = a.length();
        Plan plan = plan(f.element(), f.scale(), f.blockSize());
        if (n == 0 || n % f.blockSize() != 0 || !usableTensorScale(a.tensorScale()) || !plan.applies) {
            return UNDECIDED;
        }
        Scratch s = SCRATCH.get();
        return compensated(plan, s, n, new SimdRoutes.Stream(a, Math.min(plan.group, n), s.codes), x, offset, rounding,
                a.tensorScale());
    }

    /** {@link #compensated(MxArray, float[], int, Rounding)} for an operand already unpacked (a matrix row). */
    static float compensated(Unpacked a, float[] x, int offset, Rounding rounding) {
        int n = a.length;
        int k = a.blockSize;
        Plan plan = plan(a.element, a.scale, k);
        if (n == 0 || n % k != 0 || !usableTensorScale(a.tensorScale) || !plan.applies) {
            return UNDECIDED;
        }
        return compensated(plan, SCRATCH.get(), n, new SimdRoutes.Stream(a.codes, a.scales), x, offset, rounding,
                a.tensorScale);
    }

    private static float compensated(Plan plan, Scratch s, int n, SimdRoutes.Stream source, float[] x, int offset,
                                     Rounding rounding, float tensor) {
        Kernels kernels = Kernels.get();
        int k = plan.blockSize;
        double[] blockScales = s.blockScales;
        double[] lanes = s.compensated;
        Arrays.fill(lanes, 0.0);
        for (int start = 0; start < n; start += plan.group) {
            int count = Math.min(plan.group, n - start);
            int blocks = count / k;
            source.load(start, count, kernels);
            kernels.decode(plan.element, source.codes, source.codeOffset, s.values, 0, count);
            int scaleOffset = source.scaleOffset + start / k;
            if (!blockScaleValues(plan, kernels, source.scales, scaleOffset, blocks, 0, blockScales)) {
                return UNDECIDED;   // a NaN scale
            }
            kernels.compensatedDotLanes(s.values, 0, x, offset + start, blockScales, 0, k, blocks, lanes);
        }
        int lanesCount = Kernels.COMPENSATED_LANES;
        double sum = 0;
        double errors = 0;
        double magnitudes = 0;
        for (int lane = 0; lane < lanesCount; lane++) {   // TwoSum, as in the lanes
            double v = lanes[lane];
            double t = sum + v;
            double z = t - sum;
            double e = (sum - (t - z)) + (v - z);
            sum = t;
            errors += e;
            magnitudes += Math.abs(e);
        }
        for (int lane = 0; lane < lanesCount; lane++) {
            errors += lanes[lanesCount + lane];
            magnitudes += lanes[2 * lanesCount + lane];
        }
        if (!(Double.isFinite(sum) && Double.isFinite(errors) && Double.isFinite(magnitudes))) {
            return UNDECIDED;   // a NaN or infinite product or scale: the exact path applies the rules
        }
        if (magnitudes == 0 && tensor == 1f) {   // every error term 0: the sum is exact
            return sum == 0 ? UNDECIDED : roundExactly(sum, rounding);
        }
        long depth = (n + lanesCount - 1L) / lanesCount + 64;
        return decideTimes(tensor, sum + errors, Math.max(magnitudes * magnitudes, Double.MIN_NORMAL),
                0x1p52 / (2.0 * depth + 2), rounding);
    }

    /**
     * {@code out[j]} = block j's scale value times {@code 2^shift} (exact), for {@code blocks}
     * scale codes from {@code codes[offset]}: UE8M0 ones built from their bits a vector at a time
     * (the lookups cost about 0.5 ns a block), others looked up. False when a UE8M0 code is NaN;
     * other formats' NaN values are written as they are (they make the sums NaN).
     */
    private static boolean blockScaleValues(Plan plan, Kernels kernels, byte[] codes, int offset, int blocks, int shift,
                                            double[] out) {
        if (plan.e8m0Scales) {
            return kernels.e8m0Values(codes, offset, blocks, shift, out, 0);
        }
        double factor = Math.scalb(1.0, shift);
        for (int j = 0; j < blocks; j++) {
            out[j] = plan.scaleValues[codes[offset + j] & 0xFF] * factor;   // exact
        }
        return true;
    }

    /** The nonzero normal double s, an exact result, rounded once to float. */
    private static float roundExactly(double s, Rounding rounding) {
        long significand = (Double.doubleToRawLongBits(s) & 0xF_FFFF_FFFF_FFFFL) | 1L << 52;
        return (float) ExactAccumulator.roundScaled(s < 0 ? -significand : significand, Math.getExponent(s) - 52,
                rounding, true);
    }

    /** Whether packed codes of this format go through the MXINT8 lane kernel as small integers (tests). */
    static boolean readsSmallIntegers(MxFormat f) {
        return plan(f.element(), f.scale(), f.blockSize()).smallIntegers;
    }

    /** Elements per group: whole blocks, at most {@link #GROUP} (k <= MAX_BLOCK < GROUP). */
    private static int group(int k) {
        return Math.max(k, GROUP / k * k);
    }

    /**
     * The certified result for the codes and scale codes {@code source} streams, group by group:
     * {@code n} elements (whole blocks, at least one) of a format the plan applies to, tensor scale 1.
     */
    private static float dot(Plan plan, Scratch s, int n, SimdRoutes.Stream source, float[] x, int offset,
                             Rounding rounding, float tensor) {
        ElementFormat element = plan.element;
        int k = plan.blockSize;
        Kernels kernels = Kernels.get();
        int group = plan.group;
        double[] blockScales = s.blockScales;
        double[] lanes = s.lanes;
        // Packed small-integer codes go through the MXINT8 kernel: the same products, exact either way.
        boolean integers = plan.smallIntegers && source.packsNibbles();
        ElementFormat laneElement = integers ? ElementFormat.INT8 : element;
        int scaleShift = integers ? Math.getExponent(plan.integerScale) : 0;   // integerScale: a power of two
        double[] magnitudeBound = integers ? plan.integerMagnitudeBound : plan.magnitudeBound;
        double sum = 0;           // S: the running sum of the group sums
        double compensation = 0;  // C: the sum of TwoSum's exact errors
        double bound = 0;         // the sum of the groups' Cauchy-Schwarz bounds
        for (int start = 0; start < n; start += group) {
            int count = Math.min(group, n - start);
            int blocks = count / k;
            if (integers) {
                source.loadSmallIntegers(start, count, kernels, element);
            } else {
                source.load(start, count, kernels);
            }
            int scaleOffset = source.scaleOffset + start / k;
            if (!blockScaleValues(plan, kernels, source.scales, scaleOffset, blocks, scaleShift, blockScales)) {
                return UNDECIDED;   // a NaN scale: the exact path applies the rules
            }
            Arrays.fill(lanes, 0.0);
            int largestKey = kernels.exactDotCodeLanes(laneElement, source.codes, source.codeOffset, x,
                    offset + start, blockScales, k, blocks, lanes);
            double groupSum = fold(lanes, 0);             // a tree: 3 additions deep, not 7 (the bound allows 7)
            double groupSquares = fold(lanes, LANES);
            double scaleSquares = lanes[2 * LANES];   // T: the group's block scales squared, summed
            double largest = magnitudeBound[largestKey];
            bound += Math.sqrt(k * (largest * largest) * scaleSquares * groupSquares);
            if (!Double.isFinite(groupSum) || !Double.isFinite(bound)) {
                return UNDECIDED;   // a NaN or infinite product, scale or x: the exact path applies the rules
            }
            double next = sum + groupSum;   // TwoSum: next + error == sum + groupSum exactly
            double back = next - sum;
            double error = (sum - (next - back)) + (groupSum - back);
            sum = next;
            compensation += error;
        }
        return decideTimes(tensor, sum + compensation, bound * bound, plan.inverseFactor, rounding);
    }

    /** The sum of the 8 lanes {@code lanes[from .. from + 8)}, pairwise. */
    private static double fold(double[] lanes, int from) {
        return ((lanes[from] + lanes[from + 4]) + (lanes[from + 2] + lanes[from + 6]))
                + ((lanes[from + 1] + lanes[from + 5]) + (lanes[from + 3] + lanes[from + 7]));
    }

    /** Bits of a double's exponent field. */
    private static final long EXPONENT_BITS = 0x7FF0000000000000L;

    /**
     * The float the exact result E rounds to, or {@link #UNDECIDED}: {@code approx = fl(S + C)},
     * {@code boundSquared} at least {@code (1 - u) Â^2} (the rounded square of the groups' Â, or for
     * one group the rounded product under its root), {@code |E - (S + C)| <= c Â} with c as in the
     * class comment, and {@code inverseFactor = fl(2^52 / (m + g + 8))}.
     *
     * <p>Why squares: comparing them keeps a square root and the nextUp/nextDown steps off the
     * call's serial tail (a 1K-element call spent about 15 ns there). Proof: let f be approx rounded
     * to the nearest float, {@code a = |approx|}, {@code F = |f|} (required in
     * {@code (MIN_NORMAL, MAX_VALUE)}, so that F's float neighbours are normal and finite),
     * {@code d = a - F} (exact: Sterbenz), U the float ulp of F and V the gap to the next float
     * toward zero (U, or U/2 when F is a power of two). Let D be the distance from a to the
     * nearest rounding boundary: for RNE and RNA {@code D = min(d + V/2, U/2 - d)} (the midpoints
     * around F; every real strictly between them rounds to F), for the other modes {@code D = |d|}
     * (the boundaries are the floats, and F is the one nearest to a; with {@code d != 0} every real
     * strictly within D of a lies strictly between F and its neighbour on a's side). D is exact
     * (multiples of half of approx's ulp, below 2^-22 a). With {@code G = D - 2^-52 a}
     * (computed with one rounding, so at most {@code (1 + u) G}) the path decides when
     * {@code boundSquared < fl(fl(G * inverseFactor)^2)}. Five roundings there, and Â^2 losing at
     * most a factor (1 - u) in boundSquared, give {@code Â < (1 + u)^3 G / ((m + g + 8) 2^-52)}; as
     * {@code (m + g + 7)(1 + 2^-17) + 2^-6 < m + g + 8}, {@code c Â < (1 + u)^3 (1 + 2^-30) G / 2
     * < G / (1 + u)}, at most the exact {@code D - 2^-52 a}. So
     * {@code |E - approx| <= c Â + u (1 + u) a < D}: E rounds as approx's whole neighbourhood of
     * radius D does. NaN or infinite inputs fail a comparison and are not decided.
     */
    static float decide(double approx, double boundSquared, double inverseFactor, Rounding rounding) {
        return decide(approx, boundSquared, inverseFactor, rounding, 0x1p-52);
    }

    /**
     * {@link #decide(double, double, double, Rounding)} when the approximation's own error (beyond
     * {@code c Â}) is at most {@code ownError * |approx|} rather than {@code u (1 + u) |approx|}:
     * the proof above with {@code G = D - ownError a}.
     */
    static float decide(double approx, double boundSquared, double inverseFactor, Rounding rounding, double ownError) {
        float nearest = (float) approx;
        double a = Math.abs(approx);
        double magnitude = Math.abs((double) nearest);
        if (!(magnitude > Float.MIN_NORMAL && magnitude < Float.MAX_VALUE)) {
            return UNDECIDED;   // zero, the subnormals, overflow, NaN
        }
        // F's float ulp 2^(e - 23), built from its exponent bits as a double (every normal float's is normal).
        double ulp = Double.longBitsToDouble((Double.doubleToRawLongBits(magnitude) & EXPONENT_BITS) - (23L << 52));
        double towardZero = (Float.floatToRawIntBits(nearest) & 0x7FFFFF) == 0 ? ulp / 2 : ulp;
        double d = a - magnitude;
        boolean nearestModes = rounding == Rounding.RNE || rounding == Rounding.RNA;
        // The distance from a to the nearest rounding boundary: a midpoint around F, or (directed
        // modes) F itself, the float nearest to a.
        double distance = nearestModes ? Math.min(d + towardZero / 2, ulp / 2 - d) : Math.abs(d);
        double gap = distance - a * ownError;
        double scaled = gap * inverseFactor;
        if (!(gap > 0 && boundSquared < scaled * scaled)) {
            return UNDECIDED;
        }
        if (nearestModes) {
            return nearest;
        }
        float smaller = Math.abs(nearest);   // the interval's float ends, by magnitude
        float larger = smaller;
        if (d > 0) {
            larger = Math.nextUp(smaller);
        } else {
            smaller = Math.nextDown(smaller);
        }
        boolean positive = approx > 0;
        float magnitudeResult;
        switch (rounding) {
            case RTZ:
                magnitudeResult = smaller;
                break;
            case RUP:
                magnitudeResult = positive ? larger : smaller;
                break;
            case RDN:
                magnitudeResult = positive ? smaller : larger;
                break;
            case ODD:
                magnitudeResult = (Float.floatToRawIntBits(smaller) & 1) != 0 ? smaller : larger;
                break;
            default:
                return UNDECIDED;
        }
        return positive ? magnitudeResult : -magnitudeResult;
    }
}
