package io.optsync.nifi.connector;

/**
 * A record found by e-mail address.
 *
 * @param object its object
 * @param id its id
 * @param email the address as the vendor holds it
 * @param optOutValue its current opt-out value in the vendor's encoding, or {@code null} when not read
 */
public record RecordRef(String object, String id, String email, Object optOutValue) {
}
