package org.mxformats.block;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

/**
 * An MX format: k elements of an element format sharing one scale of a scale format, the rule that
 * picks the scale, and the rounding of the elements. Optionally a per-tensor float32 scale (two-level
 * scaling, as NVFP4) and ties toward zero for the elements (as the gguf quantizer).
 *
 * <p>Element formats must have 4, 6 or 8 bits (they are packed, see {@link Packing}); scale formats
 * are unsigned, at most 8 bits, with a NaN code, and must fit the rule ({@link ScaleRule#fits}).
 * Immutable and thread-safe; equality compares every field.
 */
public final class MxFormat {
    /** OCP MXFP8 with E4M3 elements: k = 32, e8m0 scales, FLOOR, elements RNE. */
    public static final MxFormat MXFP8_E4M3 = ocp(ElementFormat.E4M3);
    /** OCP MXFP8 with E5M2 elements: k = 32, e8m0 scales, FLOOR, elements RNE. */
    public static final MxFormat MXFP8_E5M2 = ocp(ElementFormat.E5M2);
    /** OCP MXFP6 with E3M2 elements: k = 32, e8m0 scales, FLOOR, elements RNE. */
    public static final MxFormat MXFP6_E3M2 = ocp(ElementFormat.E3M2);
    /** OCP MXFP6 with E2M3 elements: k = 32, e8m0 scales, FLOOR, elements RNE. */
    public static final MxFormat MXFP6_E2M3 = ocp(ElementFormat.E2M3);
    /** OCP MXFP4 (E2M1 elements): k = 32, e8m0 scales, FLOOR, elements RNE. */
    public static final MxFormat MXFP4 = ocp(ElementFormat.E2M1);
    /** OCP MXINT8: k = 32, e8m0 scales, FLOOR, elements RNE. */
    public static final MxFormat MXINT8 = ocp(ElementFormat.INT8);
    /**
     * NVFP4: E2M1 elements, k = 16, UE4M3 scales with the RNE rule, and a per-tensor float32 scale
     * {@code amax(tensor) / (448 * 6)} (see {@link MxQuantizer}).
     */
    public static final MxFormat NVFP4 = new MxFormat(ElementFormat.E2M1, ElementFormat.UE4M3, 16, ScaleRule.RNE,
            Rounding.RNE, true, false);
    /**
     * E2M1 elements, k = 16, UE5M3 scales with the RNE rule and no per-tensor scale: UE5M3's range
     * (2^-17 to 114688) covers what NVFP4 needs its tensor scale for.
     */
    public static final MxFormat MXFP4_UE5M3 = new MxFormat(ElementFormat.E2M1, ElementFormat.UE5M3, 16,
            ScaleRule.RNE, Rounding.RNE, false, false);

    private static final List<String> PRESET_NAMES = List.of("mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2",
            "mxfp6_e2m3", "mxfp4", "mxint8", "nvfp4", "mxfp4_ue5m3");
    private static final List<MxFormat> PRESETS = List.of(MXFP8_E4M3, MXFP8_E5M2, MXFP6_E3M2, MXFP6_E2M3, MXFP4,
            MXINT8, NVFP4, MXFP4_UE5M3);

    private final ElementFormat element;
    private final ElementFormat scale;
    private final int blockSize;
    private final ScaleRule scaleRule;
    private final Rounding elementRounding;
    private final boolean tensorScale;
    private final boolean tiesTowardZero;

