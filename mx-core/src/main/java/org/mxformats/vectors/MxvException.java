package org.mxformats.vectors;

/**
 * A malformed {@code .mxv} line: an unknown directive, a missing required directive, or a record
 * that does not parse. The message names the file and line.
 */
public final class MxvException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception for {@code file:line}. */
    public MxvException(String file, int line, String message) {
        super(file + ":" + line + ": " + message);
    }
}
