package io.optsync.nifi.connector;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** Reads the private keys connectors sign JWTs with; messages never quote the key. */
public final class PemKeys {
    private PemKeys() {
    }

    /** A validation result for a property that must hold such a key: valid when unset or readable. */
    public static java.util.Optional<org.apache.nifi.components.ValidationResult> check(final org.apache.nifi.components.ValidationContext context,
                                                                                          final org.apache.nifi.components.PropertyDescriptor property) {
        if (!context.getProperty(property).isSet()) {
            return java.util.Optional.empty();
        }
        try {
            rsaPrivateKey(context.getProperty(property).getValue());
            return java.util.Optional.empty();
        } catch (final IllegalArgumentException e) {
            return java.util.Optional.of(new org.apache.nifi.components.ValidationResult.Builder().subject(property.getDisplayName()).valid(false)
                    .explanation(e.getMessage()).build());
        }
    }

    /** An unencrypted PKCS#8 PEM RSA key ({@code -----BEGIN PRIVATE KEY-----}). */
    public static PrivateKey rsaPrivateKey(final String pem) {
        if (pem == null || !pem.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalArgumentException("the Private Key must be an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----); "
                    + "convert one with: openssl pkcs8 -topk8 -nocrypt -in server.key");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(
                    pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""))));
        } catch (final GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the Private Key is not a readable RSA key in PKCS#8 PEM", e);
        }
    }
}
