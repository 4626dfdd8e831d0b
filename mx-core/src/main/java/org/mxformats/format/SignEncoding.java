package org.mxformats.format;

/**
 * How a format's codes carry the sign of a value.
 */
public enum SignEncoding {
    /** The top bit is the sign and the other bits hold the magnitude, as in IEEE 754. */
    SIGN_MAGNITUDE,
    /** No sign bit: every code is non-negative (scale formats such as UE8M0, UE4M3, UE5M3). */
    UNSIGNED,
    /**
     * Two's complement integer codes with a fixed binary point, as the MXINT8 element. The most
     * negative code decodes but is never produced by encoding, so the range stays symmetric.
     */
    TWOS_COMPLEMENT
}
