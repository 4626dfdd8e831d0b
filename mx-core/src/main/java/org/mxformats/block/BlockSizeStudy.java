package org.mxformats.block;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

/**
 * How quantization error depends on the block size: every tensor is quantized and dequantized with
 * every combination of element format x scale setup x block size, and each combination's
 * {@link ErrorReport} is kept. Blocks run along the tensor as a flat vector (a partial last block is
 * allowed). Immutable; {@link #run()} may be called from several threads.
 *
 * <pre>{@code
 * BlockSizeStudy study = BlockSizeStudy.of(
 *         List.of(StudyInput.synthetic(StudyInput.Distribution.NORMAL, 3e-3, 1 << 16, 1)),
 *         List.of(ElementFormat.E2M1),
 *         List.of(8, 16, 32, 64, 128),
 *         List.of(StudyScale.parse("ue4m3"), StudyScale.parse("ue4m3+tensor"), StudyScale.parse("ue5m3")));
 * BlockSizeStudy.Result r = study.run();
 * System.out.print(r.table());
 * Files.writeString(Path.of("error.svg"), r.svg());
 * }</pre>
 */
public final class BlockSizeStudy {
    private final List<StudyInput> inputs;
    private final List<ElementFormat> elements;
    private final List<Integer> blockSizes;
    private final List<StudyScale> scales;
    private final Rounding elementRounding;

    private BlockSizeStudy(List<StudyInput> inputs, List<ElementFormat> elements, List<Integer> blockSizes,
            List<StudyScale> scales, Rounding elementRounding) {
        this.inputs = inputs;
        this.elements = elements;
        this.blockSizes = blockSizes;
        this.scales = scales;
        this.elementRounding = elementRounding;
    }

    /**
     * A study of the grid elements x scales x blockSizes on each input, with elements rounded to nearest even.
     * Duplicates in a list are dropped (the first occurrence is kept).
     *
     * @throws IllegalArgumentException if a list is empty or a block size is below 1
     */
    public static BlockSizeStudy of(List<StudyInput> inputs, List<ElementFormat> elements, List<Integer> blockSizes,
            List<StudyScale> scales) {
        for (Integer k : blockSizes) {
            if (k == null || k < 1) {
                throw new IllegalArgumentException("block size " + k + " must be at least 1");
            }
        }
        return new BlockSizeStudy(distinct(inputs, "inputs"), distinct(elements, "element formats"),
                distinct(blockSizes, "block sizes"), distinct(scales, "scale setups"), Rounding.RNE);
    }

    /**
     * This study with another element rounding.
     *
     * @throws IllegalArgumentException for {@link Rounding#STOCHASTIC}: the study is deterministic
     */
    public BlockSizeStudy withElementRounding(Rounding rounding) {
        if (Objects.requireNonNull(rounding, "rounding") == Rounding.STOCHASTIC) {
            throw new IllegalArgumentException("the block-size study needs a deterministic element rounding, not "
                    + rounding);
        }
        return new BlockSizeStudy(inputs, elements, blockSizes, scales, rounding);
    }

    /** The tensors studied. */
    public List<StudyInput> inputs() { return inputs; }

    /** The element formats studied. */
    public List<ElementFormat> elements() { return elements; }

    /** The block sizes studied, in the order given. */
    public List<Integer> blockSizes() { return blockSizes; }

    /** The scale setups studied. */
    public List<StudyScale> scales() { return scales; }

    /** The element rounding (RNE unless changed). */
    public Rounding elementRounding() { return elementRounding; }

    /**
     * Quantizes and measures every cell of the grid.
     *
     * @throws IllegalArgumentException if a combination is not a valid MX format (the message names it)
     */
    public Result run() {
        List<Cell> cells = new ArrayList<>();
        for (StudyInput input : inputs) {
            for (ElementFormat element : elements) {
                for (StudyScale scale : scales) {
                    for (int k : blockSizes) {
                        MxFormat format;
                        try {
                            format = scale.format(element, k, elementRounding);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("element format " + element.name() + " with scale setup "
                                    + scale.name() + " and block size " + k + ": " + e.getMessage(), e);
                        }
                        cells.add(new Cell(input, element, scale, k, ErrorReport.measure(format, input.valuesShared())));
                    }
                }
            }
        }
        return new Result(this, cells);
    }

