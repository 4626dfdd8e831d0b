package org.mxformats.vectors;

import java.util.Arrays;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxQuantizer;
import org.mxformats.block.ScaleRule;
import org.mxformats.format.ElementFormat;

/**
 * {@code @op quantize}: record {@code INPUTS SCALE CODES} with K float32 inputs and K element codes
 * ({@code *} when the block holds a NaN or an infinity: then only the scale, S's NaN code, is
 * checked). Directives {@code @elem @scale @scale-rule @rounding @block}.
 */
final class QuantizeCheck {
    private QuantizeCheck() {
    }

    /** The check registered in {@link ConformanceChecker}. */
    static final OpCheck QUANTIZE = (d, f) -> {
        Records.requireFields(f, 3);
        MxFormat format = format(d);
        int k = format.blockSize();
        ElementFormat elem = format.element();
        ElementFormat scale = format.scale();
        float[] inputs = Hex.float32List(f[0], k);
        int expectedScale = Hex.code(f[1], scale);
        int[] expectedCodes = f[2].equals("*") ? null : Hex.codeList(f[2], k, elem);
        MxArray got = MxQuantizer.quantize(format, inputs, 0, k);
        int gotScale = got.scaleCode(0);
        int[] gotCodes = new int[k];
        for (int i = 0; i < k; i++) {
            gotCodes[i] = got.elementCode(i);
        }
        boolean ok = ConversionChecks.sameCode(scale, expectedScale, gotScale);
        if (expectedCodes != null) {
            for (int i = 0; i < k && ok; i++) {
                ok = ConversionChecks.sameCode(elem, expectedCodes[i], gotCodes[i]);
            }
        }
        if (ok) {
            return null;
        }
        return "expected " + show(expectedScale, expectedCodes, elem, scale) + ", got " + show(gotScale, gotCodes, elem, scale);
    };

    /** The MX format the directives describe; also validates them. */
    static MxFormat format(Directives d) {
        return MxFormat.of(d.format("elem"), d.format("scale"), d.positiveInt("block"), rule(d), d.rounding("rounding"));
    }

    /** The {@code @scale-rule} directive. */
    static ScaleRule rule(Directives d) {
        return d.parse("scale-rule", ScaleRule::byName);
    }

    private static String show(int scaleCode, int[] codes, ElementFormat elem, ElementFormat scale) {
        String c = codes == null ? "*" : String.join(",", Arrays.stream(codes).mapToObj(x -> Hex.show(x, elem)).toList());
        return "scale " + Hex.show(scaleCode, scale) + " codes " + c;
    }
}
