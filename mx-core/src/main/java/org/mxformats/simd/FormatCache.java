package org.mxformats.simd;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.mxformats.format.ElementFormat;

/**
 * Per-format values built once. Kernels look values up once per call, often once per MX block, and
 * a call may ask for two formats in turn (the certified MXFP4 dot reads e2m1 and INT8 tables), so
 * the formats seen so far are kept by identity in a small array scanned before the map: the
 * built-in formats are singletons, and {@link ElementFormat#hashCode} is too slow to pay per
 * block. (A single last-format slot made every alternation allocate a new slot and hash the
 * format: 6 KB of garbage per certified 1M-element MXFP4 dot.)
 */
final class FormatCache<V> {
    /** Formats kept by identity; past this many, lookups of further formats go to the map. */
    private static final int RECENT = 16;
    private final ConcurrentHashMap<ElementFormat, V> map = new ConcurrentHashMap<>();
    private final Function<ElementFormat, V> factory;
    /** Formats at even indices, their values at the odd ones after them; replaced, never changed. */
    private volatile Object[] recent = new Object[0];

    FormatCache(Function<ElementFormat, V> factory) {
        this.factory = factory;
    }

    @SuppressWarnings("unchecked")
    V get(ElementFormat format) {
        Object[] r = recent;
        for (int i = 0; i < r.length; i += 2) {
            if (r[i] == format) {
                return (V) r[i + 1];
            }
        }
        V value = map.computeIfAbsent(format, factory);
        if (r.length < 2 * RECENT) {   // a lost race only drops an entry that the next miss adds again
            Object[] grown = java.util.Arrays.copyOf(r, r.length + 2);
            grown[r.length] = format;
            grown[r.length + 1] = value;
            recent = grown;
        }
        return value;
    }
}
