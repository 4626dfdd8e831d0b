package org.mxformats.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.mxformats.block.BlockAxis;
import org.mxformats.block.MxArray;
import org.mxformats.block.MxFormat;
import org.mxformats.block.MxTensor2d;

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
    void givesATensorsArraysWithItsRowsAtMultiplesOfTheRowSizes() {
        float[] values = new float[3 * 40];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 7 - 3) * 0.75f;
        }
        MxTensor2d t = MxTensor2d.quantize(MxFormat.MXFP4, values, 3, 40, BlockAxis.ALONG_ROWS);
        MxArrayStorage storage = MxArrayStorage.get();
        int rowBytes = MxFormat.MXFP4.packedBytes(40);
        int rowBlocks = MxFormat.MXFP4.blockCount(40);
        for (int r = 0; r < 3; r++) {
            ByteBuffer codes = t.row(r).packedElements();
            ByteBuffer scales = t.row(r).scales();
            for (int i = 0; i < rowBytes; i++) {
                assertThat(storage.elementArray(t)[r * rowBytes + i]).isEqualTo(codes.get(i));
            }
            for (int b = 0; b < rowBlocks; b++) {
                assertThat(storage.scaleArray(t)[r * rowBlocks + b]).isEqualTo(scales.get(b));
            }
        }
    }

    @Test
    void onlyMxArrayRegisters() {
        assertThatThrownBy(() -> MxArrayStorage.register(MxArrayStorage.get())).isInstanceOf(SecurityException.class);
    }
}
