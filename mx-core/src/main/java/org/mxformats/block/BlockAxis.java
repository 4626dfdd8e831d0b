package org.mxformats.block;

/** Which way the blocks of a 2-D tensor ({@link MxTensor2d}) run. */
public enum BlockAxis {
    /** A block is k consecutive elements of one row; every row starts a new block. */
    ALONG_ROWS,
    /** A block is k consecutive elements of one column; every column starts a new block. */
    ALONG_COLUMNS
}
