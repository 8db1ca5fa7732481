package io.optsync.nifi.connector;

/**
 * A record found by e-mail address.
 *
 * @param object its object
 * @param id its id
 * @param email the address as the vendor holds it
 * @param optOutValue its current opt-out value in the vendor's encoding, or {@code null} when not read
 * @param modifiedAt when the vendor last changed the record, or {@code null} when it does not say: no earlier than its
 *                   opt-out, so a consent must be newer than it before an opt-in may replace that opt-out
 * @param outsideScope whether the record lies outside the scope the user gave the connector ({@link RecordScope}): an
 *                     opt-out still reaches it, an opt-in never does
 */
public record RecordRef(String object, String id, String email, Object optOutValue, java.time.Instant modifiedAt, boolean outsideScope) {

    public RecordRef(final String object, final String id, final String email, final Object optOutValue, final java.time.Instant modifiedAt) {
        this(object, id, email, optOutValue, modifiedAt, false);
    }

    public RecordRef(final String object, final String id, final String email, final Object optOutValue) {
        this(object, id, email, optOutValue, null);
    }
}
