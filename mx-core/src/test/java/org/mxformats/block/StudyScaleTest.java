package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

class StudyScaleTest {

    @Test
    void parsesTheSpecsWithTheirDefaultRules() {
        StudyScale ue4m3 = StudyScale.parse("ue4m3");
        assertThat(ue4m3.scale()).isEqualTo(ElementFormat.UE4M3);
        assertThat(ue4m3.rule()).isEqualTo(ScaleRule.RNE);
        assertThat(ue4m3.tensorScale()).isFalse();
        StudyScale nv = StudyScale.parse("ue4m3+tensor");
        assertThat(nv.tensorScale()).isTrue();
        assertThat(nv.name()).isEqualTo("ue4m3+tensor");
        assertThat(StudyScale.parse("e8m0").rule()).isEqualTo(ScaleRule.FLOOR);
        assertThat(StudyScale.parse("e8m0:rceil").name()).isEqualTo("e8m0:rceil");
        assertThat(StudyScale.parse("e8m0:floor").name()).isEqualTo("e8m0");
        assertThat(StudyScale.parse("ue5m3:mse+tensor").name()).isEqualTo("ue5m3:mse+tensor");
        assertThat(StudyScale.parse("ue5m3:rne")).isEqualTo(StudyScale.parse("ue5m3"));
        assertThat(StudyScale.parse("ue5m3")).isNotEqualTo(StudyScale.parse("ue4m3"));
    }

    @Test
    void buildsTheMxFormat() {
        assertThat(StudyScale.parse("ue4m3+tensor").format(ElementFormat.E2M1, 16, Rounding.RNE)).isEqualTo(MxFormat.NVFP4);
        assertThat(StudyScale.parse("e8m0").format(ElementFormat.E2M1, 32, Rounding.RNE)).isEqualTo(MxFormat.MXFP4);
    }

    @Test
    void refusesWhatDoesNotCombine() {
        assertThatThrownBy(() -> StudyScale.parse("e8m0+tensor")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("e8m0+tensor");
        assertThatThrownBy(() -> StudyScale.parse("ue4m3:floor")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ue4m3:floor");
        assertThatThrownBy(() -> StudyScale.parse("e4m3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("e4m3");
        assertThatThrownBy(() -> StudyScale.parse("ue4m3:best")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("best");
        assertThatThrownBy(() -> StudyScale.parse("u9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("u9");
    }
}
