package io.optsync.nifi.connector;

import io.optsync.simulators.TestCertificates;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.ssl.SSLContextProvider;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import java.util.Optional;

/** An SSL Context Service that trusts the given test CA only, for connectors that call a simulator over HTTPS. */
public final class TrustingSslContextService extends AbstractControllerService implements SSLContextProvider {
    private final TestCertificates trusted;

    public TrustingSslContextService(final TestCertificates trusted) {
        this.trusted = trusted;
    }

    @Override
    public SSLContext createContext() {
        return trusted.clientContext();
    }

    @Override
    public Optional<X509ExtendedKeyManager> createKeyManager() {
        return Optional.empty();
    }

    @Override
    public X509TrustManager createTrustManager() {
        return trusted.clientTrustManager();
    }
}
