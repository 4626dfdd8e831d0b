package org.mxformats.block;

import java.nio.ByteBuffer;

/**
 * Packing of 4-, 6- and 8-bit codes into bytes, as one little-endian bit stream: element i occupies
 * bits {@code [w*i, w*(i+1))} of the stream, and stream bit b is bit {@code b % 8} (0 = least
 * significant) of byte {@code b / 8}. Hence 8-bit codes are one per byte; 4-bit codes two per byte,
 * element 0 in the low nibble; 6-bit codes four per three bytes, read as a little-endian 24-bit word
 * whose bits 0-5 are element 0, 6-11 element 1, 12-17 element 2 and 18-23 element 3. A stream that
 * ends inside a byte leaves that byte's high bits zero. Stateless.
 */
public final class Packing {
    private Packing() {
    }

    /**
     * The bytes that hold {@code count} codes of {@code bits} bits: {@code ceil(bits * count / 8)}.
     *
     * @throws IllegalArgumentException for a width other than 4, 6, 8, a negative count, or more than
     *                                  2^31 - 1 bytes
     */
    public static int packedBytes(int bits, long count) {
        checkBits(bits);
        if (count < 0) {
            throw new IllegalArgumentException("count " + count + " is negative");
        }
        long bytes = (bits * count + 7) / 8;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(count + " codes of " + bits + " bits need " + bytes
                    + " bytes, more than an array holds");
        }
        return (int) bytes;
    }

    /**
     * Packs {@code count} codes (one per byte, low {@code bits} bits used) into {@code dst} from byte
     * {@code dstOffset}, overwriting the {@link #packedBytes} bytes there (unused high bits of a last
     * partial byte become zero).
     *
     * @throws IllegalArgumentException for a bad width, a code wider than {@code bits}, or a range
     *                                  outside an array; nothing is written then
     */
    public static void pack(int bits, byte[] codes, int codeOffset, byte[] dst, int dstOffset, int count) {
        int bytes = packedBytes(bits, count);
        checkRange("codes", codes.length, codeOffset, count);
        checkRange("packed bytes", dst.length, dstOffset, bytes);
        int mask = (1 << bits) - 1;
        for (int i = 0; i < count; i++) {
            if ((codes[codeOffset + i] & ~mask & 0xff) != 0) {
                throw new IllegalArgumentException("code 0x" + Integer.toHexString(codes[codeOffset + i] & 0xff)
                        + " at index " + (codeOffset + i) + " does not fit " + bits + " bits");
            }
        }
        switch (bits) {
            case 8:
                System.arraycopy(codes, codeOffset, dst, dstOffset, count);
                return;
            case 4: {
                int pairs = count >>> 1;
                for (int j = 0; j < pairs; j++) {
                    int c = codeOffset + 2 * j;
                    dst[dstOffset + j] = (byte) (codes[c] | codes[c + 1] << 4);
                }
                if ((count & 1) != 0) {
                    dst[dstOffset + pairs] = codes[codeOffset + count - 1];
                }
                return;
            }
            default: {   // 6 bits: whole groups of four, then a generic tail
                int groups = count >>> 2;
                for (int g = 0; g < groups; g++) {
                    int c = codeOffset + 4 * g;
                    int word = codes[c] | codes[c + 1] << 6 | codes[c + 2] << 12 | codes[c + 3] << 18;
                    int d = dstOffset + 3 * g;
                    dst[d] = (byte) word;
                    dst[d + 1] = (byte) (word >>> 8);
                    dst[d + 2] = (byte) (word >>> 16);
                }
                int done = 4 * groups;
                int tailStart = dstOffset + 3 * groups;
                for (int d = tailStart; d < dstOffset + bytes; d++) {
                    dst[d] = 0;
                }
                for (int i = done; i < count; i++) {
                    int bit = 6 * (i - done);
                    int v = codes[codeOffset + i] << (bit & 7);
                    dst[tailStart + (bit >>> 3)] |= (byte) v;
                    if ((bit & 7) + 6 > 8) {
                        dst[tailStart + (bit >>> 3) + 1] |= (byte) (v >>> 8);
                    }
                }
            }
        }
    }

    /**
     * Unpacks {@code count} codes from {@code src} (from byte {@code srcOffset}) into one byte each.
     *
     * @throws IllegalArgumentException for a bad width or a range outside an array; nothing is
     *                                  written then
     */
    public static void unpack(int bits, byte[] src, int srcOffset, byte[] codes, int codeOffset, int count) {
        int bytes = packedBytes(bits, count);
        checkRange("packed bytes", src.length, srcOffset, bytes);
        checkRange("codes", codes.length, codeOffset, count);
        switch (bits) {
            case 8:
                System.arraycopy(src, srcOffset, codes, codeOffset, count);
                return;
            case 4:
                for (int i = 0; i < count; i++) {
                    codes[codeOffset + i] = (byte) (src[srcOffset + (i >>> 1)] >>> ((i & 1) << 2) & 0xf);
                }
                return;
            default:
                for (int i = 0; i < count; i++) {
                    codes[codeOffset + i] = (byte) code(bits, src, srcOffset, i);
                }
        }
    }

    /** The {@code index}-th code of the stream that starts at byte {@code offset} of {@code src}. */
    static int code(int bits, byte[] src, int offset, int index) {
        long bit = (long) bits * index;
        int b = offset + (int) (bit >>> 3);
        int shift = (int) (bit & 7);
        int v = src[b] & 0xff;
        if (shift + bits > 8) {
            v |= (src[b + 1] & 0xff) << 8;
        }
        return v >>> shift & ((1 << bits) - 1);
    }

    /**
     * The {@code index}-th code of the stream that starts at absolute position 0 of {@code src}
     * (heap or direct; its position is not used or changed).
     *
     * @throws IllegalArgumentException for a bad width
     * @throws IndexOutOfBoundsException if the code lies beyond the buffer's limit
     */
    public static int code(int bits, ByteBuffer src, int index) {
        checkBits(bits);
        long bit = (long) bits * index;
        int b = (int) (bit >>> 3);
        int shift = (int) (bit & 7);
        int v = src.get(b) & 0xff;
        if (shift + bits > 8) {
            v |= (src.get(b + 1) & 0xff) << 8;
        }
        return v >>> shift & ((1 << bits) - 1);
    }

    static void checkBits(int bits) {
        if (bits != 4 && bits != 6 && bits != 8) {
            throw new IllegalArgumentException("packing supports 4-, 6- and 8-bit codes, not " + bits + " bits");
        }
    }

    private static void checkRange(String what, int arrayLength, int offset, int count) {
        if (offset < 0 || count < 0 || offset > arrayLength - count) {
            throw new IllegalArgumentException(what + ": range [" + offset + ", " + offset + " + " + count
                    + ") is outside an array of " + arrayLength);
        }
    }
}
