package org.mxformats.vectors;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.mxformats.format.ElementFormat;
import org.mxformats.format.Overflow;
import org.mxformats.format.Rounding;

/**
 * The directives in force at a record of an {@code .mxv} file, with typed accessors that fail with
 * a message naming the directive and its value. Immutable; one instance is shared by every record
 * until a directive changes.
 */
public final class Directives {
    /** Every directive the contract defines; any other is an error. */
    public static final Set<String> KNOWN = Set.of("op", "format", "rounding", "overflow", "elem", "scale",
            "scale-rule", "block", "blocks", "elem-a", "elem-b");

    private final Map<String, String> values;

    Directives(Map<String, String> values) {
        this.values = new TreeMap<>(values);
    }

    /** The raw value of a directive, or throws if it has not been set. */
    public String get(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing required directive @" + name);
        }
        return v;
    }

    /** Whether a directive has been set. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** A directive that names a format. */
    public ElementFormat format(String name) {
        return parse(name, ElementFormat::byName);
    }

    /** A directive that names a deterministic rounding mode. */
    public Rounding rounding(String name) {
        Rounding r = parse(name, Rounding::byName);
        if (!r.isDeterministic()) {
            throw new IllegalArgumentException("@" + name + " " + get(name) + ": vectors need a deterministic rounding");
        }
        return r;
    }

    /** A directive that names an overflow policy. */
    public Overflow overflow(String name) {
        return parse(name, Overflow::byName);
    }

    /** A directive holding a positive integer. */
    public int positiveInt(String name) {
        int v = parse(name, Integer::parseInt);
        if (v < 1) {
            throw new IllegalArgumentException("@" + name + " " + v + ": must be >= 1");
        }
        return v;
    }

    /** Parses a directive's value, turning any failure into a message that names the directive. */
    public <T> T parse(String name, java.util.function.Function<String, T> parser) {
        String raw = get(name);
        try {
            return Objects.requireNonNull(parser.apply(raw));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("@" + name + " " + raw + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
