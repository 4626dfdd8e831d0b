package org.mxformats.simd;

/** Picks the kernels once per JVM; a holder so that the choice happens on first use. */
final class KernelSelection {

    /** The system property that forces the scalar kernels when {@code true}. */
    static final String FORCE_SCALAR_PROPERTY = "mx.scalar";

    static final Kernels VECTOR = loadVectorKernels();
    static final Kernels SELECTED = Boolean.getBoolean(FORCE_SCALAR_PROPERTY) || VECTOR == null
            ? ScalarKernels.INSTANCE : VECTOR;

    private KernelSelection() {
    }

    /**
     * The Vector API kernels if the incubator module is in the boot layer, else null. The class is
     * loaded by name so that nothing touches jdk.incubator.vector types when the module is absent.
     */
    private static Kernels loadVectorKernels() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            Class<?> type = Class.forName("org.mxformats.simd.VectorKernels");
            Kernels kernels = (Kernels) type.getDeclaredField("INSTANCE").get(null);
            return kernels;   // null when the preferred vector is too narrow to help
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return null;   // a JVM whose Vector API cannot be used: the scalar kernels serve
        }
    }
}
