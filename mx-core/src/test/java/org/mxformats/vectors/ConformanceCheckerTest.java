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

class ConformanceCheckerTest {
    @TempDir
    Path dir;

    private final List<String> out = new ArrayList<>();

    private ConformanceChecker.Result run(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return ConformanceChecker.check(List.of(dir), out::add);
    }

    @Test
    void passingDecodeAndEncodeRecords() throws IOException {
        ConformanceChecker.Result r = run("ok.mxv", String.join("\n",
                "# comment line",
                "@op decode",
                "@format e2m1",
                "0 00000000",
                "8 80000000   # -0 keeps its sign",
                "7 40c00000",
                "F c0c00000",
                "",
                "@format e4m3",
                "7f 7fc00000",
                "ff 7f800001  # any NaN matches",
                "@op encode",
                "@rounding rne",
                "@overflow sat",
                "43e80000 7e",
                "7f800000 7e",
                "@overflow nosat",
                "43f00000 7f",
                "7fc00000 ff",
                ""));
        assertThat(out).isEmpty();
        assertThat(r).isEqualTo(new ConformanceChecker.Result(10, 0));
        assertThat(r.exitStatus()).isZero();
        assertThat(r.summary()).isEqualTo("10 passed, 0 failed");
    }

    @Test
    void failuresNameFileLineExpectedAndGot() throws IOException {
        ConformanceChecker.Result r = run("bad.mxv", "@op decode\n@format e2m1\n1 3f800000\n2 3f800000\n");
        assertThat(r).isEqualTo(new ConformanceChecker.Result(1, 1));
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(out).singleElement().asString()
                .contains("bad.mxv:3: expected 3f800000").contains("got 3f000000");
    }

    @Test
    void signedZeroMismatchIsAFailure() throws IOException {
        ConformanceChecker.Result r = run("z.mxv", "@op decode\n@format e2m1\n8 00000000\n");
        assertThat(r.failed()).isEqualTo(1);
    }

    @Test
    void onlyAFewFailuresPerFileArePrintedThenCounted() throws IOException {
        StringBuilder sb = new StringBuilder("@op decode\n@format e2m1\n");
        for (int i = 0; i < 9; i++) {
            sb.append("1 3f800000\n");
        }
        ConformanceChecker.Result r = run("many.mxv", sb.toString());
        assertThat(r.failed()).isEqualTo(9);
        assertThat(out).hasSize(ConformanceChecker.FAILURES_SHOWN_PER_FILE + 1);
        assertThat(out.get(out.size() - 1)).endsWith("4 more failures");
    }

    @Test
    void malformedInputIsAnErrorNamingFileAndLine() throws IOException {
        String[][] cases = {
                {"@op decode\n@format e2m1\n@frobnicate 1\n", ":3: error: unknown directive @frobnicate"},
                {"@op decode\n1 3f800000\n", ":2: error: missing required directive @format"},
                {"@format e2m1\n1 3f800000\n", ":2: error: missing required directive @op"},
                {"@op decode\n@format e2m1\n1  3f000000\n", ":3: error: fields must be separated by single spaces"},
                {"@op decode\n@format e2m1\n1 3f000000 7\n", ":3: error: expected 2 space-separated fields"},
                {"@op decode\n@format e2m1\n10 3f000000\n", ":3: error:"},
                {"@op decode\n@format e2m1\n1 0x3f000000\n", ":3: error:"},
                {"@op decode\n@format e9m9\n", ":2: error: @format e9m9: unknown format"},
                {"@op transmogrify\n", ":1: error: unknown op 'transmogrify'"},
                {"@op encode\n@format e2m1\n@rounding rne\n@overflow nosat\n3f800000 2\n", ":5: error: overflow nosat is not allowed for e2m1"},
                {"@op encode\n@format e2m1\n@rounding stochastic\n", ":3: error:"},
                {"@op encode\n@format e2m1\n@rounding rne\n3f800000 2\n", ":4: error: missing required directive @overflow"},
        };
        for (String[] c : cases) {
            out.clear();
            Path f = dir.resolve("m.mxv");
            Files.writeString(f, c[0]);
            ConformanceChecker.Result r = ConformanceChecker.check(List.of(f), out::add);
            assertThat(r.failed()).as(c[0]).isEqualTo(1);
            assertThat(r.exitStatus()).isEqualTo(1);
            assertThat(out).as(c[0]).anySatisfy(l -> assertThat(l).contains("m.mxv" + c[1]));
        }
    }

    @Test
    void nothingCheckedIsNotASuccess() throws IOException {
        ConformanceChecker.Result r = run("empty.mxv", "# nothing\n@op decode\n");
        assertThat(r).isEqualTo(new ConformanceChecker.Result(0, 0));
        assertThat(r.exitStatus()).isEqualTo(1);
    }

    @Test
    void nonUtf8IsAnError() throws IOException {
        Files.write(dir.resolve("x.mxv"), new byte[]{'#', (byte) 0xff, (byte) 0xfe, '\n'});
        ConformanceChecker.Result r = ConformanceChecker.check(List.of(dir), out::add);
        assertThat(r.failed()).isEqualTo(1);
        assertThat(out).anySatisfy(l -> assertThat(l).contains("UTF-8"));
    }

    @Test
    void directivesHoldPerFileOnly() throws IOException {
        Files.writeString(dir.resolve("a.mxv"), "@op decode\n@format e2m1\n1 3f000000\n");
        Files.writeString(dir.resolve("b.mxv"), "1 3f000000\n");
        ConformanceChecker.Result r = ConformanceChecker.check(List.of(dir), out::add);
        assertThat(r).isEqualTo(new ConformanceChecker.Result(1, 1));
        assertThat(out).anySatisfy(l -> assertThat(l).contains("b.mxv:1: error: missing required directive @op"));
    }
}
