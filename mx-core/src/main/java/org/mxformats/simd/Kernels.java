package org.mxformats.simd;

import java.util.Optional;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/**
 * The hot loops of the library, in two interchangeable implementations that give identical bits:
 * {@link #scalar()}, plain Java and the reference, and a Vector API one ({@code jdk.incubator.vector})
 * used when that module is present.
 *
 * <p>{@link #get()} is chosen once, when this interface is first used: the Vector API kernels if the
 * JVM was started with {@code --add-modules jdk.incubator.vector} and the system property
 * {@code mx.scalar} is not {@code true}, the scalar kernels otherwise. Callers validate arguments
 * (index ranges, options) before calling a kernel; kernels only compute.
 *
 * <p>The interface is sealed: only this package implements it. Implementations are stateless and
 * thread-safe.
 */
public sealed interface Kernels permits ScalarKernels, VectorKernels {

    /** The kernels selected for this JVM (see the class comment); never null. */
    static Kernels get() {
        return KernelSelection.SELECTED;
    }

    /** The plain-Java reference kernels. */
    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /** The Vector API kernels, or empty when the {@code jdk.incubator.vector} module is absent. */
    static Optional<Kernels> vector() {
        return Optional.ofNullable(KernelSelection.VECTOR);
    }

    /** A short description, {@code scalar} or {@code vector-512} (the preferred vector width in bits). */
    String name();

    /**
     * Decodes {@code length} codes of an 8-bit-or-narrower format, one per byte (bits above the
     * format's width ignored), into their float values, exactly as {@link ElementFormat#decodeFloat}.
     */
    void decode(ElementFormat format, byte[] codes, int codeOffset, float[] out, int outOffset, int length);

    /**
     * Encodes {@code length} floats into one byte per code, exactly as
     * {@link ElementFormat#encode(float, Rounding, Overflow)} would one by one. The rounding is
     * deterministic (not {@link Rounding#STOCHASTIC}); the caller has checked that the overflow
     * policy is allowed and that no NaN goes into a format without NaN.
     */
    void encode(ElementFormat format, float[] in, int inOffset, byte[] codes, int codeOffset, int length,
                Rounding rounding, Overflow overflow);
}