    private MxFormat(ElementFormat element, ElementFormat scale, int blockSize, ScaleRule scaleRule,
                     Rounding elementRounding, boolean tensorScale, boolean tiesTowardZero) {
        this.element = Objects.requireNonNull(element, "element");
        this.scale = Objects.requireNonNull(scale, "scale");
        this.scaleRule = Objects.requireNonNull(scaleRule, "scaleRule");
        this.elementRounding = Objects.requireNonNull(elementRounding, "elementRounding");
        this.blockSize = blockSize;
        this.tensorScale = tensorScale;
        this.tiesTowardZero = tiesTowardZero;
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size " + blockSize + " must be >= 1");
        }
        int b = element.bits();
        if (b != 4 && b != 6 && b != 8) {
            throw new IllegalArgumentException("element format " + element + " has " + b
                    + " bits; MX elements are packed with 4, 6 or 8 bits");
        }
        if (!scaleRule.fits(scale)) {
            throw new IllegalArgumentException("scale rule " + scaleRule + " does not fit scale format " + scale
                    + (scaleRule.powerOfTwo()
                    ? " (it needs an unsigned power-of-two scale format with a NaN code, such as e8m0)"
                    : " (it needs an unsigned scale format with mantissa bits, a zero and a NaN code, such as ue4m3 or ue5m3)"));
        }
        if (tensorScale && scaleRule.powerOfTwo()) {
            throw new IllegalArgumentException("a per-tensor scale needs a non-power-of-two scale rule (rne, mse, 4over6), not "
                    + scaleRule);
        }
        if (tiesTowardZero && elementRounding != Rounding.RNE && elementRounding != Rounding.RNA) {
            throw new IllegalArgumentException("ties toward zero replaces the tie rule of a nearest rounding (rne or rna), not "
                    + elementRounding);
        }
    }

    private static MxFormat ocp(ElementFormat element) {
        return new MxFormat(element, ElementFormat.E8M0, 32, ScaleRule.FLOOR, Rounding.RNE, false, false);
    }

    /**
     * A format without a per-tensor scale and with the rounding's own tie rule.
     *
     * @throws IllegalArgumentException if the block size is below 1, the element format is not 4, 6
     *                                  or 8 bits wide, or the rule does not fit the scale format
     */
    public static MxFormat of(ElementFormat element, ElementFormat scale, int blockSize, ScaleRule rule,
                              Rounding elementRounding) {
        return new MxFormat(element, scale, blockSize, rule, elementRounding, false, false);
    }

    /**
     * A preset by name: {@code mxfp8_e4m3 mxfp8_e5m2 mxfp6_e3m2 mxfp6_e2m3 mxfp4 mxint8 nvfp4
     * mxfp4_ue5m3}, case-insensitively.
     *
     * @throws IllegalArgumentException naming the unknown value and the presets
     */
    public static MxFormat byName(String name) {
        int i = PRESET_NAMES.indexOf(name.toLowerCase(Locale.ROOT));
        if (i < 0) {
            throw new IllegalArgumentException("unknown MX format '" + name + "' (expected one of "
                    + String.join(", ", PRESET_NAMES) + ")");
        }
        return PRESETS.get(i);
    }

    /** The preset names accepted by {@link #byName}. */
    public static List<String> presetNames() {
        return PRESET_NAMES;
    }

    /** The element format. */
    public ElementFormat element() { return element; }

    /** The scale format. */
    public ElementFormat scale() { return scale; }

    /** Elements per block, k. */
    public int blockSize() { return blockSize; }

    /** How a block's scale is chosen. */
    public ScaleRule scaleRule() { return scaleRule; }

    /** How each element (input / scale) is rounded. */
    public Rounding elementRounding() { return elementRounding; }

    /** Whether a per-tensor float32 scale multiplies every block scale (two-level scaling). */
    public boolean tensorScale() { return tensorScale; }

    /** Whether element ties go toward zero (the smaller magnitude) instead of the rounding's tie rule. */
    public boolean tiesTowardZero() { return tiesTowardZero; }

    /** This format with another block size. */
    public MxFormat withBlockSize(int k) {
        return new MxFormat(element, scale, k, scaleRule, elementRounding, tensorScale, tiesTowardZero);
    }

    /** This format with another scale rule (which must fit the scale format). */
    public MxFormat withScaleRule(ScaleRule rule) {
        return new MxFormat(element, scale, blockSize, rule, elementRounding, tensorScale, tiesTowardZero);
    }

    /** This format with another scale format (which must fit the rule). */
    public MxFormat withScale(ElementFormat scaleFormat) {
        return new MxFormat(element, scaleFormat, blockSize, scaleRule, elementRounding, tensorScale, tiesTowardZero);
    }

    /** This format with another element format. */
    public MxFormat withElement(ElementFormat elementFormat) {
        return new MxFormat(elementFormat, scale, blockSize, scaleRule, elementRounding, tensorScale, tiesTowardZero);
    }

    /** This format with another element rounding. */
    public MxFormat withElementRounding(Rounding rounding) {
        return new MxFormat(element, scale, blockSize, scaleRule, rounding, tensorScale, tiesTowardZero);
    }

    /** This format with or without a per-tensor float32 scale (only for rne, mse and 4over6). */
    public MxFormat withTensorScale(boolean on) {
        return new MxFormat(element, scale, blockSize, scaleRule, elementRounding, on, tiesTowardZero);
    }

    /**
     * This format with element ties going toward zero (true) or following the element rounding
     * (false). Only for {@link Rounding#RNE} and {@link Rounding#RNA}; the gguf MXFP4 quantizer
     * rounds this way.
     */
    public MxFormat withTiesTowardZero(boolean on) {
        return new MxFormat(element, scale, blockSize, scaleRule, elementRounding, tensorScale, on);
    }

    /**
     * The number of blocks for {@code length} elements, {@code ceil(length / k)}; the last block may
     * be partial.
     *
     * @throws IllegalArgumentException if {@code length < 0}
     */
    public int blockCount(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length + " is negative");
        }
        return (int) (((long) length + blockSize - 1) / blockSize);
    }

    /**
     * The number of bytes that hold {@code length} packed elements.
     *
     * @throws IllegalArgumentException if {@code length < 0}
     */
    public int packedBytes(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length + " is negative");
        }
        return Packing.packedBytes(element.bits(), length);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MxFormat)) {
            return false;
        }
        MxFormat f = (MxFormat) o;
        return blockSize == f.blockSize && tensorScale == f.tensorScale && tiesTowardZero == f.tiesTowardZero
                && element.equals(f.element) && scale.equals(f.scale) && scaleRule == f.scaleRule
                && elementRounding == f.elementRounding;
    }

    @Override
    public int hashCode() {
        return Objects.hash(element, scale, blockSize, scaleRule, elementRounding, tensorScale, tiesTowardZero);
    }

    /**
     * A description such as {@code e2m1/ue4m3 k=16 rne, elements rne, tensor scale}, prefixed by the
     * preset name where the format is a preset.
     */
    @Override
    public String toString() {
        int i = PRESETS.indexOf(this);
        String s = element + "/" + scale + " k=" + blockSize + " " + scaleRule + ", elements " + elementRounding
                + (tiesTowardZero ? " ties toward zero" : "") + (tensorScale ? ", tensor scale" : "");
        return i >= 0 ? PRESET_NAMES.get(i) + " (" + s + ")" : s;
    }
}
