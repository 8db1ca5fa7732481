package io.optsync.nifi.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.HttpReply;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.SharedToken;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.apache.nifi.oauth2.AccessToken;
import org.apache.nifi.oauth2.OAuth2AccessTokenProvider;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Salesforce's OAuth 2.0 token endpoint for a server-to-server integration: client credentials, JWT bearer (an RS256
 * assertion signed with the connected app's key) or a refresh token. The token comes with the instance URL every API
 * call goes to; Salesforce does not say when it expires, so it is kept for an hour and replaced as soon as a call
 * answers {@code INVALID_SESSION_ID}.
 */
final class SalesforceAuth {
    static final String CLIENT_CREDENTIALS = "client-credentials";
    static final String JWT_BEARER = "jwt-bearer";
    static final String REFRESH_TOKEN = "refresh-token";
    static final String ACCESS_TOKEN_PROVIDER = "access-token-provider";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration KEPT_FOR = Duration.ofHours(1);

    /**
     * What a flow needs; a field a flow does not use is {@code null}.
     *
     * @param privateKey the JWT bearer flow's key (from the Private Key text or a Private Key Service)
     * @param tokenProvider the OAuth2 Access Token Provider of that flow
     */
    record Credentials(String flow, String clientId, String clientSecret, String username, PrivateKey privateKey, String refreshToken,
                       OAuth2AccessTokenProvider tokenProvider) {
        @Override
        public String toString() {
            return "Credentials[flow=" + flow + ", clientId=" + clientId + "]";
        }
    }

    private final HttpUrl loginUrl;
    private final Credentials credentials;
    private final HttpTransport transport;
    private final PrivateKey privateKey;

    SalesforceAuth(final String loginUrl, final Credentials credentials, final HttpTransport transport) {
        this.loginUrl = HttpUrl.get(loginUrl);
        this.credentials = credentials;
        this.transport = transport;
        this.privateKey = credentials.privateKey();
    }

    /** Where tokens are issued. */
    HttpUrl loginUrl() {
        return loginUrl;
    }

    /** A new token by the configured flow (Salesforce issues no refresh token to these flows, so none is used). */
    SharedToken.Token grant(final String ignoredRefreshToken) throws ConnectorException {
        if (ACCESS_TOKEN_PROVIDER.equals(credentials.flow())) {
            return fromProvider();
        }
        final FormBody.Builder form = new FormBody.Builder();
        switch (credentials.flow()) {
            case CLIENT_CREDENTIALS -> form.add("grant_type", "client_credentials").add("client_id", credentials.clientId())
                    .add("client_secret", credentials.clientSecret());
            case JWT_BEARER -> form.add("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer").add("assertion", assertion());
            case REFRESH_TOKEN -> {
                form.add("grant_type", "refresh_token").add("client_id", credentials.clientId()).add("refresh_token", credentials.refreshToken());
                if (credentials.clientSecret() != null) {
                    form.add("client_secret", credentials.clientSecret());
                }
            }
            default -> throw new ConnectorException("auth", "unknown authentication flow " + credentials.flow(), false);
        }
        final HttpReply reply = transport.send(new Request.Builder().url(loginUrl.newBuilder().addPathSegments("services/oauth2/token").build())
                .post(form.build()).build(), HttpTransport.Classifier.STATUS);
        if (reply.status() != 200) {
            throw new ConnectorException("auth-" + reply.status(), "Salesforce refused the " + credentials.flow() + " sign-in (HTTP " + reply.status()
                    + "): " + reply.excerpt() + "; check the connected app, Client ID and the flow's credentials", false);
        }
        final JsonNode body = reply.requireJson("Salesforce, issuing a token");
        final String instance = body.path("instance_url").asText("");
        if (body.path("access_token").asText("").isEmpty() || instance.isEmpty()) {
            throw new ConnectorException("auth", "Salesforce's token answer has no access_token or instance_url", true);
        }
        return new SharedToken.Token(body.path("access_token").asText(), null, Instant.now().plus(KEPT_FOR), instance);
    }

    /**
     * The token of NiFi's OAuth2 Access Token Provider (which signs in and refreshes by itself), for the Login URL: the
     * provider's answer does not carry Salesforce's instance_url, so the Login URL must be the org's My Domain.
     */
    private SharedToken.Token fromProvider() throws ConnectorException {
        final AccessToken details;
        try {
            details = credentials.tokenProvider().getAccessDetails();
        } catch (final RuntimeException e) {
            throw new ConnectorException("auth", "the OAuth2 Access Token Provider could not provide a token: " + e.getMessage(), true, Duration.ZERO, e);
        }
        if (details == null || details.getAccessToken() == null || details.getAccessToken().isBlank()) {
            throw new ConnectorException("auth", "the OAuth2 Access Token Provider gave no access token", true);
        }
        final Instant kept = Instant.now().plus(KEPT_FOR);
        final Instant expires = details.getExpiresIn() > 0 && details.getFetchTime() != null
                ? details.getFetchTime().plusSeconds(details.getExpiresIn()) : kept;
        return new SharedToken.Token(details.getAccessToken(), null, expires.isBefore(kept) ? expires : kept, loginUrl.toString());
    }

    /** The JWT bearer assertion: iss the connected app, sub the user, aud the login host, valid for 3 minutes. */
    String assertion() throws ConnectorException {
        final Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", credentials.clientId());
        claims.put("sub", credentials.username());
        claims.put("aud", loginUrl.scheme() + "://" + loginUrl.host() + (loginUrl.port() == HttpUrl.defaultPort(loginUrl.scheme()) ? "" : ":" + loginUrl.port()));
        claims.put("exp", Instant.now().plusSeconds(180).getEpochSecond());
        try {
            final Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
            final String signed = base64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                    + base64.encodeToString(JSON.writeValueAsBytes(claims));
            final Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(privateKey);
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + base64.encodeToString(signature.sign());
        } catch (final GeneralSecurityException | java.io.IOException e) {
            throw new ConnectorException("auth", "could not sign the JWT assertion: " + e.getMessage(), false);
        }
    }
}
