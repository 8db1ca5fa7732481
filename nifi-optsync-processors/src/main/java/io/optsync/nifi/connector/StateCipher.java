package io.optsync.nifi.connector;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;

/**
 * Seals the live secrets a connector keeps in cluster state (access and refresh tokens, session ids) with AES-256-GCM
 * under a key derived (PBKDF2-HMAC-SHA256) from the service's own sensitive property values and its identifier. Every
 * node of a cluster has the same sensitive properties, so every node opens what another sealed; NiFi's View State, and
 * ZooKeeper, show only ciphertext to anybody who cannot read those properties. A value sealed under other secrets (a
 * password was changed) or changed in state does not open: the connector then signs in anew, as without a token.
 * Each value is bound to its state key, so that one sealed value cannot be passed off as another.
 */
public final class StateCipher {
    private static final String PREFIX = "sealed1:";
    private static final int ITERATIONS = 120_000;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private StateCipher(final SecretKeySpec key) {
        this.key = key;
    }

    /**
     * The cipher of one service.
     *
     * @param serviceId the service's identifier (the salt: two services with the same password have different keys)
     * @param secrets the values of the service's sensitive properties that are set, in a stable order
     */
    public static StateCipher of(final String serviceId, final Collection<String> secrets) {
        final char[] material = String.join("\u0000", secrets).toCharArray();
        try {
            final PBEKeySpec spec = new PBEKeySpec(material, ("optsync cluster state " + serviceId).getBytes(StandardCharsets.UTF_8), ITERATIONS, 256);
            final byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            spec.clearPassword();
            return new StateCipher(new SecretKeySpec(derived, "AES"));
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no PBKDF2WithHmacSHA256", e);
        } finally {
            java.util.Arrays.fill(material, '\0');
        }
    }

    /** {@code value} sealed for the state key {@code name}. */
    public String seal(final String name, final String value) {
        try {
            final byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            final byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("could not seal a state value", e);
        }
    }

    /**
     * What {@link #seal} sealed for {@code name}, or empty when {@code stored} is not a value this cipher sealed for that
     * key (sealed under other secrets, changed, or plaintext an earlier version wrote).
     */
    public Optional<String> open(final String name, final String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            final byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            if (all.length <= IV_BYTES) {
                return Optional.empty();
            }
            final Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8));
        } catch (final AEADBadTagException | IllegalArgumentException notOurs) {
            return Optional.empty();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("could not open a state value", e);
        }
    }

    @Override
    public String toString() {
        return "StateCipher[AES-256-GCM]";
    }
}
