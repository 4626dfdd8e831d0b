package org.mxformats.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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
        assertThat(o.scales).containsExactly("ue4m3", "ue4m3+tensor", "ue5m3", "e8m0");
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
        assertThat(o.scales).containsExactly("ue5m3", "e8m0:rceil");
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
        assertRefused("--blocks: '0' must be at least 1", "--blocks", "8,0");
        assertRefused("--blocks has an empty item", "--blocks", "8,,16");
        assertRefused("--sigma: '-1' must be positive", "--sigma", "-1");
        assertRefused("--sigma: 'abc' is not a number", "--sigma", "abc");
        assertRefused("--dist: unknown distribution 'cauchy'", "--dist", "cauchy");
        assertRefused("--formats", "--formats", "e9m9");
        assertRefused("--seed: 'q' is not an integer", "--seed", "q");
        assertRefused("--sigma is given twice", "--sigma", "1", "--sigma", "2");
        assertRefused("--sigma describes synthetic data", "--input", "a.f32", "--sigma", "2");
    }

    private static void assertRefused(String message, String... args) {
        assertThatThrownBy(() -> StudyCommand.Options.parse(args)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
