package org.mxformats.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mxformats.block.BlockSizeStudy;
import org.mxformats.block.StudyInput;
import org.mxformats.block.StudyInput.Distribution;
import org.mxformats.block.StudyScale;
import org.mxformats.format.ElementFormat;

/**
 * {@code mx study}: the block-size study of {@link org.mxformats.block.BlockSizeStudy} on the command line.
 */
final class StudyCommand {
    private StudyCommand() {
    }

    /**
     * Runs {@code mx study} with the arguments after {@code study}, printing the table to {@code out}.
     *
     * @return the exit status, 0
     * @throws IllegalArgumentException for a bad option or an unreadable input or unwritable SVG file
     */
    static int run(String[] args, PrintStream out) {
        Options o = Options.parse(args);
        if (o.help) {
            out.println(Options.help());
            return 0;
        }
        List<StudyInput> inputs = new ArrayList<>();
        if (o.input != null) {
            try {
                inputs.add(StudyInput.fromFile(o.input));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --input " + o.input + ": " + e, e);
            }
        } else {
            for (Distribution d : o.distributions) {
                for (double sigma : o.sigmas) {
                    inputs.add(StudyInput.synthetic(d, sigma, o.n, o.seed));
                }
            }
        }
        BlockSizeStudy.Result result = BlockSizeStudy.of(inputs, o.formats, o.blocks, o.scales).run();
        String table = result.table();
        if (o.svg != null) {
            try {
                Files.writeString(o.svg, result.svg(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write --svg " + o.svg + ": " + e, e);
            }
        }
        out.print(table);
        if (o.svg != null) {
            out.println("wrote " + o.svg);
        }
        return 0;
    }

    /**
     * The parsed options of {@code mx study}. Every value is checked here, so that a bad option is
     * reported before any work is done.
     */
    static final class Options {
        static final List<Distribution> DEFAULT_DISTRIBUTIONS = List.of(Distribution.NORMAL);
        static final List<Double> DEFAULT_SIGMAS = List.of(1.0);
        static final int DEFAULT_N = 1 << 16;
        /** The largest synthetic tensor: 2^26 floats, a few hundred MB with its quantized copies. */
        static final int MAX_N = 1 << 26;
        static final long DEFAULT_SEED = 1;
        static final List<String> DEFAULT_FORMATS = List.of("e2m1");
        static final List<Integer> DEFAULT_BLOCKS = List.of(8, 16, 32, 64, 128);
        static final List<String> DEFAULT_SCALES = List.of("ue4m3", "ue4m3+tensor", "ue5m3", "e8m0");

        final boolean help;
        final List<Distribution> distributions;
        final List<Double> sigmas;
        final int n;
        final long seed;
        final Path input;
        final List<ElementFormat> formats;
        final List<Integer> blocks;
        final List<StudyScale> scales;
        final Path svg;

        private Options(Parser p) {
            this.help = p.help;
            this.input = p.has("--input") ? Path.of(p.get("--input")) : null;
            if (input != null) {
                for (String synthetic : new String[]{"--dist", "--sigma", "--n", "--seed"}) {
                    if (p.has(synthetic)) {
                        throw new IllegalArgumentException("option " + synthetic + " describes synthetic data and cannot be "
                                + "combined with --input " + input);
                    }
                }
            }
            this.distributions = p.has("--dist") ? mapList(p.get("--dist"), "--dist", Distribution::byName) : DEFAULT_DISTRIBUTIONS;
            this.sigmas = p.has("--sigma") ? mapList(p.get("--sigma"), "--sigma", Options::positiveNumber) : DEFAULT_SIGMAS;
            this.n = p.has("--n") ? convert(p.get("--n"), "--n", Options::elementCount) : DEFAULT_N;
            this.seed = p.has("--seed") ? convert(p.get("--seed"), "--seed", Options::parseLong) : DEFAULT_SEED;
            this.formats = mapList(p.has("--formats") ? p.get("--formats") : String.join(",", DEFAULT_FORMATS), "--formats",
                    ElementFormat::byName);
            this.blocks = p.has("--blocks") ? mapList(p.get("--blocks"), "--blocks", Options::positiveInt) : DEFAULT_BLOCKS;
            this.scales = mapList(p.has("--scales") ? p.get("--scales") : String.join(",", DEFAULT_SCALES), "--scales", StudyScale::parse);
            this.svg = p.has("--svg") ? Path.of(p.get("--svg")) : null;
        }

        /**
         * Parses the arguments after {@code study}.
         *
         * @throws IllegalArgumentException naming the option and value at fault
         */
        static Options parse(String[] args) {
            return new Options(new Parser(args));
        }

        static String help() {
            return String.join("\n",
                    "usage: mx study [OPTIONS]",
                    "Quantizes tensors with every combination of element format x block size x scale format and",
                    "prints the error of each: a table of relative MSE by block size, then every measurement.",
                    "",
                    "data (synthetic unless --input is given):",
                    "  --dist D[,D...]      normal or laplace, mean 0 (default normal)",
                    "  --sigma S[,S...]     standard deviation of the synthetic data (default 1)",
                    "  --n N                elements per synthetic tensor (default " + DEFAULT_N + ", at most " + MAX_N + ")",
                    "  --seed SEED          seed of the synthetic data (default " + DEFAULT_SEED + ")",
                    "  --input FILE.f32     a raw little-endian float32 file instead of synthetic data",
                    "grid:",
                    "  --formats F[,F...]   element formats, e.g. e2m1,e4m3,e2m3 (default e2m1)",
                    "  --blocks K[,K...]    block sizes (default 8,16,32,64,128)",
                    "  --scales S[,S...]    scale setups SCALE[:RULE][+tensor] (default ue4m3,ue4m3+tensor,ue5m3,e8m0):",
                    "                       SCALE is e8m0, ue4m3 or ue5m3; RULE defaults to floor for e8m0 and rne",
                    "                       otherwise; +tensor adds a per-tensor float32 scale (two-level, as NVFP4)",
                    "output:",
                    "  --svg FILE.svg       also write a plot of relative MSE against block size",
                    "  --help               print this help",
                    "",
                    "example: mx study --dist normal --sigma 1e-3 --formats e2m1 --scales ue4m3,ue4m3+tensor,ue5m3,e8m0 --svg out.svg");
        }

        private interface Conversion<T> {
            T convert(String value);
        }

        private static <T> List<T> mapList(String value, String option, Conversion<T> conversion) {
            List<T> out = new ArrayList<>();
            for (String item : value.split(",", -1)) {
                String trimmed = item.trim();
                if (trimmed.isEmpty()) {
                    throw new IllegalArgumentException("option " + option + " has an empty item in '" + value + "'");
                }
                out.add(convert(trimmed, option, conversion));
            }
            return List.copyOf(out);
        }

        /** Converts one value, naming the option in any error. */
        private static <T> T convert(String value, String option, Conversion<T> conversion) {
            try {
                return conversion.convert(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option " + option + ": " + e.getMessage(), e);
            }
        }

        private static double positiveNumber(String v) {
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not a number", e);
            }
            if (!(d > 0) || !Double.isFinite(d)) {
                throw new IllegalArgumentException("'" + v + "' must be positive and finite");
            }
            return d;
        }

        private static int positiveInt(String v) {
            int i;
            try {
                i = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not an integer", e);
            }
            if (i < 1) {
                throw new IllegalArgumentException("'" + v + "' must be at least 1");
            }
            return i;
        }

        private static int elementCount(String v) {
            int n = positiveInt(v);
            if (n > MAX_N) {
                throw new IllegalArgumentException("'" + v + "' is more than " + MAX_N + " elements");
            }
            return n;
        }

        private static long parseLong(String v) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not an integer", e);
            }
        }

        /** Splits {@code --name value} and {@code --name=value} pairs; every option takes a value except --help. */
        private static final class Parser {
            private static final Set<String> OPTIONS = new HashSet<>(Arrays.asList(
                    "--dist", "--sigma", "--n", "--seed", "--input", "--formats", "--blocks", "--scales", "--svg"));
            private final java.util.Map<String, String> values = new java.util.HashMap<>();
            private boolean help;

            Parser(String[] args) {
                for (int i = 0; i < args.length; i++) {
                    String a = args[i];
                    if (a.equals("--help") || a.equals("-h")) {
                        help = true;
                        continue;
                    }
                    String name = a;
                    String value = null;
                    int eq = a.indexOf('=');
                    if (a.startsWith("--") && eq > 0) {
                        name = a.substring(0, eq);
                        value = a.substring(eq + 1);
                    }
                    if (!OPTIONS.contains(name)) {
                        throw new IllegalArgumentException("unknown option '" + a + "' (see mx study --help)");
                    }
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("option " + name + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (values.put(name, value) != null) {
                        throw new IllegalArgumentException("option " + name + " is given twice");
                    }
                }
            }

            boolean has(String name) {
                return values.containsKey(name);
            }

            String get(String name) {
                return values.get(name);
            }
        }
    }
}
