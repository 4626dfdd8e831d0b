package org.mxformats.simd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/**
 * The Vector API kernels against the scalar reference: every code of every byte format, and for
 * encoding every deterministic rounding and allowed overflow policy on boundary-dense and random
 * inputs; the reference for an encoded value is {@link ElementFormat#encode(float, Rounding, Overflow)}
 * called one value at a time.
 */
class KernelsTest {

    /** Built-in formats plus P3109 and user formats that stress the special-value conventions. */
    static List<ElementFormat> byteFormats() {
        List<ElementFormat> formats = new ArrayList<>(ElementFormat.builtIn());
        formats.add(ElementFormat.p3109(8, 3, true, true));
        formats.add(ElementFormat.p3109(8, 1, true, false));
        formats.add(ElementFormat.p3109(8, 4, false, true));
        formats.add(ElementFormat.p3109(6, 3, true, false));
        formats.add(ElementFormat.p3109(3, 2, true, true));
        formats.add(ElementFormat.builder("e1m6").exponentBits(1).mantissaBits(6).bias(0).build());
        formats.add(ElementFormat.builder("e7m0").exponentBits(7).mantissaBits(0).bias(63).ieeeSpecials().build());
        formats.add(ElementFormat.builder("ue2m6").unsigned().exponentBits(2).mantissaBits(6).bias(3).oneNaN().build());
        return formats;
    }

    /** The int lanes of the vector kernels (the preferred vector width), for tests of their coverage. */
    static int vectorLanes() {
        return VectorKernels.LANES;
    }

    static Kernels vectorOrSkip() {
        assumeTrue(Kernels.vector().isPresent(), "jdk.incubator.vector is not in this JVM");
        return Kernels.vector().get();
    }

    @Test
    void theSelectedKernelsAreTheExpectedOnes() {
        String expected = System.getProperty("mx.expectKernels");
        assumeTrue(expected != null, "the build sets mx.expectKernels for each test run");
        assertThat(Kernels.get().name()).startsWith(expected);
        if (expected.equals("scalar") && !Boolean.getBoolean("mx.scalar")) {
            assertThat(Kernels.vector()).isEmpty();
        }
    }

    @Test
    void onlyVectorClassesOfThisPackageUseTheIncubatorModule() throws IOException {
        Path main = Paths.get(System.getProperty("user.dir"), "src", "main", "java");
        assumeTrue(Files.isDirectory(main), "run from the mx-core module directory");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> read(p).contains("import jdk.incubator.vector"))
                    .map(p -> main.relativize(p).toString().replace('\\', '/'))
                    .filter(name -> !name.matches("org/mxformats/simd/Vector[A-Za-z]*\\.java"))
                    .collect(Collectors.toList());
        }
        assertThat(offenders).isEmpty();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("byteFormats")
    void decodeMatchesTheScalarKernelForEveryCodeAndGarbageHighBits(ElementFormat f) {
        Kernels vector = vectorOrSkip();
        SplittableRandom random = new SplittableRandom(f.name().hashCode());
        byte[] codes = new byte[4096 + 13];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = i < 256 ? (byte) i : (byte) random.nextInt(256);
        }
        for (int offset : new int[] {0, 1, 7}) {
            int length = codes.length - offset - offset % 5;
            float[] expected = new float[length + 3];
            float[] actual = new float[length + 3];
            Kernels.scalar().decode(f, codes, offset, expected, 3, length);
            vector.decode(f, codes, offset, actual, 3, length);
            for (int i = 0; i < length; i++) {
                int code = codes[offset + i] & (f.codeCount() - 1);
                assertThat(Float.floatToRawIntBits(actual[3 + i])).as("%s code %x", f, code)
                        .isEqualTo(Float.floatToRawIntBits(f.decodeFloat(code)))
                        .isEqualTo(Float.floatToRawIntBits(expected[3 + i]));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("byteFormats")
    void encodeMatchesTheScalarEncoderInEveryModeOnBoundaryAndRandomInputs(ElementFormat f) {
        Kernels vector = vectorOrSkip();
        float[] inputs = inputsFor(f, new SplittableRandom(31L * f.name().hashCode()));
        byte[] actual = new byte[inputs.length + 5];
        for (Rounding rounding : Rounding.values()) {
            if (rounding == Rounding.STOCHASTIC) {
                continue;
            }
            for (Overflow overflow : Overflow.values()) {
                if (overflow == Overflow.NO_SATURATE && !f.allowsNoSaturate()) {
                    continue;
                }
                int offset = 2;
                vector.encode(f, inputs, offset, actual, 5, inputs.length - offset, rounding, overflow);
                for (int i = offset; i < inputs.length; i++) {
                    int expected = f.encode(inputs[i], rounding, overflow);
                    assertThat(actual[5 + i - offset] & 0xff)
                            .as("%s %s %s x=%s (%08x)", f, rounding, overflow, inputs[i],
                                    Float.floatToRawIntBits(inputs[i]))
                            .isEqualTo(expected);
                }
            }
        }
    }

    /**
     * Every value of the format, its neighbours one float ulp away, the midpoints between
     * neighbouring values and their neighbours, both signs, specials, float subnormals, and random
     * bit patterns and random values within twice the range.
     */
    static float[] inputsFor(ElementFormat f, SplittableRandom random) {
        List<Float> list = new ArrayList<>();
        double[] values = f.sortedValues();
        for (int i = 0; i < values.length; i++) {
            addAround(list, (float) values[i]);
            if (i + 1 < values.length) {
                addAround(list, (float) ((values[i] + values[i + 1]) / 2));
            }
        }
        float max = (float) f.maxFinite();
        addAround(list, max * 2);
        addAround(list, Math.nextUp(max) * 1.0625f);
        addAround(list, (float) f.minSubnormal() / 2);
        addAround(list, (float) f.minSubnormal() / 4);
        for (float special : new float[] {Float.POSITIVE_INFINITY, Float.MAX_VALUE, Float.MIN_NORMAL,
                Float.MIN_VALUE, 1e-40f, 0f}) {
            list.add(special);
        }
        if (f.hasNaN()) {
            list.add(Float.NaN);
            list.add(Float.intBitsToFloat(0xffc0_0001));
        }
        for (int i = 0; i < 20_000; i++) {
            float x = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(x) && !f.hasNaN()) {
                continue;
            }
            list.add(x);
            list.add((float) (random.nextDouble(-2, 2) * max));
        }
        int n = list.size();
        for (int i = 0; i < n; i++) {
            list.add(-list.get(i));
        }
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        // Shuffle so that float-subnormal lanes (scalar fallback) sit among ordinary ones.
        for (int i = out.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    private static void addAround(List<Float> list, float x) {
        list.add(x);
        list.add(Math.nextUp(x));
        list.add(Math.nextDown(x));
    }
}
