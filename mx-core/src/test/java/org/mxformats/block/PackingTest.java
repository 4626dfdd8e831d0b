package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PackingTest {
    /** The bit-stream definition, written independently: bit b of the stream is bit b%8 of byte b/8. */
    static int oracleCode(int bits, byte[] packed, int index) {
        int v = 0;
        for (int j = 0; j < bits; j++) {
            int b = bits * index + j;
            v |= ((packed[b / 8] >> (b % 8)) & 1) << j;
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6, 8})
    void everyCodeAtEveryPositionRoundTrips(int bits) {
        int codes = 1 << bits;
        for (int count = 0; count <= 9; count++) {
            for (int pos = 0; pos < Math.max(count, 1); pos++) {
                for (int c = 0; c < codes; c++) {
                    byte[] in = new byte[count];
                    for (int i = 0; i < count; i++) {
                        in[i] = (byte) ((c * 7 + i * 13) % codes);   // neighbours vary too
                    }
                    if (count > 0) {
                        in[pos] = (byte) c;
                    }
                    byte[] packed = new byte[Packing.packedBytes(bits, count)];
                    assertThat(packed.length).isEqualTo((bits * count + 7) / 8);
                    Packing.pack(bits, in, 0, packed, 0, count);
                    for (int i = 0; i < count; i++) {
                        assertThat(oracleCode(bits, packed, i)).isEqualTo(in[i] & 0xff);
                        assertThat(Packing.code(bits, ByteBuffer.wrap(packed), i)).isEqualTo(in[i] & 0xff);
                    }
                    // unused high bits of the last byte stay zero
                    if ((bits * count) % 8 != 0) {
                        assertThat((packed[packed.length - 1] & 0xff) >>> ((bits * count) % 8)).isZero();
                    }
                    byte[] back = new byte[count];
                    Packing.unpack(bits, packed, 0, back, 0, count);
                    assertThat(back).isEqualTo(in);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6, 8})
    void randomLongStreamsRoundTripWithOffsets(int bits) {
        SplittableRandom r = new SplittableRandom(bits);
        for (int t = 0; t < 200; t++) {
            int count = r.nextInt(300);
            byte[] in = new byte[count + 3];
            for (int i = 0; i < in.length; i++) {
                in[i] = (byte) r.nextInt(1 << bits);
            }
            byte[] packed = new byte[Packing.packedBytes(bits, count) + 5];
            Packing.pack(bits, in, 3, packed, 5, count);
            byte[] tail = java.util.Arrays.copyOfRange(packed, 5, packed.length);
            byte[] back = new byte[count];
            Packing.unpack(bits, packed, 5, back, 0, count);
            for (int i = 0; i < count; i++) {
                assertThat(oracleCode(bits, tail, i)).isEqualTo(in[3 + i] & 0xff);
                assertThat(back[i]).isEqualTo(in[3 + i]);
            }
        }
    }

    @Test
    void sixBitGroupIsALittleEndian24BitWord() {
        byte[] packed = new byte[3];
        Packing.pack(6, new byte[] {0x01, 0x02, 0x03, 0x3f}, 0, packed, 0, 4);
        int word = (packed[0] & 0xff) | (packed[1] & 0xff) << 8 | (packed[2] & 0xff) << 16;
        assertThat(word).isEqualTo(0x01 | 0x02 << 6 | 0x03 << 12 | 0x3f << 18);
    }

    @Test
    void fourBitLowNibbleFirst() {
        byte[] packed = new byte[1];
        Packing.pack(4, new byte[] {0x3, 0xc}, 0, packed, 0, 2);
        assertThat(packed[0] & 0xff).isEqualTo(0xc3);
    }

    @Test
    void badInputIsRejectedBeforeWriting() {
        byte[] dst = {7, 7};
        assertThatThrownBy(() -> Packing.pack(4, new byte[] {1, 0x10, 2}, 0, dst, 0, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x10");
        assertThat(dst).containsExactly(7, 7);
        assertThatThrownBy(() -> Packing.pack(4, new byte[5], 0, dst, 0, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThat(dst).containsExactly(7, 7);
        assertThatThrownBy(() -> Packing.packedBytes(5, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5 bits");
        assertThatThrownBy(() -> Packing.unpack(6, new byte[2], 0, new byte[3], 0, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
