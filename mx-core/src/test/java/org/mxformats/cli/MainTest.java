package org.mxformats.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void infoListsEveryBuiltInFormat() {
        assertThat(run("info")).isZero();
        String s = out.toString(StandardCharsets.UTF_8);
        for (String f : new String[]{"e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "int8", "e3m4", "e8m0", "ue4m3", "ue5m3"}) {
            assertThat(s).contains(f);
        }
        assertThat(s).contains("448.0").contains("57344.0").contains("114688.0").contains("nan 7f/ff");
    }

    @Test
    void checkEndsWithTheSummaryLineAndExitStatus(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.mxv"), "@op decode\n@format e2m1\n1 3f000000\n2 3f000000\n");
        assertThat(run("check", dir.toString())).isEqualTo(1);
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines[lines.length - 1]).isEqualTo("1 passed, 1 failed");
        assertThat(lines[0]).contains("a.mxv:4: expected 3f000000");
    }

    @Test
    void badUsageIsReported() {
        assertThat(run("check")).isEqualTo(2);
        assertThat(run("check", "/no/such/dir")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("/no/such/dir");
        assertThat(run("frob")).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
    }
}
