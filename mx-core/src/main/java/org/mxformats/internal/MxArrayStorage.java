package org.mxformats.internal;

import org.mxformats.block.MxArray;
import org.mxformats.block.MxTensor2d;

/**
 * Library-internal read access to the heap arrays behind an {@link MxArray} or an
 * {@link MxTensor2d}, so that the dot product kernels can read the codes in place instead of
 * copying them out of the read-only {@code ByteBuffer} views that {@code MxArray} publishes (a
 * tensor's rows would each cost a view). Not part of the API: {@link #get} hands
 * the single instance (registered by {@code MxArray} itself) only to classes of the library's own
 * {@code org.mxformats} packages, and the arrays it gives must never be written or passed on.
 */
public abstract class MxArrayStorage {
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final String OWNER = "org.mxformats.block.MxArray";
    private static volatile MxArrayStorage instance;

    /** For the one implementation, in {@code MxArray}. */
    protected MxArrayStorage() {
    }

    /**
     * Registers the implementation; called once, by {@code MxArray}'s class initializer.
     *
     * @throws SecurityException     if the caller is not {@code MxArray}
     * @throws IllegalStateException if an implementation is already registered
     */
    public static synchronized void register(MxArrayStorage storage) {
        if (!WALKER.getCallerClass().getName().equals(OWNER)) {
            throw new SecurityException("only MxArray registers its storage access");
        }
        if (instance != null) {
            throw new IllegalStateException("MxArray storage access is already registered");
        }
        instance = storage;
    }

    /**
     * The access object, for the library's own packages.
     *
     * @throws SecurityException if the caller is outside the {@code org.mxformats} packages
     */
    public static MxArrayStorage get() {
        if (!WALKER.getCallerClass().getPackageName().startsWith("org.mxformats.")) {
            throw new SecurityException("MxArray storage access is internal to mx-java");
        }
        MxArrayStorage s = instance;
        if (s == null) {
            try {   // MxArray registers in its class initializer
                Class.forName(OWNER, true, MxArrayStorage.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            s = instance;
        }
        return s;
    }

    /**
     * The heap array holding the packed element codes from {@link #elementOffset}, or null when
     * they live elsewhere (a direct or read-only caller buffer given to {@code MxArray.wrap}).
     */
    public abstract byte[] elementArray(MxArray a);

    /** Where the packed element codes start in {@link #elementArray}. */
    public abstract int elementOffset(MxArray a);

    /** The heap array holding the scale codes from {@link #scaleOffset}, or null as for the elements. */
    public abstract byte[] scaleArray(MxArray a);

    /** Where the scale codes start in {@link #scaleArray}. */
    public abstract int scaleOffset(MxArray a);

    /**
     * The heap array holding the tensor's packed element codes, line after line, each line from a
     * multiple of {@code t.format().packedBytes(line length)} (rows for blocks along rows).
     */
    public abstract byte[] elementArray(MxTensor2d t);

    /** The heap array holding the tensor's scale codes, each line's from a multiple of its block count. */
    public abstract byte[] scaleArray(MxTensor2d t);
}
