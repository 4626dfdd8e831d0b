package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class StudySvgTest {

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static double attr(Element e, String name) {
        return Double.parseDouble(e.getAttribute(name));
    }

    @Test
    void pointsLandOnTheirDecadeAndBlockSizeGridLines() throws Exception {
        StudySvg.Series a = new StudySvg.Series("a <&> \"b\"", new double[]{8, 16, 32}, new double[]{1e-1, 1e-2, 1e-3});
        StudySvg.Series b = new StudySvg.Series("flat", new double[]{8, 32}, new double[]{1e-2, 1e-2});
        String svg = StudySvg.lineChart("t & t", "block size", "relative MSE", List.of(a, b));
        Document doc = parse(svg); // well-formed XML, labels escaped
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");

        // tick labels: the text's baseline sits 4 px below its grid line for y, 16 px below the plot for x
        Map<String, Double> yTick = new HashMap<>();
        Map<String, Double> xTick = new HashMap<>();
        NodeList texts = doc.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            yTick.put(t.getTextContent(), attr(t, "y") - 4);
            xTick.put(t.getTextContent(), attr(t, "x"));
        }
        assertThat(yTick).containsKeys("1e-3", "1e-2", "1e-1", "t & t", "a <&> \"b\"", "flat");
        assertThat(yTick).doesNotContainKeys("1e-4", "1e0");

        NodeList circles = doc.getElementsByTagName("circle");
        assertThat(circles.getLength()).isEqualTo(5);
        String[] expectedY = {"1e-1", "1e-2", "1e-3", "1e-2", "1e-2"};
        String[] expectedX = {"8", "16", "32", "8", "32"};
        for (int i = 0; i < 5; i++) {
            Element c = (Element) circles.item(i);
            assertThat(attr(c, "cy")).isCloseTo(yTick.get(expectedY[i]), within(0.011));
            assertThat(attr(c, "cx")).isCloseTo(xTick.get(expectedX[i]), within(0.011));
        }
        // log2 x axis: 8 -> 16 is as long as 16 -> 32
        assertThat(xTick.get("16") - xTick.get("8")).isCloseTo(xTick.get("32") - xTick.get("16"), within(0.02));
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(StudySvg.lineChart("t & t", "block size", "relative MSE", List.of(a, b))).isEqualTo(svg);
    }

    @Test
    void undrawablePointsBreakTheLine() throws Exception {
        StudySvg.Series s = new StudySvg.Series("s", new double[]{8, 16, 32, 64, 128},
                new double[]{1e-2, 2e-2, 0, 3e-2, Double.NaN});
        Document doc = parse(StudySvg.lineChart("t", "x", "y", List.of(s)));
        assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(3);
        NodeList lines = doc.getElementsByTagName("polyline");
        assertThat(lines.getLength()).isEqualTo(1); // 8-16; 64 alone has no segment
        assertThat(((Element) lines.item(0)).getAttribute("points").split(" ")).hasSize(2);
    }

    @Test
    void styleIndicesGroupSeriesAndNarrowRangesKeepADecadeTick() throws Exception {
        double[] x = {8, 16};
        List<StudySvg.Series> series = List.of(
                new StudySvg.Series("a", x, new double[]{0.02, 0.03}, 0, 0),
                new StudySvg.Series("b", x, new double[]{0.02, 0.04}, 0, 1),
                new StudySvg.Series("c", x, new double[]{0.05, 0.03}, 1, 0));
        Document doc = parse(StudySvg.lineChart("t", "x", "y", series));
        NodeList lines = doc.getElementsByTagName("polyline");
        Element a = (Element) lines.item(0);
        Element b = (Element) lines.item(1);
        Element c = (Element) lines.item(2);
        assertThat(a.getAttribute("stroke")).isEqualTo(b.getAttribute("stroke")).isNotEqualTo(c.getAttribute("stroke"));
        assertThat(a.getAttribute("stroke-dasharray")).isEqualTo(c.getAttribute("stroke-dasharray")).isEmpty();
        assertThat(b.getAttribute("stroke-dasharray")).isNotEmpty();
        // 0.02..0.05 holds no decade: the axis widens to 1e-2..1e-1
        StringBuilder labels = new StringBuilder();
        NodeList texts = doc.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            labels.append(texts.item(i).getTextContent()).append(' ');
        }
        assertThat(labels.toString()).contains("1e-2 ").contains("1e-1 ");
        assertThatThrownBy(() -> new StudySvg.Series("s", x, x, -2, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-2");
    }

    @Test
    void badSeriesAreRefused() {
        assertThatThrownBy(() -> new StudySvg.Series("s", new double[]{1, 2}, new double[]{1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'s'");
        StudySvg.Series none = new StudySvg.Series("s", new double[]{8}, new double[]{0});
        assertThatThrownBy(() -> StudySvg.lineChart("empty", "x", "y", List.of(none)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }
}
