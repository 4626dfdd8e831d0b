package org.mxformats.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MxTensor2dTest {
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (MxQuantizerTest.gaussian(r) * Math.scalb(1.0, r.nextInt(-4, 5)));
        }
        return x;
    }

    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    @Test
    void rowsAndColumnsAreTheVectorQuantizationOfEachLine() {
        int rows = 7;
        int cols = 45;   // not a multiple of k: partial last block in each row
        float[] a = random(rows * cols, 1);
        for (MxFormat f : new MxFormat[] {MxFormat.MXFP4, MxFormat.MXFP6_E3M2, MxFormat.NVFP4, MxFormat.MXINT8}) {
            MxTensor2d byRows = MxTensor2d.quantize(f, a, rows, cols, BlockAxis.ALONG_ROWS);
            MxTensor2d byCols = MxTensor2d.quantize(f, a, rows, cols, BlockAxis.ALONG_COLUMNS);
            float[] t = transpose(a, rows, cols);
            for (int r = 0; r < rows; r++) {
                MxArray row = byRows.row(r);
                if (!f.tensorScale()) {   // a tensor scale comes from the whole matrix, not the row
                    assertThat(row).isEqualTo(MxQuantizer.quantize(f, a, r * cols, cols));
                }
                for (int c = 0; c < cols; c++) {
                    assertThat(byRows.value(r, c)).isEqualTo(row.value(c));
                }
            }
            for (int c = 0; c < cols; c++) {
                if (!f.tensorScale()) {
                    assertThat(byCols.column(c)).isEqualTo(MxQuantizer.quantize(f, t, c * rows, rows));
                }
                assertThat(byCols.column(c).tensorScale()).isEqualTo(byRows.tensorScale());
            }
            // dequantize writes row-major values
            float[] out = new float[rows * cols];
            byCols.dequantize(out);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertThat(out[r * cols + c]).isEqualTo(byCols.column(c).value(r));
                }
            }
        }
    }

    @Test
    void transposeIsExactAndTransposeFromRequantizes() {
        int rows = 33;
        int cols = 20;
        float[] a = random(rows * cols, 2);
        MxTensor2d q = MxTensor2d.quantize(MxFormat.MXFP4, a, rows, cols, BlockAxis.ALONG_ROWS);
        MxTensor2d view = q.transpose();
        assertThat(view.rows()).isEqualTo(cols);
        assertThat(view.axis()).isEqualTo(BlockAxis.ALONG_COLUMNS);
        float[] qa = new float[a.length];
        q.dequantize(qa);
        float[] qv = new float[a.length];
        view.dequantize(qv);
        assertThat(qv).isEqualTo(transpose(qa, rows, cols));
        assertThat(view.column(5)).isEqualTo(q.row(5));
        assertThat(view.transpose()).isEqualTo(q);

        MxTensor2d re = q.transposeFrom(a);
        assertThat(re).isEqualTo(MxTensor2d.quantize(MxFormat.MXFP4, transpose(a, rows, cols), cols, rows, BlockAxis.ALONG_ROWS));
        float[] qre = new float[a.length];
        re.dequantize(qre);
        assertThat(qre).isNotEqualTo(qv);   // quantize and transpose do not commute on random data
    }

    /** The worked example of docs/storage.md, computed by hand. */
    @Test
    void symmetricMatrixWhoseQuantizationIsNotSymmetric() {
        MxFormat f = MxFormat.MXFP4.withBlockSize(2);
        float[] a = {4f, 0.75f, 0.75f, 0.75f};
        MxTensor2d q = MxTensor2d.quantize(f, a, 2, 2, BlockAxis.ALONG_ROWS);
        float[] out = new float[4];
        q.dequantize(out);
        // row 0: amax 4, X = 2^(2-2) = 1, 0.75 is the 0.5/1 midpoint, ties to even code (1.0)
        // row 1: amax 0.75, X = 2^(-1-2) = 1/8, 0.75 / X = 6 exactly
        assertThat(out).containsExactly(4f, 1f, 0.75f, 0.75f);
        assertThat(new int[] {q.row(0).scaleCode(0), q.row(1).scaleCode(0)}).containsExactly(127, 124);
        float[] viaTranspose = new float[4];
        q.transpose().dequantize(viaTranspose);
        assertThat(viaTranspose).containsExactly(4f, 0.75f, 1f, 0.75f);
        float[] requantized = new float[4];
        q.transposeFrom(a).dequantize(requantized);
        assertThat(requantized).containsExactly(4f, 1f, 0.75f, 0.75f);
    }

    @Test
    void badShapes() {
        float[] a = new float[12];
        assertThatThrownBy(() -> MxTensor2d.quantize(MxFormat.MXFP4, a, 3, 5, BlockAxis.ALONG_ROWS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 x 5");
        assertThatThrownBy(() -> MxTensor2d.quantize(MxFormat.MXFP4, a, -3, -4, BlockAxis.ALONG_ROWS))
                .isInstanceOf(IllegalArgumentException.class);
        MxTensor2d q = MxTensor2d.quantize(MxFormat.MXFP4, a, 3, 4, BlockAxis.ALONG_ROWS);
        assertThatThrownBy(() -> q.column(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ALONG_ROWS");
        assertThatThrownBy(() -> q.transpose().row(0)).isInstanceOf(IllegalArgumentException.class);
        float[] out = new float[11];
        assertThatThrownBy(() -> q.dequantize(out)).isInstanceOf(IllegalArgumentException.class);
        assertThat(out).containsOnly(0f);
        assertThatThrownBy(() -> q.transposeFrom(new float[13])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q.row(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
