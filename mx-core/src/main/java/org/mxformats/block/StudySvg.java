package org.mxformats.block;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A small, dependency-free SVG line chart with a base-2 logarithmic x axis and a base-10 logarithmic
 * y axis, as {@link BlockSizeStudy} draws error against block size. The output is deterministic: the
 * same series give the same bytes.
 */
public final class StudySvg {
    private static final int WIDTH = 860;
    private static final int HEIGHT = 500;
    private static final int LEFT = 80;
    private static final int RIGHT = 300;
    private static final int TOP = 46;
    private static final int BOTTOM = 60;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    private static final String[] DASHES = {"", "7,4", "2,3", "9,3,2,3"};

    private StudySvg() {
    }

    /** One line of the chart: a label and its points. Immutable (the arrays are copied). */
    public static final class Series {
        private final String label;
        private final double[] x;
        private final double[] y;
        private final int color;
        private final int dash;

        /**
         * A series of points {@code (x[i], y[i])}, styled by its position in the chart. Points whose x
         * or y is not positive and finite are not drawn (they have no place on a logarithmic axis), and
         * the line breaks there.
         *
         * @throws IllegalArgumentException if the arrays differ in length
         */
        public Series(String label, double[] x, double[] y) {
            this(label, x, y, -1, -1);
        }

