package io.optsync.nifi.connector;

import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.apache.nifi.proxy.ProxyConfiguration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.Proxy;

/**
 * How a connector reaches its vendor: the TLS trust of an SSL Context Service (a private CA) or the JVM's, the HTTP
 * proxy of a Proxy Configuration Service (with its credentials) or none, and whether plain HTTP may be used at all.
 * Every request, and every redirect of it, goes only to the scheme, host and port the call was made to: a redirect to
 * another host, or from https to http, is refused ({@link RefusedDestination}) rather than followed with the vendor
 * credentials a request carries.
 */
public final class Connectivity {

    /** The JVM's trust store, no proxy, https only. */
    public static final Connectivity DEFAULT = new Connectivity(null, null, ProxyConfiguration.DIRECT_CONFIGURATION, false);

    private final SSLContext sslContext;
    private final X509TrustManager trustManager;
    private final ProxyConfiguration proxy;
    private final boolean plainHttpAllowed;

    /**
     * @param sslContext the TLS context of an SSL Context Service, or {@code null} for the JVM's
     * @param trustManager that service's trust manager ({@code null} with a {@code null} context)
     * @param proxy the proxy to call through ({@link ProxyConfiguration#DIRECT_CONFIGURATION} for none)
     * @param plainHttpAllowed whether a call may go out over http (a simulator or a test system)
     */
    public Connectivity(final SSLContext sslContext, final X509TrustManager trustManager, final ProxyConfiguration proxy, final boolean plainHttpAllowed) {
        if ((sslContext == null) != (trustManager == null)) {
            throw new IllegalArgumentException("an SSL context comes with its trust manager");
        }
        this.sslContext = sslContext;
        this.trustManager = trustManager;
        this.proxy = proxy == null ? ProxyConfiguration.DIRECT_CONFIGURATION : proxy;
        this.plainHttpAllowed = plainHttpAllowed;
    }

    /** A call that would leave the host it was made to, or go out over plain HTTP while that is not allowed. Never retried. */
    public static final class RefusedDestination extends IOException {
        RefusedDestination(final String message) {
            super(message);
        }
    }

    /** Applies TLS trust, proxy and the destination rule to a client being built. */
    void configure(final OkHttpClient.Builder builder) {
        if (sslContext != null) {
            builder.sslSocketFactory(sslContext.getSocketFactory(), trustManager);
        }
        if (proxy.getProxyType() != Proxy.Type.DIRECT) {
            builder.proxy(proxy.createProxy());
            if (proxy.hasCredential()) {
                final String authorization = Credentials.basic(proxy.getProxyUserName(), proxy.getProxyUserPassword());
                builder.proxyAuthenticator((route, response) -> response.request().header("Proxy-Authorization") != null
                        ? null // refused with these credentials: asking again would not help
                        : response.request().newBuilder().header("Proxy-Authorization", authorization).build());
            }
        }
        builder.followSslRedirects(false);
        builder.addNetworkInterceptor(this::sameOrigin);
    }

    private Response sameOrigin(final Interceptor.Chain chain) throws IOException {
        final HttpUrl origin = chain.call().request().url();
        final HttpUrl target = chain.request().url();
        check(origin, target);
        return chain.proceed(chain.request());
    }

    /** Refuses {@code target} unless it is {@code origin}'s scheme, host and port, and https unless plain HTTP is allowed. */
    void check(final HttpUrl origin, final HttpUrl target) throws RefusedDestination {
        if (!target.isHttps() && !plainHttpAllowed) {
            throw new RefusedDestination("refused to call " + origin(target) + ": plain HTTP is not allowed (set Allow Plain HTTP only for a test system)");
        }
        if (!origin.scheme().equals(target.scheme()) || !origin.host().equals(target.host()) || origin.port() != target.port()) {
            throw new RefusedDestination("refused to follow a redirect from " + origin(origin) + " to " + origin(target)
                    + ": requests go only to the host they were made to");
        }
    }

    /** scheme://host:port, never a path or query (which may hold keys). */
    static String origin(final HttpUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.port();
    }

    @Override
    public String toString() {
        return "Connectivity[tls=" + (sslContext == null ? "JVM" : "SSL Context Service") + ", proxy=" + proxy.getProxyType()
                + (proxy.getProxyType() == Proxy.Type.DIRECT ? "" : " " + proxy.getProxyServerHost() + ":" + proxy.getProxyServerPort())
                + ", plainHttp=" + plainHttpAllowed + "]";
    }
}
