package org.mxformats.dot;

import java.nio.ByteBuffer;
import org.mxformats.block.MxArray;
import org.mxformats.block.Packing;
import org.mxformats.format.ElementFormat;

/**
 * One MX vector with its codes unpacked one per byte: what the dot kernels read. Made once per
 * operand (a row or column of a matrix is unpacked once and reused for every output it feeds).
 */
final class Unpacked {
    final ElementFormat element;
    final ElementFormat scale;
    final int blockSize;
    final int length;
    final byte[] codes;
    final byte[] scales;
    final float tensorScale;

    Unpacked(ElementFormat element, ElementFormat scale, int blockSize, byte[] codes, byte[] scales, float tensorScale) {
        this.element = element;
        this.scale = scale;
        this.blockSize = blockSize;
        this.length = codes.length;
        this.codes = codes;
        this.scales = scales;
        this.tensorScale = tensorScale;
    }

    static Unpacked of(MxArray a) {
        int n = a.length();
        ByteBuffer packedView = a.packedElements();
        byte[] packed = new byte[packedView.remaining()];
        packedView.get(packed);
        byte[] codes = new byte[n];
        Packing.unpack(a.format().element().bits(), packed, 0, codes, 0, n);
        ByteBuffer scaleView = a.scales();
        byte[] scales = new byte[scaleView.remaining()];
        scaleView.get(scales);
        return new Unpacked(a.format().element(), a.format().scale(), a.format().blockSize(), codes, scales,
                a.tensorScale());
    }

    int blocks() {
        return scales.length;
    }

    int blockLength(int j) {
        return Math.min(blockSize, length - j * blockSize);
    }
}