        /**
         * A series with a chosen style: series that share a color index share a color, series that
         * share a dash index share a dash pattern (0 is solid), so that related lines look related.
         *
         * @throws IllegalArgumentException if the arrays differ in length or an index is below -1
         *         (-1 means "by position")
         */
        public Series(String label, double[] x, double[] y, int color, int dash) {
            this.label = Objects.requireNonNull(label, "label");
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + label + "' has " + x.length + " x values but "
                        + y.length + " y values");
            }
            if (color < -1 || dash < -1) {
                throw new IllegalArgumentException("series '" + label + "' has style indices " + color + ", " + dash
                        + "; they must be >= -1");
            }
            this.x = x.clone();
            this.y = y.clone();
            this.color = color;
            this.dash = dash;
        }

        /** The legend label. */
        public String label() { return label; }

        /** A copy of the x values. */
        public double[] x() { return x.clone(); }

        /** A copy of the y values. */
        public double[] y() { return y.clone(); }
    }

    /**
     * The SVG document of a line chart of the series.
     *
     * @param title  the chart title
     * @param xLabel the x axis title (the axis is base-2 logarithmic, ticked at every x value used)
     * @param yLabel the y axis title (the axis is base-10 logarithmic, ticked at every decade)
     * @throws IllegalArgumentException if there is no drawable point at all
     */
    public static String lineChart(String title, String xLabel, String yLabel, List<Series> series) {
        TreeSet<Double> xs = new TreeSet<>();
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (drawable(s.x[i], s.y[i])) {
                    xs.add(s.x[i]);
                    yMin = Math.min(yMin, s.y[i]);
                    yMax = Math.max(yMax, s.y[i]);
                }
            }
        }
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("chart '" + title + "' has no point with positive finite x and y");
        }
        Axis xAxis = new Axis(log2(xs.first()), log2(xs.last()), LEFT, WIDTH - RIGHT);
        // the y range hugs the data with a small margin; it is widened to whole decades only when no
        // decade tick would fall inside it
        double yLow = Math.log10(yMin);
        double yHigh = Math.log10(yMax);
        if (Math.floor(yHigh) < yLow || yHigh - yLow < 0.5) {
            yLow = Math.floor(yLow);
            yHigh = Math.max(Math.ceil(yHigh), yLow + 1);
        } else {
            double margin = 0.04 * (yHigh - yLow);
            yLow -= margin;
            yHigh += margin;
        }
        Axis yAxis = new Axis(yHigh, yLow, TOP, HEIGHT - BOTTOM); // screen y grows downwards

        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, WIDTH / 2.0 - RIGHT / 2.0, 24, "middle", "font-size=\"15\"", title);

        // y grid: a labelled line per decade, light lines at 2..9 times each decade, all inside the range
        for (int d = (int) Math.floor(yLow); d <= Math.ceil(yHigh); d++) {
            for (int m = 1; m <= 9; m++) {
                double v = d + Math.log10(m);
                if (v < yLow - 1e-9 || v > yHigh + 1e-9) {
                    continue;
                }
                double py = yAxis.at(v);
                line(svg, LEFT, py, WIDTH - RIGHT, py, m == 1 ? "#cccccc" : "#eeeeee", 1);
                if (m == 1) {
                    text(svg, LEFT - 6, py + 4, "end", "", "1e" + d);
                }
            }
        }
        for (double x : xs) {
            double px = xAxis.at(log2(x));
            line(svg, px, TOP, px, HEIGHT - BOTTOM, "#dddddd", 1);
            text(svg, px, HEIGHT - BOTTOM + 16, "middle", "", StudyInput.shortNumber(x));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>%n",
                LEFT, TOP, WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP));
        text(svg, (LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 18, "middle", "", xLabel);
        double yMid = (TOP + HEIGHT - BOTTOM) / 2.0;
        text(svg, 22, yMid, "middle", String.format(Locale.ROOT, "transform=\"rotate(-90 22 %s)\"", fmt(yMid)), yLabel);

        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            String color = COLORS[(s.color >= 0 ? s.color : si) % COLORS.length];
            String dash = DASHES[(s.dash >= 0 ? s.dash : si / COLORS.length) % DASHES.length];
            String stroke = "stroke=\"" + color + "\" stroke-width=\"2\" fill=\"none\""
                    + (dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"");
            svg.append("<g class=\"series\">\n");
            List<String> run = new ArrayList<>();
            for (int i = 0; i <= s.x.length; i++) {
                if (i < s.x.length && drawable(s.x[i], s.y[i])) {
                    run.add(fmt(xAxis.at(log2(s.x[i]))) + "," + fmt(yAxis.at(Math.log10(s.y[i]))));
                } else {
                    if (run.size() > 1) {
                        svg.append("<polyline ").append(stroke).append(" points=\"").append(String.join(" ", run)).append("\"/>\n");
                    }
                    run.clear();
                }
            }
            for (int i = 0; i < s.x.length; i++) {
                if (drawable(s.x[i], s.y[i])) {
                    svg.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"><title>%s</title></circle>%n",
                            fmt(xAxis.at(log2(s.x[i]))), fmt(yAxis.at(Math.log10(s.y[i]))), color,
                            escape(s.label + ": " + StudyInput.shortNumber(s.x[i]) + ", " + String.format(Locale.ROOT, "%.4g", s.y[i]))));
                }
            }
            double ly = TOP + 10 + 18 * si;
            double lx = WIDTH - RIGHT + 14;
            svg.append("<line x1=\"").append(fmt(lx)).append("\" y1=\"").append(fmt(ly)).append("\" x2=\"").append(fmt(lx + 28))
                    .append("\" y2=\"").append(fmt(ly)).append("\" ").append(stroke).append("/>\n");
            text(svg, lx + 34, ly + 4, "start", "", s.label);
            svg.append("</g>\n");
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static boolean drawable(double x, double y) {
        return x > 0 && y > 0 && Double.isFinite(x) && Double.isFinite(y);
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String color, int width) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" stroke-width=\"%d\"/>%n",
                fmt(x1), fmt(y1), fmt(x2), fmt(y2), color, width));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String extra, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\"%s>%s</text>%n",
                fmt(x), fmt(y), anchor, extra.isEmpty() ? "" : " " + extra, escape(content)));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Escapes the characters that XML text and attribute values cannot hold literally. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&apos;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    /** A linear map from a (logarithmic) data coordinate range onto a pixel range. */
    private static final class Axis {
        private final double from;
        private final double to;
        private final double pixelFrom;
        private final double pixelTo;

        Axis(double from, double to, double pixelFrom, double pixelTo) {
            // a single value is drawn in the middle of a range one unit wide
            this.from = from == to ? from - 0.5 : from;
            this.to = from == to ? to + 0.5 : to;
            this.pixelFrom = pixelFrom;
            this.pixelTo = pixelTo;
        }

        double at(double v) {
            return pixelFrom + (v - from) / (to - from) * (pixelTo - pixelFrom);
        }
    }
}
