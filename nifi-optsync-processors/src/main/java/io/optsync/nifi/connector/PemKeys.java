package io.optsync.nifi.connector;

import org.apache.nifi.components.DescribedValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.context.PropertyContext;
import org.apache.nifi.key.service.api.PrivateKeyService;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;

/**
 * The private keys connectors sign JWTs with: pasted as PEM text (a sensitive property), or from NiFi's Private Key
 * Service (a key file or text, encrypted keys included); messages never quote the key.
 */
public final class PemKeys {
    private PemKeys() {
    }

    /** "Private Key Service": the RSA key from NiFi's Private Key Service, instead of the Private Key text. */
    public static PropertyDescriptor privateKeyService(final PropertyDescriptor authentication, final DescribedValue flow) {
        return new PropertyDescriptor.Builder()
                .name("Private Key Service")
                .description("NiFi's Private Key Service holding the RSA key, instead of the Private Key text: it reads a PEM key from a file or "
                        + "text, encrypted (with its Key Password) or not. Set either this or Private Key.")
                .required(false)
                .identifiesControllerService(PrivateKeyService.class)
                .dependsOn(authentication, flow)
                .build();
    }

    /**
     * A validation result for a flow that signs with a key: invalid unless exactly one of the key text and the key
     * service is set, and the text, when set, is a readable key.
     */
    public static Optional<ValidationResult> checkOneOf(final ValidationContext context, final PropertyDescriptor text, final PropertyDescriptor service) {
        final boolean textSet = context.getProperty(text).isSet();
        if (textSet == context.getProperty(service).isSet()) {
            return Optional.of(new ValidationResult.Builder().subject(text.getDisplayName()).valid(false)
                    .explanation("set either " + text.getDisplayName() + " or " + service.getDisplayName() + ", not " + (textSet ? "both" : "neither")).build());
        }
        return textSet ? check(context, text) : Optional.empty();
    }

    /** A validation result for a property that must hold such a key: valid when unset or readable. */
    public static Optional<ValidationResult> check(final ValidationContext context, final PropertyDescriptor property) {
        if (!context.getProperty(property).isSet()) {
            return Optional.empty();
        }
        try {
            rsaPrivateKey(context.getProperty(property).getValue());
            return Optional.empty();
        } catch (final IllegalArgumentException e) {
            return Optional.of(new ValidationResult.Builder().subject(property.getDisplayName()).valid(false).explanation(e.getMessage()).build());
        }
    }

    /** The RSA key of the key service when it is set, else of the key text. */
    public static PrivateKey resolve(final PropertyContext context, final PropertyDescriptor text, final PropertyDescriptor service) {
        final PrivateKeyService keys = context.getProperty(service).asControllerService(PrivateKeyService.class);
        if (keys == null) {
            return rsaPrivateKey(context.getProperty(text).getValue());
        }
        final PrivateKey key = keys.getPrivateKey();
        if (key == null || !"RSA".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("the " + service.getDisplayName() + " holds no RSA key" + (key == null ? "" : " (it holds " + key.getAlgorithm()
                    + "); the JWT is signed with RSA"));
        }
        return key;
    }

    /** An unencrypted PKCS#8 PEM RSA key ({@code -----BEGIN PRIVATE KEY-----}). */
    public static PrivateKey rsaPrivateKey(final String pem) {
        if (pem == null || !pem.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalArgumentException("the Private Key must be an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----); "
                    + "convert one with: openssl pkcs8 -topk8 -nocrypt -in server.key, or use a Private Key Service for an encrypted key");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(
                    pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""))));
        } catch (final GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the Private Key is not a readable RSA key in PKCS#8 PEM", e);
        }
    }
}
