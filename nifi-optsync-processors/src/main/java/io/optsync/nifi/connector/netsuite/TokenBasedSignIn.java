package io.optsync.nifi.connector.netsuite;

import io.optsync.nifi.connector.ConnectorException;
import okhttp3.HttpUrl;
import okhttp3.Request;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NetSuite's token-based authentication, OAuth 1.0a (RFC 5849) with HMAC-SHA256, for accounts that still use it
 * (NetSuite takes no new TBA integrations from 2027.1). Every attempt of every call is signed anew: NetSuite refuses a
 * nonce it has seen, so a retried request must not repeat its header. The realm is the account id; the base string
 * holds the query parameters; the key is {@code enc(consumer secret)&enc(token secret)}.
 */
final class TokenBasedSignIn implements NetSuiteSignIn {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] NONCE_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    /** The consumer (integration record) and token (user and role) credentials. */
    record Credentials(String accountId, String consumerKey, String consumerSecret, String tokenId, String tokenSecret) {
        @Override
        public String toString() {
            return "Credentials[" + accountId + ", " + consumerKey + ", " + tokenId + "]"; // never the secrets
        }
    }

    private final Credentials credentials;
    private final Clock clock;

    TokenBasedSignIn(final Credentials credentials, final Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    @Override
    public Request authorize(final Request request) throws ConnectorException {
        final Map<String, String> oauth = new LinkedHashMap<>();
        oauth.put("oauth_consumer_key", credentials.consumerKey());
        oauth.put("oauth_token", credentials.tokenId());
        oauth.put("oauth_signature_method", "HMAC-SHA256");
        oauth.put("oauth_timestamp", String.valueOf(clock.instant().getEpochSecond()));
        oauth.put("oauth_nonce", nonce());
        oauth.put("oauth_version", "1.0");
        final String base = baseString(request.method(), request.url(), List.of(), oauth);
        oauth.put("oauth_signature", signature(base, encode(credentials.consumerSecret()) + "&" + encode(credentials.tokenSecret()), "HmacSHA256"));
        final StringBuilder header = new StringBuilder("OAuth realm=\"").append(encode(credentials.accountId())).append('"');
        oauth.forEach((name, value) -> header.append(", ").append(name).append("=\"").append(encode(value)).append('"'));
        return request.newBuilder().header("Authorization", header.toString()).build();
    }

    @Override
    public void refused(final Request refused) {
        // nothing to renew: the next attempt is signed with a new nonce; a wrong token or secret fails again
    }

    private static String nonce() {
        final char[] nonce = new char[20];
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = NONCE_CHARACTERS[RANDOM.nextInt(NONCE_CHARACTERS.length)];
        }
        return new String(nonce);
    }

    /**
     * The signature base string of RFC 5849 §3.4.1: the method, the URL without its query, and every parameter (the
     * query's, {@code extra} ones such as a form body's, and the {@code oauth_} ones) encoded, sorted and joined.
     */
    static String baseString(final String method, final HttpUrl url, final List<String[]> extra, final Map<String, String> oauth) {
        final List<String[]> parameters = new ArrayList<>();
        for (int i = 0; i < url.querySize(); i++) {
            final String value = url.queryParameterValue(i);
            parameters.add(new String[] {encode(url.queryParameterName(i)), encode(value == null ? "" : value)});
        }
        extra.forEach(p -> parameters.add(new String[] {encode(p[0]), encode(p[1])}));
        oauth.forEach((name, value) -> parameters.add(new String[] {encode(name), encode(value)}));
        parameters.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        final StringBuilder normalized = new StringBuilder();
        for (final String[] parameter : parameters) {
            normalized.append(normalized.isEmpty() ? "" : "&").append(parameter[0]).append('=').append(parameter[1]);
        }
        final boolean defaultPort = url.port() == HttpUrl.defaultPort(url.scheme());
        final String baseUri = url.scheme() + "://" + url.host() + (defaultPort ? "" : ":" + url.port()) + url.encodedPath();
        return method.toUpperCase(java.util.Locale.ROOT) + "&" + encode(baseUri) + "&" + encode(normalized.toString());
    }

    static String signature(final String baseString, final String key, final String macAlgorithm) throws ConnectorException {
        try {
            final Mac mac = Mac.getInstance(macAlgorithm);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), macAlgorithm));
            return Base64.getEncoder().encodeToString(mac.doFinal(baseString.getBytes(StandardCharsets.UTF_8)));
        } catch (final GeneralSecurityException e) {
            throw new ConnectorException("auth", "could not sign the NetSuite request: " + e.getMessage(), false);
        }
    }

    /** RFC 5849 §3.6: UTF-8, every byte but the unreserved characters percent-encoded in upper-case hex. */
    static String encode(final String value) {
        final StringBuilder out = new StringBuilder();
        for (final byte b : value.getBytes(StandardCharsets.UTF_8)) {
            final char c = (char) (b & 0xFF);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16))).append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
