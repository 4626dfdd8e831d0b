package org.mxformats.block;

import java.util.Objects;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Rounding;

/**
 * One scale setup of {@link BlockSizeStudy}: a scale format, its scale rule, and whether a per-tensor
 * float32 scale is added (two-level scaling, as NVFP4). Written {@code SCALE[:RULE][+tensor]}, e.g.
 * {@code ue4m3}, {@code ue4m3+tensor}, {@code ue5m3}, {@code e8m0}, {@code e8m0:rceil}. The rule
 * defaults to {@code floor} (OCP MX v1.0) for {@code e8m0} and to {@code rne} for other scale formats.
 * Immutable.
 */
public final class StudyScale {
    private static final String TENSOR_SUFFIX = "+tensor";

    private final ElementFormat scale;
    private final ScaleRule rule;
    private final boolean tensorScale;

    private StudyScale(ElementFormat scale, ScaleRule rule, boolean tensorScale) {
        this.scale = scale;
        this.rule = rule;
        this.tensorScale = tensorScale;
    }

    /**
     * A scale setup.
     *
     * @throws IllegalArgumentException if {@link MxFormat} refuses the combination: a format that is not
     *         a scale format, a rule that does not fit it, or a per-tensor scale with a power-of-two rule
     */
    public static StudyScale of(ElementFormat scale, ScaleRule rule, boolean tensorScale) {
        StudyScale s = new StudyScale(Objects.requireNonNull(scale, "scale"), Objects.requireNonNull(rule, "rule"), tensorScale);
        s.format(ElementFormat.E2M1, 1, Rounding.RNE); // MxFormat owns the rules of what combines; ask it now
        return s;
    }

    /**
     * Parses {@code SCALE[:RULE][+tensor]}.
     *
     * @throws IllegalArgumentException naming the spec if the format or rule is unknown or they do not fit
     */
    public static StudyScale parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String rest = spec.trim();
        boolean tensor = rest.endsWith(TENSOR_SUFFIX);
        if (tensor) {
            rest = rest.substring(0, rest.length() - TENSOR_SUFFIX.length());
        }
        int colon = rest.indexOf(':');
        String formatName = colon < 0 ? rest : rest.substring(0, colon);
        try {
            ElementFormat format = ElementFormat.byName(formatName);
            ScaleRule rule = colon < 0 ? defaultRule(format) : ScaleRule.byName(rest.substring(colon + 1));
            return of(format, rule, tensor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scale setup '" + spec + "' (SCALE[:RULE][+tensor]): " + e.getMessage(), e);
        }
    }

    /** {@code floor} for power-of-two scale formats such as e8m0, {@code rne} otherwise. */
    static ScaleRule defaultRule(ElementFormat scale) {
        return scale.mantissaBits() == 0 ? ScaleRule.FLOOR : ScaleRule.RNE;
    }

    /** The scale format. */
    public ElementFormat scale() { return scale; }

    /** The scale rule. */
    public ScaleRule rule() { return rule; }

    /** Whether a per-tensor float32 scale is added. */
    public boolean tensorScale() { return tensorScale; }

    /** The MX format of this setup for an element format, block size and element rounding. */
    public MxFormat format(ElementFormat element, int blockSize, Rounding elementRounding) {
        return MxFormat.of(element, scale, blockSize, rule, elementRounding).withTensorScale(tensorScale);
    }

    /** The canonical spelling, with the rule only when it is not the default: e.g. {@code ue4m3+tensor}. */
    public String name() {
        return scale.name() + (rule == defaultRule(scale) ? "" : ":" + rule.contractName()) + (tensorScale ? TENSOR_SUFFIX : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StudyScale && ((StudyScale) o).scale.equals(scale) && ((StudyScale) o).rule == rule
                && ((StudyScale) o).tensorScale == tensorScale;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scale, rule, tensorScale);
    }

    @Override
    public String toString() {
        return name();
    }
}
