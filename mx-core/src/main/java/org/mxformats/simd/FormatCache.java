package org.mxformats.simd;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.mxformats.format.ElementFormat;

/**
 * Per-format values built once. Kernels look values up once per call, often once per MX block, so
 * the last format asked for is kept by identity in front of the map: the built-in formats are
 * singletons, and {@link ElementFormat#hashCode} is too slow to pay per block.
 */
final class FormatCache<V> {
    private final ConcurrentHashMap<ElementFormat, V> map = new ConcurrentHashMap<>();
    private final Function<ElementFormat, V> factory;
    private volatile Entry<V> last;

    FormatCache(Function<ElementFormat, V> factory) {
        this.factory = factory;
    }

    V get(ElementFormat format) {
        Entry<V> e = last;
        if (e != null && e.format == format) {
            return e.value;
        }
        V value = map.computeIfAbsent(format, factory);
        last = new Entry<>(format, value);
        return value;
    }

    private static final class Entry<V> {
        final ElementFormat format;
        final V value;

        Entry(ElementFormat format, V value) {
            this.format = format;
            this.value = value;
        }
    }
}
