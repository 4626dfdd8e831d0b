package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MxArrayTest {
    @ParameterizedTest
    @ValueSource(strings = {"mxfp4", "mxfp6_e3m2", "mxfp8_e4m3", "nvfp4"})
    void wrapViewsHeapAndDirectBuffersWithoutCopying(String name) {
        MxFormat f = MxFormat.byName(name).withBlockSize(5);
        int length = 23;   // partial last block of 3
        float[] x = MxTensor2dTest.random(length, 9);
        MxArray a = MxQuantizer.quantize(f, x, 0, length);
        byte[] packed = new byte[a.packedElements().remaining()];
        a.packedElements().get(packed);
        byte[] scales = new byte[a.blockCount()];
        a.scales().get(scales);
        assertThat(packed).hasSize((f.element().bits() * length + 7) / 8);
        assertThat(scales).hasSize(5);
        assertThat(a.blockLength(4)).isEqualTo(3);

        MxArray copy = MxArray.of(f, length, packed, scales, a.tensorScale());
        assertThat(copy).isEqualTo(a).hasSameHashCodeAs(a);

        // heap view at an offset inside a larger array
        byte[] big = new byte[packed.length + 7];
        System.arraycopy(packed, 0, big, 3, packed.length);
        ByteBuffer heap = ByteBuffer.wrap(big, 3, packed.length + 4);
        ByteBuffer directScales = ByteBuffer.allocateDirect(scales.length + 2);
        directScales.position(2);
        directScales.put(scales).position(2);
        MxArray view = MxArray.wrap(f, length, heap, directScales, a.tensorScale());
        assertThat(view).isEqualTo(a);
        assertThat(heap.position()).isEqualTo(3);
        assertThat(directScales.position()).isEqualTo(2);
        // no copy: a change to the caller's bytes shows through the view, not through the copy
        big[3] ^= 0x01;
        assertThat(view.elementCode(0)).isEqualTo(a.elementCode(0) ^ 1);
        assertThat(copy.elementCode(0)).isEqualTo(a.elementCode(0));
        // and the caller's array is not aliased by of()
        packed[0] ^= 0x01;
        assertThat(copy.elementCode(0)).isEqualTo(a.elementCode(0));

        byte[] codes = new byte[6];
        codes[5] = 99;
        a.unpackBlock(1, codes, 1);
        for (int i = 0; i < 5; i++) {
            assertThat(codes[1 + i] & 0xff).isEqualTo(a.elementCode(5 + i));
        }
        assertThat(codes[0]).isZero();
        assertThatThrownBy(() -> a.packedElements().put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(() -> a.scales().put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
    }

    @Test
    void badInput() {
        MxFormat f = MxFormat.MXFP4.withBlockSize(4);
        assertThatThrownBy(() -> MxArray.of(f, 9, new byte[4], new byte[3], 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 packed bytes, got 4");
        assertThatThrownBy(() -> MxArray.of(f, 9, new byte[5], new byte[2], 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 scale codes, got 2");
        assertThatThrownBy(() -> MxArray.wrap(f, 9, ByteBuffer.allocate(4), ByteBuffer.allocate(3), 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 4");
        assertThatThrownBy(() -> MxArray.of(f, 9, new byte[] {0, 0, 0, 0, 0x10}, new byte[3], 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond element 8");
        assertThatThrownBy(() -> MxArray.of(MxFormat.NVFP4, 16, new byte[8], new byte[] {(byte) 0x80}, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ue4m3");
        assertThatThrownBy(() -> MxArray.of(MxFormat.NVFP4, 16, new byte[8], new byte[1], 0f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor scale");
        assertThatThrownBy(() -> MxArray.of(f, 8, new byte[4], new byte[2], 2f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no per-tensor scale");
        assertThatThrownBy(() -> MxArray.of(f, -1, new byte[0], new byte[0], 1f))
                .isInstanceOf(IllegalArgumentException.class);
        MxArray a = MxArray.of(f, 9, new byte[5], new byte[3], 1f);
        byte[] shortDst = {5};
        assertThatThrownBy(() -> a.unpackBlock(1, shortDst, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("destination");
        assertThat(shortDst).containsExactly(5);
        assertThatThrownBy(() -> a.unpackBlock(3, new byte[8], 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> a.elementCode(9)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> a.scaleCode(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(MxArray.of(f, 0, new byte[0], new byte[0], 1f).blockCount()).isZero();
    }

    @Test
    void scaleValueAndNaNBlocks() {
        float[] x = {1, 2, Float.POSITIVE_INFINITY, 4, 5, 6, 7, 8};
        MxArray a = MxQuantizer.quantize(MxFormat.MXFP8_E4M3.withBlockSize(4), x, 0, 8);
        assertThat(a.scaleCode(0)).isEqualTo(0xff);
        assertThat(a.scaleValue(0)).isNaN();
        assertThat(a.scaleValue(1)).isEqualTo(Math.scalb(1.0, 3 - 8));   // amax 8 = 2^3, emax(e4m3) = 8
        float[] out = new float[8];
        MxQuantizer.dequantize(a, out, 0);
        assertThat(out).startsWith(Float.NaN, Float.NaN, Float.NaN, Float.NaN).endsWith(5f, 6f, 7f, 8f);
    }
}
