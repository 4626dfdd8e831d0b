package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.mxformats.block.StudyInput.Distribution;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class BlockSizeStudyTest {
    private static final StudyScale UE4M3 = StudyScale.parse("ue4m3");
    private static final StudyScale UE4M3_TENSOR = StudyScale.parse("ue4m3+tensor");
    private static final StudyScale UE5M3 = StudyScale.parse("ue5m3");
    private static final StudyScale E8M0 = StudyScale.parse("e8m0");

    @Test
    void everyCellIsTheErrorReportOfItsFormat() throws Exception {
        List<StudyInput> inputs = List.of(StudyInput.synthetic(Distribution.NORMAL, 0.01, 1000, 3),
                StudyInput.synthetic(Distribution.LAPLACE, 2, 999, 4));
        List<ElementFormat> elements = List.of(ElementFormat.E2M1, ElementFormat.E4M3);
        List<Integer> ks = List.of(8, 32, 5);
        List<StudyScale> scales = List.of(UE4M3, E8M0);
        BlockSizeStudy.Result r = BlockSizeStudy.of(inputs, elements, ks, scales).run();
        assertThat(r.cells()).hasSize(24);
        int i = 0;
        for (StudyInput in : inputs) {
            for (ElementFormat e : elements) {
                for (StudyScale s : scales) {
                    for (int k : ks) {
                        BlockSizeStudy.Cell c = r.cells().get(i++);
                        assertThat(c.input()).isSameAs(in);
                        assertThat(c.element()).isEqualTo(e);
                        assertThat(c.scale()).isEqualTo(s);
                        assertThat(c.blockSize()).isEqualTo(k);
                        MxFormat f = MxFormat.of(e, s.scale(), k, s.rule(), Rounding.RNE);
                        assertThat(c.report().format()).contains(f);
                        assertThat(c.report().toString()).isEqualTo(ErrorReport.measure(f, in.values()).toString());
                        assertThat(r.cell(in, e, s, k)).isSameAs(c);
                    }
                }
            }
        }

        // the summary table has one row per series, with each cell's relative MSE
        String table = r.table();
        String row = String.format(Locale.ROOT, "%-18s  %-6s %-14s", "laplace(sigma=2)", "e4m3", "e8m0");
        String line = table.lines().filter(l -> l.startsWith(row)).findFirst().orElseThrow();
        for (int k : ks) {
            String v = String.format(Locale.ROOT, "%10.4g", r.cell(inputs.get(1), ElementFormat.E4M3, E8M0, k).report().relativeMse());
            assertThat(line).contains(v);
        }
        assertThat(table.lines().filter(l -> l.contains("normal(sigma=0.01)"))).hasSize(4 + 12);

        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(r.svg().getBytes(StandardCharsets.UTF_8)));
        NodeList series = svg.getElementsByTagName("g");
        assertThat(series.getLength()).isEqualTo(8);
        assertThat(series.item(7).getTextContent()).contains("laplace(sigma=2) e4m3 e8m0");
    }

    /** The finding docs/block-size.md reports, on the data it uses. */
    @Test
    void narrowNormalDataPunishesSmallBlocksOnlyWithBareUe4m3Scales() {
        StudyInput in = StudyInput.synthetic(Distribution.NORMAL, 3e-3, 1 << 16, 1);
        BlockSizeStudy.Result r = BlockSizeStudy.of(List.of(in), List.of(ElementFormat.E2M1), List.of(8, 128),
                List.of(UE4M3, UE4M3_TENSOR, UE5M3)).run();
        double bare8 = r.cell(in, ElementFormat.E2M1, UE4M3, 8).report().relativeMse();
        double bare128 = r.cell(in, ElementFormat.E2M1, UE4M3, 128).report().relativeMse();
        assertThat(bare8).isGreaterThan(5 * bare128);
        assertThat(r.cell(in, ElementFormat.E2M1, UE4M3, 8).report().underflowedScaleBlockShare()).isEqualTo(1.0);
        for (StudyScale fixed : List.of(UE4M3_TENSOR, UE5M3)) {
            double small = r.cell(in, ElementFormat.E2M1, fixed, 8).report().relativeMse();
            double large = r.cell(in, ElementFormat.E2M1, fixed, 128).report().relativeMse();
            assertThat(small).as("%s", fixed).isLessThan(large);
            assertThat(bare8).isGreaterThan(10 * small);
            assertThat(r.cell(in, ElementFormat.E2M1, fixed, 8).report().underflowedScaleBlockCount()).isZero();
        }
    }

    @Test
    void badStudiesAreRefused() {
        List<StudyInput> in = List.of(StudyInput.of("x", new float[]{1, 2}));
        List<ElementFormat> e = List.of(ElementFormat.E2M1);
        assertThatThrownBy(() -> BlockSizeStudy.of(in, e, List.of(8, 0), List.of(UE4M3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size 0");
        assertThatThrownBy(() -> BlockSizeStudy.of(List.of(), e, List.of(8), List.of(UE4M3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputs");
        assertThatThrownBy(() -> BlockSizeStudy.of(in, e, List.of(8), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale setups");
        assertThatThrownBy(() -> BlockSizeStudy.of(in, e, List.of(8), List.of(UE4M3)).withElementRounding(Rounding.STOCHASTIC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deterministic");
        assertThatThrownBy(() -> BlockSizeStudy.of(in, List.of(ElementFormat.UE4M3), List.of(8), List.of(UE4M3)).run())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("element format ue4m3");
        assertThat(BlockSizeStudy.of(in, e, List.of(8, 8, 16), List.of(UE4M3, UE4M3)).blockSizes()).containsExactly(8, 16);
    }
}
