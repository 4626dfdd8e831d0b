package org.mxformats.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;

class MxArrayStorageTest {
    @Test
    void givesTheHeapArraysAndTheirOffsetsOnlyWhereTheyExist() {
        byte[] elements = {9, 9, 1, 2, 3, 4};
        byte[] scales = {7, 127, 120};
        MxArray heap = MxArray.wrap(MxFormat.MXINT8, 4, ByteBuffer.wrap(elements).position(2),
                ByteBuffer.wrap(scales).position(1), 1f);
        MxArrayStorage storage = MxArrayStorage.get();
        assertThat(storage.elementArray(heap)).isSameAs(elements);
        assertThat(storage.elementOffset(heap)).isEqualTo(2);
        assertThat(storage.scaleArray(heap)).isSameAs(scales);
        assertThat(storage.scaleOffset(heap)).isEqualTo(1);

        MxArray copied = MxArray.of(MxFormat.MXINT8, 4, new byte[] {1, 2, 3, 4}, new byte[] {127}, 1f);
        assertThat(storage.elementArray(copied)).containsExactly(1, 2, 3, 4);
        assertThat(storage.scaleArray(copied)).containsExactly(127);

        ByteBuffer direct = ByteBuffer.allocateDirect(4);
        MxArray elsewhere = MxArray.wrap(MxFormat.MXINT8, 4, direct,
                ByteBuffer.wrap(scales).asReadOnlyBuffer().position(1), 1f);
        assertThat(storage.elementArray(elsewhere)).isNull();
        assertThat(storage.scaleArray(elsewhere)).isNull();
    }

    @Test
    void onlyMxArrayRegisters() {
        assertThatThrownBy(() -> MxArrayStorage.register(MxArrayStorage.get())).isInstanceOf(SecurityException.class);
    }
}
