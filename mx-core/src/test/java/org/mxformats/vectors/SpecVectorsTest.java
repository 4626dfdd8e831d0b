package org.mxformats.vectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the committed conformance vectors (spec-vectors/ at the repository root) as unit tests. */
class SpecVectorsTest {
    static Path specVectors() {
        return Path.of(System.getProperty("mx.specVectors", "../spec-vectors"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"decode", "encode", "quantize", "dot"})
    void everyVectorPasses(String family) {
        Path dir = specVectors().resolve(family);
        assertThat(dir).as("committed vectors in %s", dir).isDirectory();
        List<String> out = new ArrayList<>();
        ConformanceChecker.Result r = ConformanceChecker.check(List.of(dir), out::add);
        assertThat(out).as("failures").isEmpty();
        assertThat(r.failed()).isZero();
        assertThat(r.passed()).isGreaterThan(1000);
    }
}
