package org.mxformats.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.mxformats.format.ElementFormat;
import org.junit.jupiter.api.Test;

/** {@link FormatCache}: one value per format, built once, whatever the order and number of formats. */
class FormatCacheTest {

    @Test
    void alternatingFormatsGetTheirOwnValuesBuiltOnce() {
        AtomicInteger built = new AtomicInteger();
        FormatCache<String> cache = new FormatCache<>(f -> {
            built.incrementAndGet();
            return "value of " + f.name();
        });
        String e2m1 = cache.get(ElementFormat.E2M1);
        String int8 = cache.get(ElementFormat.INT8);
        for (int i = 0; i < 1000; i++) {
            boolean even = i % 2 == 0;
            assertThat(cache.get(even ? ElementFormat.E2M1 : ElementFormat.INT8)).isSameAs(even ? e2m1 : int8);
        }
        assertThat(e2m1).isEqualTo("value of e2m1");
        assertThat(int8).isEqualTo("value of int8");
        assertThat(built).hasValue(2);
    }

    /**
     * Alternating lookups allocate nothing (interpreted or compiled: the lookup scans an array),
     * where a single last-format slot allocated a new slot at every change of format.
     */
    @Test
    void alternatingLookupsAllocateNothing() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "per-thread allocation counts");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        FormatCache<String> cache = new FormatCache<>(ElementFormat::name);
        cache.get(ElementFormat.E2M1);
        cache.get(ElementFormat.INT8);
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        int found = 0;
        for (int i = 0; i < 100_000; i++) {
            found += cache.get(i % 2 == 0 ? ElementFormat.E2M1 : ElementFormat.INT8).length();
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(found).isEqualTo(50_000 * 4 + 50_000 * 4);
        assertThat(allocated).as("bytes allocated by 100000 lookups").isLessThan(10_000);
    }

    /** More formats than the identity array keeps: the later ones come from the map, still built once. */
    @Test
    void manyFormatsStillGetTheirOwnValues() {
        AtomicInteger built = new AtomicInteger();
        FormatCache<Integer> cache = new FormatCache<>(f -> {
            built.incrementAndGet();
            return f.bias();
        });
        List<ElementFormat> formats = new ArrayList<>();
        for (int bias = 1; bias <= 40; bias++) {
            formats.add(ElementFormat.builder("e5m2-bias" + bias).exponentBits(5).mantissaBits(2).bias(bias)
                    .ieeeSpecials().build());
        }
        for (int round = 0; round < 3; round++) {
            for (ElementFormat f : formats) {
                assertThat(cache.get(f)).as(f.name()).isEqualTo(f.bias());
            }
        }
        assertThat(built).hasValue(40);
    }
}
