package org.mxformats.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCheckTest {
    @TempDir
    Path dir;

    private final List<String> out = new ArrayList<>();

    private ConformanceChecker.Result run(String... lines) throws IOException {
        Path f = dir.resolve("q.mxv");
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return ConformanceChecker.check(List.of(f), out::add);
    }

    private static final String[] HEADER = {"@op quantize", "@elem e2m1", "@scale e8m0", "@scale-rule floor",
            "@rounding rne", "@block 4"};

    private ConformanceChecker.Result runWith(String... records) throws IOException {
        List<String> all = new ArrayList<>(List.of(HEADER));
        all.addAll(List.of(records));
        return run(all.toArray(new String[0]));
    }

    @Test
    void handWorkedRecordsPassAndAWrongCodeFails() throws IOException {
        // [6, 0.75, -0.25, -0]: amax 6, floor(log2 6) = 2, X = 2^(2-2) = 1 (code 7f):
        // 6 -> 7, 0.75 ties between 0.5 (1) and 1 (2) -> 2, -0.25 ties between 0 and -0.5 -> 8 (-0), -0 -> 8
        ConformanceChecker.Result r = runWith(
                "40c00000,3f400000,be800000,80000000 7f 7,2,8,8",
                "40c00000,3f400000,be800000,7fc00000 ff *",
                "40c00000,3f400000,be800000,80000000 7f 7,1,8,8");
        assertThat(r).isEqualTo(new ConformanceChecker.Result(2, 1));
        assertThat(out).singleElement().asString().contains("q.mxv:9:")
                .contains("expected scale 7f codes 7,1,8,8, got scale 7f codes 7,2,8,8");
    }

    @Test
    void malformedDirectivesAndRecordsNameTheLine() throws IOException {
        runWith("40c00000,3f400000 7f 7,2");
        assertThat(out).singleElement().asString().contains("q.mxv:7: error").contains("expected 4 float32 values");
        out.clear();
        run("@op quantize", "@scale-rule round");
        assertThat(out).singleElement().asString().contains("q.mxv:2: error").contains("round");
        out.clear();
        run("@op quantize", "@elem e2m1", "@scale ue4m3", "@scale-rule floor", "@rounding rne", "@block 4",
                "0,0,0,0 00 0,0,0,0");
        assertThat(out).singleElement().asString().contains("q.mxv:7: error").contains("does not fit scale format ue4m3");
        out.clear();
        runWith("0,0,0,0 00 0,0,0,10");
        assertThat(out).singleElement().asString().contains("error").contains("not a e2m1 code");
    }
}
