package org.mxformats.vectors;

import org.mxformats.dot.MxDot;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

/**
 * {@code @op dot}: {@code SCALES_A CODES_A SCALES_B CODES_B RESULT} with {@code @blocks} scales and
 * {@code @blocks * @block} codes per operand, RESULT the float32 of the exact dot product rounded
 * once with {@code @rounding}. An expected NaN accepts any NaN; otherwise the bits must match.
 */
final class DotCheck {
    private DotCheck() {
    }

    /** The check registered for {@code @op dot}. */
    static final OpCheck DOT = (d, f) -> {
        Records.requireFields(f, 5);
        ElementFormat elemA = d.format("elem-a");
        ElementFormat elemB = d.format("elem-b");
        ElementFormat scale = d.format("scale");
        int block = d.positiveInt("block");
        int blocks = d.positiveInt("blocks");
        Rounding rounding = d.rounding("rounding");
        int codes = Math.multiplyExact(block, blocks);
        byte[] scalesA = bytes(Hex.codeList(f[0], blocks, scale));
        byte[] codesA = bytes(Hex.codeList(f[1], codes, elemA));
        byte[] scalesB = bytes(Hex.codeList(f[2], blocks, scale));
        byte[] codesB = bytes(Hex.codeList(f[3], codes, elemB));
        float expected = Hex.float32(f[4]);
        float got = MxDot.dotCodes(elemA, elemB, scale, block, scalesA, codesA, scalesB, codesB, rounding);
        return ConversionChecks.sameFloat(expected, got) ? null
                : "expected " + Hex.show(expected) + ", got " + Hex.show(got);
    };

    private static byte[] bytes(int[] codes) {
        byte[] out = new byte[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = (byte) codes[i];
        }
        return out;
    }
}
