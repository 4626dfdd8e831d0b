package org.mxformats.vectors;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.io.InputStreamReader;

/**
 * Checks the library against {@code .mxv} conformance vector files, as the contract in
 * {@code conformance-vectors.md} defines them: one case a line, directives with {@code @name value},
 * {@code #} comments. Every malformed line is an error naming the file and line; nothing is skipped
 * silently. Stateless and thread-safe.
 */
public final class ConformanceChecker {
    /** Failures printed per file before the rest are only counted. */
    public static final int FAILURES_SHOWN_PER_FILE = 5;

    private static final Map<String, OpCheck> OPS = Map.of(
            "decode", ConversionChecks.DECODE,
            "encode", ConversionChecks.ENCODE,
            "quantize", QuantizeCheck.QUANTIZE,
            "dot", DotCheck.DOT);

    /** The outcome of a check: counts, plus every line printed along the way. */
    public record Result(long passed, long failed) {
        /** Exit status of {@code mx check}: 0 only if nothing failed and something was checked. */
        public int exitStatus() {
            return failed == 0 && passed > 0 ? 0 : 1;
        }

        /** The contract's closing line, {@code N passed, N failed}. */
        public String summary() {
            return passed + " passed, " + failed + " failed";
        }

        Result plus(Result o) {
            return new Result(passed + o.passed, failed + o.failed);
        }
    }

    private ConformanceChecker() {
    }

    /** The {@code .mxv} files under each path (a file is taken as it is), in a stable sorted order. */
    public static List<Path> collect(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".mxv"))
                            .sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IllegalArgumentException("no such file or folder: " + p);
            }
        }
        return files;
    }

    /** Checks every file under the paths, sending each message line to {@code out}. */
    public static Result check(List<Path> paths, Consumer<String> out) {
        Result total = new Result(0, 0);
        for (Path file : collect(paths)) {
            total = total.plus(checkFile(file, out));
        }
        return total;
    }

    /** Checks one file; a malformed line counts as one failure and ends the file. */
    public static Result checkFile(Path file, Consumer<String> out) {
        String name = file.toString();
        long passed = 0;
        long failed = 0;
        Map<String, String> state = new HashMap<>();
        Directives directives = new Directives(state);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                int hash = line.indexOf('#');
                String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (text.isEmpty()) {
                    continue;
                }
                try {
                    if (text.charAt(0) == '@') {
                        directive(text, state);
                        directives = new Directives(state);
                        continue;
                    }
                    OpCheck check = OPS.get(directives.get("op"));
                    String[] fields = text.split(" ", -1);
                    for (String f : fields) {
                        if (f.isEmpty()) {
                            throw new IllegalArgumentException("fields must be separated by single spaces");
                        }
                    }
                    String failure = check.check(directives, fields);
                    if (failure == null) {
                        passed++;
                    } else {
                        failed++;
                        if (failed <= FAILURES_SHOWN_PER_FILE) {
                            out.accept(name + ":" + lineNo + ": " + failure);
                        }
                    }
                } catch (IllegalArgumentException | ArithmeticException e) {
                    out.accept(new MxvException(name, lineNo, "error: " + e.getMessage()).getMessage());
                    return new Result(passed, failed + 1);
                }
            }
        } catch (CharacterCodingException e) {
            out.accept(name + ": error: not UTF-8 text");
            return new Result(passed, failed + 1);
        } catch (IOException e) {
            out.accept(name + ": error: " + e.getMessage());
            return new Result(passed, failed + 1);
        }
        if (failed > FAILURES_SHOWN_PER_FILE) {
            out.accept(name + ": " + (failed - FAILURES_SHOWN_PER_FILE) + " more failures");
        }
        return new Result(passed, failed);
    }

    private static void directive(String text, Map<String, String> state) {
        String[] parts = text.substring(1).split(" ", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("a directive is '@name value', got '" + text + "'");
        }
        if (!Directives.KNOWN.contains(parts[0])) {
            throw new IllegalArgumentException("unknown directive @" + parts[0]);
        }
        state.put(parts[0], parts[1]);
        validate(parts[0], new Directives(state));
    }

    /** Rejects a bad value at its own line rather than at the first record that uses it. */
    private static void validate(String name, Directives d) {
        switch (name) {
            case "op":
                if (!OPS.containsKey(d.get("op"))) {
                    throw new IllegalArgumentException("unknown op '" + d.get("op") + "' (expected one of "
                            + String.join(", ", OPS.keySet()) + ")");
                }
                break;
            case "format": case "elem": case "elem-a": case "elem-b": case "scale":
                d.format(name);
                break;
            case "rounding":
                d.rounding(name);
                break;
            case "overflow":
                d.overflow(name);
                break;
            case "block": case "blocks":
                d.positiveInt(name);
                break;
            case "scale-rule":
                QuantizeCheck.rule(d);
                break;
            default:
                break;
        }
    }
}
