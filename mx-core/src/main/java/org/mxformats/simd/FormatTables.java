package org.mxformats.simd;

import org.mxformats.format.ElementFormat;

/** Per-format lookup tables shared by the kernels, built once per format and never modified. */
final class FormatTables {

    private static final FormatCache<float[]> FLOAT_VALUES = new FormatCache<>(FormatTables::buildFloatValues);
    private static final FormatCache<double[]> DOUBLE_VALUES = new FormatCache<>(ElementFormat::codeValues);

    private FormatTables() {
    }

    /** {@code decodeFloat(code)} for every code of the format (at most 8 bits), indexed by code. */
    static float[] floatValues(ElementFormat format) {
        return FLOAT_VALUES.get(format);
    }

    private static float[] buildFloatValues(ElementFormat f) {
        float[] table = new float[f.codeCount()];
        for (int code = 0; code < table.length; code++) {
            table[code] = f.decodeFloat(code);
        }
        return table;
    }

    /** {@code decode(code)} for every code of the format (at most 8 bits), indexed by code. */
    static double[] doubleValues(ElementFormat format) {
        return DOUBLE_VALUES.get(format);
    }
}
