package org.mxformats.simd;

import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/** The plain-Java kernels: the reference the Vector API kernels must match bit for bit. */
final class ScalarKernels implements Kernels {

    static final ScalarKernels INSTANCE = new ScalarKernels();

    private ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void decode(ElementFormat format, byte[] codes, int codeOffset, float[] out, int outOffset, int length) {
        float[] table = FormatTables.floatValues(format);
        int mask = table.length - 1;
        for (int i = 0; i < length; i++) {
            out[outOffset + i] = table[codes[codeOffset + i] & mask];
        }
    }

    @Override
    public void encode(ElementFormat format, float[] in, int inOffset, byte[] codes, int codeOffset, int length,
                       Rounding rounding, Overflow overflow) {
        for (int i = 0; i < length; i++) {
            codes[codeOffset + i] = (byte) format.encode(in[inOffset + i], rounding, overflow);
        }
    }
}
