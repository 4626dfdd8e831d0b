package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

/** Bit-exact agreement with the committed outputs of the gguf package (spec-vectors/gguf). */
class GgufMxfp4Test {
    static Path gguf() {
        return Path.of(System.getProperty("mx.specVectors", "../spec-vectors")).resolve("gguf");
    }

    static List<String[]> records(String file) throws IOException {
        return Files.readAllLines(gguf().resolve(file)).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.split(" ")).toList();
    }

    static float[] floats(String list) {
        String[] p = list.split(",");
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(p[i], 16));
        }
        return out;
    }

    @Test
    void quantizeReproducesGgufBytes() throws IOException {
        List<String[]> recs = records("mxfp4-quantize.txt");
        assertThat(recs).hasSizeGreaterThan(250);
        // all blocks in one call, and each block alone
        float[] all = new float[recs.size() * 32];
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < recs.size(); i++) {
            float[] in = floats(recs.get(i)[0]);
            assertThat(in).hasSize(32);
            System.arraycopy(in, 0, all, i * 32, 32);
            expected.append(recs.get(i)[1]);
            assertThat(HexFormat.of().formatHex(GgufMxfp4.quantize(in, 0, 32))).as("block %d", i)
                    .isEqualTo(recs.get(i)[1]);
        }
        byte[] q = GgufMxfp4.quantize(all, 0, all.length);
        assertThat(HexFormat.of().formatHex(q)).isEqualTo(expected.toString());
        // read -> write is the identity on gguf's bytes
        MxArray a = GgufMxfp4.read(q, 0, recs.size());
        assertThat(GgufMxfp4.write(a)).isEqualTo(q);
        ByteBuffer direct = ByteBuffer.allocateDirect(q.length + 5);
        direct.position(5);
        direct.put(q).position(5);
        assertThat(GgufMxfp4.read(direct, recs.size())).isEqualTo(a);
        assertThat(direct.position()).isEqualTo(5);
    }

    @Test
    void dequantizeReproducesGgufFloats() throws IOException {
        for (String[] r : records("mxfp4-dequantize.txt")) {
            byte[] block = HexFormat.of().parseHex(r[0]);
            float[] expected = floats(r[1]);
            float[] out = new float[32];
            GgufMxfp4.dequantize(block, 0, 1, out, 0);
            for (int i = 0; i < 32; i++) {
                assertThat(Float.floatToRawIntBits(out[i])).as("%s element %d", r[0], i)
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
            // the same values through MxArray, apart from gguf's +0 for code 8
            MxArray a = GgufMxfp4.read(block, 0, 1);
            for (int i = 0; i < 32; i++) {
                assertThat(a.value(i) + 0f).isEqualTo(expected[i] + 0f);
            }
        }
    }

    @Test
    void layoutIsElementJLowNibbleAndJPlus16HighNibble() {
        byte[] codes = new byte[32];
        for (int i = 0; i < 32; i++) {
            codes[i] = (byte) (i % 16);
        }
        byte[] packed = new byte[16];
        Packing.pack(4, codes, 0, packed, 0, 32);
        MxArray a = MxArray.of(MxFormat.MXFP4, 32, packed, new byte[] {(byte) 130}, 1f);
        byte[] g = GgufMxfp4.write(a);
        assertThat(g[0] & 0xff).isEqualTo(130);
        for (int j = 0; j < 16; j++) {
            assertThat(g[1 + j] & 0xf).isEqualTo(j % 16);
            assertThat((g[1 + j] & 0xff) >>> 4).isEqualTo((j + 16) % 16);
        }
        assertThat(GgufMxfp4.read(g, 0, 1).elementCode(20)).isEqualTo(4);
    }

    /** ln(m) for m = 1 - u by its series, 50 digits; independent of Math.log1p. */
    static BigDecimal minusLog2(BigDecimal u) {
        MathContext mc = new MathContext(60);
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal p = u;
        for (int n = 1; n < 12; n++) {
            sum = sum.add(p.divide(BigDecimal.valueOf(n), mc), mc);
            p = p.multiply(u, mc);
        }
        BigDecimal ln2 = new BigDecimal("0.693147180559945309417232121458176568075500134360255254120680");
        return sum.divide(ln2, mc);
    }

    @Test
    void float32Log2DecisionMatchesAHighPrecisionSeries() {
        for (int t = -148; t <= 128; t++) {
            if (t == 0) {
                continue;
            }
            float top = (float) Math.scalb(1.0, t);
            BigDecimal half = new BigDecimal(t).subtract(new BigDecimal(Math.nextDown((float) t))).divide(BigDecimal.valueOf(2));
            float a = Math.nextDown(top);   // t = 128: 2^128 is Infinity, nextDown gives float32 max
            for (int j = 1; j <= 120 && a > Math.scalb(1.0, t - 1); j++, a = Math.nextDown(a)) {
                BigDecimal u = new BigDecimal(1 - Math.scalb((double) a, -t));   // exact: 1 - a / 2^t
                boolean roundsUp = minusLog2(u).compareTo(half) <= 0;
                assertThat(GgufMxfp4.float32FloorLog2(a)).as("t=%d, %s", t, a).isEqualTo(roundsUp ? t : t - 1);
            }
        }
    }

    @Test
    void quantizeAgreesWithTheTiesTowardZeroFormatAwayFromTheQuirks() {
        SplittableRandom r = new SplittableRandom(4);
        for (int t = 0; t < 500; t++) {
            float[] x = new float[32];
            double sigma = Math.scalb(1.0, r.nextInt(-100, 100));
            for (int i = 0; i < 32; i++) {
                x[i] = (float) (sigma * (r.nextDouble() * 2 - 1));
            }
            byte[] g = GgufMxfp4.quantize(x, 0, 32);
            MxArray ours = MxQuantizer.quantize(GgufMxfp4.FORMAT, x, 0, 32);
            float amax = 0;
            for (float v : x) {
                amax = Math.max(amax, Math.abs(v));
            }
            boolean quirk = GgufMxfp4.float32FloorLog2(amax) != BlockCodec.floorLog2(amax);
            if (!quirk) {
                MxArray back = GgufMxfp4.read(g, 0, 1);
                assertThat(back.scaleCode(0)).isEqualTo(ours.scaleCode(0));
                for (int i = 0; i < 32; i++) {
                    int c = ours.elementCode(i);
                    assertThat(back.elementCode(i)).isEqualTo(c == 8 ? 0 : c);   // gguf writes +0
                }
            }
        }
        assertThat(GgufMxfp4.FORMAT.elementRounding()).isEqualTo(Rounding.RNE);
        assertThat(GgufMxfp4.FORMAT.element()).isEqualTo(ElementFormat.E2M1);
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> GgufMxfp4.quantize(new float[31], 0, 31))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31");
        float[] nan = new float[32];
        nan[3] = Float.NaN;
        assertThatThrownBy(() -> GgufMxfp4.quantize(nan, 0, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> GgufMxfp4.read(new byte[33], 0, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GgufMxfp4.write(MxQuantizer.quantize(MxFormat.NVFP4, new float[32], 0, 32)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e8m0");
        float[] out = new float[31];
        assertThatThrownBy(() -> GgufMxfp4.dequantize(new byte[17], 0, 1, out, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(out).containsOnly(0f);
    }
}
