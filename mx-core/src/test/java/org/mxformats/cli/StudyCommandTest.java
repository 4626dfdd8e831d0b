package org.mxformats.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxformats.block.StudyScale;
import org.mxformats.block.StudyInput.Distribution;
import org.mxformats.format.ElementFormat;

class StudyCommandTest {

    @Test
    void defaults() {
        StudyCommand.Options o = StudyCommand.Options.parse(new String[0]);
        assertThat(o.help).isFalse();
        assertThat(o.distributions).containsExactly(Distribution.NORMAL);
        assertThat(o.sigmas).containsExactly(1.0);
        assertThat(o.n).isEqualTo(65536);
        assertThat(o.seed).isEqualTo(1);
        assertThat(o.input).isNull();
        assertThat(o.formats).containsExactly(ElementFormat.E2M1);
        assertThat(o.blocks).containsExactly(8, 16, 32, 64, 128);
        assertThat(o.scales).extracting(StudyScale::name).containsExactly("ue4m3", "ue4m3+tensor", "ue5m3", "e8m0");
        assertThat(o.svg).isNull();
    }

    @Test
    void everyOptionInBothSpellings() {
        StudyCommand.Options o = StudyCommand.Options.parse(new String[]{"--dist", "normal,laplace", "--sigma=1e-3,0.5",
                "--n", "100", "--seed=-3", "--formats", "e2m1, e4m3", "--blocks=4,32", "--scales", "ue5m3,e8m0:rceil",
                "--svg", "out.svg"});
        assertThat(o.distributions).containsExactly(Distribution.NORMAL, Distribution.LAPLACE);
        assertThat(o.sigmas).containsExactly(1e-3, 0.5);
        assertThat(o.n).isEqualTo(100);
        assertThat(o.seed).isEqualTo(-3);
        assertThat(o.formats).containsExactly(ElementFormat.E2M1, ElementFormat.E4M3);
        assertThat(o.blocks).containsExactly(4, 32);
        assertThat(o.scales).containsExactly(StudyScale.parse("ue5m3"), StudyScale.parse("e8m0:rceil"));
        assertThat(o.svg).isEqualTo(Path.of("out.svg"));
        assertThat(StudyCommand.Options.parse(new String[]{"--input", "w.f32", "--help"}).input).isEqualTo(Path.of("w.f32"));
        assertThat(StudyCommand.Options.parse(new String[]{"--help"}).help).isTrue();
    }

    @Test
    void badOptionsNameTheOptionAndValue() {
        assertRefused("unknown option '--frob'", "--frob", "1");
        assertRefused("--n needs a value", "--n");
        assertRefused("--n: 'x' is not an integer", "--n", "x");
        assertRefused("--n: '0' must be at least 1", "--n", "0");
        assertRefused("--n: '67108865' is more than 67108864 elements", "--n", "67108865");
        assertRefused("--blocks: '0' must be at least 1", "--blocks", "8,0");
        assertRefused("--blocks has an empty item", "--blocks", "8,,16");
        assertRefused("--sigma: '-1' must be positive", "--sigma", "-1");
        assertRefused("--sigma: 'abc' is not a number", "--sigma", "abc");
        assertRefused("--dist: unknown distribution 'cauchy'", "--dist", "cauchy");
        assertRefused("--formats", "--formats", "e9m9");
        assertRefused("--seed: 'q' is not an integer", "--seed", "q");
        assertRefused("--sigma is given twice", "--sigma", "1", "--sigma", "2");
        assertRefused("--sigma describes synthetic data", "--input", "a.f32", "--sigma", "2");
        assertRefused("--scales: scale setup 'e8m0+tensor'", "--scales", "ue4m3,e8m0+tensor");
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int main(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void studyRunsThroughMainAndWritesTheSvg(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("plot.svg");
        assertThat(main("study", "--dist", "normal,laplace", "--sigma", "1e-3", "--n", "512", "--blocks", "8,16",
                "--scales", "ue4m3,ue5m3", "--svg", svg.toString())).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("relative MSE").contains("normal(sigma=0.001)").contains("laplace(sigma=0.001)")
                .contains("k=8").contains("k=16").contains("wrote " + svg);
        assertThat(text.lines().filter(l -> l.contains("e2m1") && l.contains("ue5m3"))).hasSize(2 + 4);
        assertThat(DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile())
                .getElementsByTagName("polyline").getLength()).isEqualTo(4);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void studyReadsAFloat32File(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.f32");
        Files.write(f, new byte[]{0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}); // 1.0f, -2.0f
        assertThat(main("study", "--input", f.toString(), "--blocks", "1,2", "--scales", "e8m0")).isZero();
        // both values are exact in e2m1 with a power-of-two scale
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("t.f32").containsPattern("t\\.f32 +e2m1 +e8m0 +0\\.000 +0\\.000");
    }

    @Test
    void studyHelpAndErrorsThroughMain() {
        assertThat(main("study", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: mx study").contains("--scales");
        assertThat(main("help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("study [OPTIONS]");
        assertThat(main("study", "--blocks", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("mx study: option --blocks: '0' must be at least 1");
        assertThat(main("study", "--input", "/no/such/file.f32")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("/no/such/file.f32");
        assertThat(main("study", "--n", "16", "--svg", "/no/such/dir/p.svg")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot write --svg /no/such/dir/p.svg");
    }

    private static void assertRefused(String message, String... args) {
        assertThatThrownBy(() -> StudyCommand.Options.parse(args)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
