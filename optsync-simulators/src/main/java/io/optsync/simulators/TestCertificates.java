package io.optsync.simulators;

import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * A private CA and a server certificate it issued for 127.0.0.1 and localhost, as a company's SugarCRM behind its own
 * CA has: simulators serve HTTPS with it ({@link SimulatorServer#startHttps}), and a client trusts it only when told to
 * (an SSL Context Service with {@link #writeTrustStore the CA in its trust store}). A new pair per instance.
 */
public final class TestCertificates {
    private final HeldCertificate ca;
    private final HeldCertificate server;

    public TestCertificates() {
        ca = new HeldCertificate.Builder().commonName("optsync test CA").certificateAuthority(0).rsa2048().build();
        server = new HeldCertificate.Builder().commonName("127.0.0.1").addSubjectAlternativeName("127.0.0.1")
                .addSubjectAlternativeName("localhost").signedBy(ca).rsa2048().build();
    }

    /** The server side: the certificate and its chain. */
    public SSLContext serverContext() {
        return new HandshakeCertificates.Builder().heldCertificate(server, ca.certificate()).build().sslContext();
    }

    /** A client's trust in this CA only. */
    public HandshakeCertificates clientTrust() {
        return new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate()).build();
    }

    /** A client's trust in this CA only, as an SSL context. */
    public SSLContext clientContext() {
        return clientTrust().sslContext();
    }

    /** A client's trust manager for this CA only. */
    public X509TrustManager clientTrustManager() {
        return clientTrust().trustManager();
    }

    /** Writes a PKCS12 trust store holding the CA, for an SSL Context Service's Truststore Filename. */
    public Path writeTrustStore(final Path file, final String password) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("optsync-test-ca", ca.certificate());
            store.store(out, password.toCharArray());
        } catch (final GeneralSecurityException e) {
            throw new IOException("could not write the trust store", e);
        }
        return file;
    }
}
