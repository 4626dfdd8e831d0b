package org.mxformats.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.mxformats.format.ElementFormat;
import org.mxformats.vectors.ConformanceChecker;

/**
 * The {@code mx} command line: {@code mx check PATH...}, {@code mx info}, {@code mx study [OPTIONS]}.
 */
public final class Main {
    private Main() {
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command, printing to {@code out}/{@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(usage());
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "check":
                    return check(rest, out);
                case "info":
                    return info(out);
                case "study":
                    return StudyCommand.run(rest, out);
                default:
                    err.println("mx: unknown command '" + args[0] + "'");
                    err.println(usage());
                    return 2;
            }
        } catch (IllegalArgumentException e) {
            err.println("mx " + args[0] + ": " + e.getMessage());
            return 2;
        }
    }

    static String usage() {
        return String.join("\n",
                "usage: mx COMMAND [ARGS]",
                "  check PATH...   check the library against every .mxv vector file under each PATH",
                "  info            print the table of every built-in format",
                "  study [OPTIONS] quantization error against block size over formats x scales (mx study --help)");
    }

    private static int check(String[] args, PrintStream out) {
        if (args.length == 0) {
            throw new IllegalArgumentException("give at least one file or folder of .mxv files");
        }
        List<Path> paths = new ArrayList<>();
        for (String a : args) {
            paths.add(Path.of(a));
        }
        ConformanceChecker.Result r = ConformanceChecker.check(paths, out::println);
        out.println(r.summary());
        return r.exitStatus();
    }

    private static int info(PrintStream out) {
        out.println(String.format(Locale.ROOT, "%-6s %4s %-15s %4s %4s %12s %14s %14s  %s",
                "format", "bits", "sign", "E/M", "bias", "max", "min normal", "min subnormal", "specials"));
        for (ElementFormat f : ElementFormat.builtIn()) {
            out.println(String.format(Locale.ROOT, "%-6s %4d %-15s %4s %4d %12s %14s %14s  %s",
                    f.name(), f.bits(), f.signEncoding().name().toLowerCase(Locale.ROOT), f.exponentBits() + "/" + f.mantissaBits(),
                    f.bias(), num(f.maxFinite()), num(f.minNormal()), num(f.minSubnormal()), specials(f)));
        }
        return 0;
    }

    private static String num(double v) {
        int e = Math.getExponent(v);
        if (v == Math.scalb(1.0, e) && Math.abs(e) > 10) {
            return "2^" + e;
        }
        return String.valueOf(v);
    }

    private static String specials(ElementFormat f) {
        List<String> s = new ArrayList<>();
        if (f.hasInfinity()) {
            s.add("inf " + hex(f, f.infinityCode(false)) + (f.isSigned() ? "/" + hex(f, f.infinityCode(true)) : ""));
        }
        if (f.hasNaN()) {
            List<String> runs = new ArrayList<>();
            for (int c = 0; c < f.codeCount(); c++) {
                if (f.isNaN(c)) {
                    int start = c;
                    while (c + 1 < f.codeCount() && f.isNaN(c + 1)) {
                        c++;
                    }
                    runs.add(start == c ? hex(f, c) : hex(f, start) + ".." + hex(f, c));
                }
            }
            s.add("nan " + String.join("/", runs));
        }
        if (f.hasNegativeZero()) {
            s.add("-0");
        }
        if (!f.hasZero()) {
            s.add("no zero");
        }
        return s.isEmpty() ? "finite only" : String.join(", ", s);
    }

    private static String hex(ElementFormat f, int code) {
        return String.format(Locale.ROOT, "%0" + ((f.bits() + 3) / 4) + "x", code);
    }
}