    private static <T> List<T> distinct(List<T> list, String what) {
        Objects.requireNonNull(list, what);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("the study needs at least one of its " + what);
        }
        Set<T> seen = new LinkedHashSet<>();
        for (T t : list) {
            seen.add(Objects.requireNonNull(t, what));
        }
        return List.copyOf(seen);
    }

    /** One measured combination. Immutable. */
    public static final class Cell {
        private final StudyInput input;
        private final ElementFormat element;
        private final StudyScale scale;
        private final int blockSize;
        private final ErrorReport report;

        Cell(StudyInput input, ElementFormat element, StudyScale scale, int blockSize, ErrorReport report) {
            this.input = input;
            this.element = element;
            this.scale = scale;
            this.blockSize = blockSize;
            this.report = report;
        }

        /** The tensor. */
        public StudyInput input() { return input; }

        /** The element format. */
        public ElementFormat element() { return element; }

        /** The scale setup. */
        public StudyScale scale() { return scale; }

        /** The block size k. */
        public int blockSize() { return blockSize; }

        /** The error measurements, including the MX format used ({@link ErrorReport#format()}). */
        public ErrorReport report() { return report; }

        /** The series of the plot (and row of the summary table) this cell belongs to. */
        String seriesLabel(boolean withInput, boolean withElement) {
            List<String> parts = new ArrayList<>();
            if (withInput) {
                parts.add(input.name());
            }
            if (withElement) {
                parts.add(element.name());
            }
            parts.add(scale.name());
            return String.join(" ", parts);
        }
    }

    /** The measured grid, with its text table and SVG plot. Immutable. */
    public static final class Result {
        private final BlockSizeStudy study;
        private final List<Cell> cells;

        Result(BlockSizeStudy study, List<Cell> cells) {
            this.study = study;
            this.cells = List.copyOf(cells);
        }

        /** Every cell, ordered by input, element format, scale setup, then block size as given. */
        public List<Cell> cells() { return cells; }

        /** The cell of one combination. @throws IllegalArgumentException if it was not studied */
        public Cell cell(StudyInput input, ElementFormat element, StudyScale scale, int blockSize) {
            for (Cell c : cells) {
                if (c.input.equals(input) && c.element.equals(element) && c.scale.equals(scale) && c.blockSize == blockSize) {
                    return c;
                }
            }
            throw new IllegalArgumentException("no cell for " + input.name() + ", " + element.name() + ", " + scale.name()
                    + ", k=" + blockSize);
        }

        /**
         * The text table: first relative MSE with one column per block size, one row per input x element
         * x scale; then every measurement of every cell (shares in percent).
         */
        public String table() {
            int k = study.blockSizes.size();
            int labelWidth = "input".length();
            for (Cell c : cells) {
                labelWidth = Math.max(labelWidth, c.input.name().length());
            }
            StringBuilder t = new StringBuilder();
            t.append("relative MSE (MSE / variance of the input) by block size k\n");
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + labelWidth + "s  %-6s %-14s", "input", "elem", "scale"));
            for (int size : study.blockSizes) {
                head.append(String.format(Locale.ROOT, " %10s", "k=" + size));
            }
            t.append(head).append('\n');
            for (int i = 0; i < cells.size(); i += k) {
                Cell first = cells.get(i);
                t.append(String.format(Locale.ROOT, "%-" + labelWidth + "s  %-6s %-14s", first.input.name(), first.element.name(),
                        first.scale.name()));
                for (int j = 0; j < k; j++) {
                    t.append(String.format(Locale.ROOT, " %10.4g", cells.get(i + j).report.relativeMse()));
                }
                t.append('\n');
            }
            t.append('\n');
            t.append(String.format(Locale.ROOT, "%-" + labelWidth + "s  %-6s %-14s %4s %10s %8s %10s %10s %8s %8s %8s %8s%n",
                    "input", "elem", "scale", "k", "rel MSE", "SQNR dB", "max abs", "max rel", "sat %", "ftz %", "uflow %",
                    "zero %"));
            for (Cell c : cells) {
                ErrorReport r = c.report;
                t.append(String.format(Locale.ROOT, "%-" + labelWidth + "s  %-6s %-14s %4d %10.4g %8.2f %10.4g %10.4g %8.3f %8.3f %8.3f %8.3f%n",
                        c.input.name(), c.element.name(), c.scale.name(), c.blockSize, r.relativeMse(), r.sqnrDb(),
                        r.maxAbsError(), r.maxRelativeError(), 100 * r.saturatedShare(), 100 * r.flushedToZeroShare(),
                        100 * r.underflowedScaleBlockShare(), 100 * r.zeroScaleBlockShare()));
            }
            t.append("sat = elements saturated, ftz = elements flushed to zero, uflow = blocks whose ideal scale is below\n"
                    + "the scale format's least normal value, zero = blocks whose scale became 0 (all elements flushed)\n");
            return t.toString();
        }

        /**
         * An SVG plot of relative MSE (log scale) against block size (log2 scale), one line per input x
         * element x scale: a color per element format x scale setup, a dash pattern per input.
         */
        public String svg() {
            boolean withInput = study.inputs.size() > 1;
            boolean withElement = study.elements.size() > 1;
            List<StudySvg.Series> series = new ArrayList<>();
            int k = study.blockSizes.size();
            for (int i = 0; i < cells.size(); i += k) {
                double[] x = new double[k];
                double[] y = new double[k];
                for (int j = 0; j < k; j++) {
                    x[j] = cells.get(i + j).blockSize;
                    y[j] = cells.get(i + j).report.relativeMse();
                }
                Cell first = cells.get(i);
                // a color per element format x scale setup, a dash pattern per input
                int color = study.elements.indexOf(first.element) * study.scales.size() + study.scales.indexOf(first.scale);
                series.add(new StudySvg.Series(first.seriesLabel(withInput, withElement), x, y, color,
                        study.inputs.indexOf(first.input)));
            }
            List<String> subject = new ArrayList<>();
            if (!withInput) {
                subject.add(study.inputs.get(0).name());
            }
            if (!withElement) {
                subject.add(study.elements.get(0).name());
            }
            String title = "Relative MSE vs block size" + (subject.isEmpty() ? "" : ": " + String.join(", ", subject));
            return StudySvg.lineChart(title, "block size k", "relative MSE (MSE / input variance)", series);
        }

        @Override
        public String toString() {
            return table();
        }
    }
}
