package io.optsync.nifi.optout;

/** Thrown when a value cannot serve as an e-mail identity; the message says why, without repeating the value. */
public class InvalidEmailAddressException extends IllegalArgumentException {
    public InvalidEmailAddressException(final String reason) {
        super(reason);
    }
}
