package io.optsync.nifi.connector.netsuite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.HttpReply;
import io.optsync.nifi.connector.HttpTransport;
import io.optsync.nifi.connector.SharedToken;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * NetSuite's OAuth 2.0 client credentials (machine to machine): a JWT client assertion signed PS256 with the private
 * key of the certificate mapped to the integration and role ({@code kid} its certificate id), exchanged at
 * {@code /services/rest/auth/oauth2/v1/token} for an access token of an hour. There is no refresh token: a new
 * assertion is signed each time.
 */
final class NetSuiteAuth implements NetSuiteSignIn {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpUrl tokenUrl;
    private final String clientId;
    private final String certificateId;
    private final PrivateKey key;
    private final HttpTransport transport;
    private final SharedToken token;

    /** @param token where the access token is kept, shared by every node of a cluster */
    NetSuiteAuth(final HttpUrl host, final String clientId, final String certificateId, final PrivateKey privateKey, final HttpTransport transport,
                 final SharedToken token) {
        this.token = token;
        this.tokenUrl = host.newBuilder().addPathSegments("services/rest/auth/oauth2/v1/token").build();
        this.clientId = clientId;
        this.certificateId = certificateId;
        this.key = privateKey;
        this.transport = transport;
    }

    @Override
    public Request authorize(final Request request) throws ConnectorException {
        return request.newBuilder().header("Authorization", "Bearer " + token.access(this::grant)).build();
    }

    /** Replaces the refused token, unless another node already has. */
    @Override
    public void refused(final Request refused) throws ConnectorException {
        final String header = refused.header("Authorization");
        token.renewAfterRefusal(this::grant, header == null ? null : header.substring("Bearer ".length()));
    }

    SharedToken.Token grant(final String ignoredRefreshToken) throws ConnectorException {
        final HttpReply reply = transport.send(new Request.Builder().url(tokenUrl).post(new FormBody.Builder().add("grant_type", "client_credentials")
                .add("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer").add("client_assertion", assertion()).build())
                .build(), HttpTransport.Classifier.STATUS);
        if (reply.status() != 200) {
            throw new ConnectorException("auth-" + reply.status(), "NetSuite refused the client-credentials sign-in (HTTP " + reply.status() + "): "
                    + reply.excerpt() + "; check Client ID, Certificate ID and Private Key, and the certificate mapping of the integration", false);
        }
        final JsonNode body = reply.requireJson("NetSuite, issuing a token");
        return new SharedToken.Token(body.path("access_token").asText(), null, Instant.now().plusSeconds(body.path("expires_in").asLong(3600)));
    }

    /** The client assertion: PS256, kid the certificate id; iss the client id, aud the token URL, scope rest_webservices, valid 5 minutes. */
    String assertion() throws ConnectorException {
        final long now = Instant.now().getEpochSecond();
        final Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", "PS256");
        header.put("kid", certificateId);
        final Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", clientId);
        claims.put("scope", "rest_webservices");
        claims.put("aud", tokenUrl.toString());
        claims.put("iat", now);
        claims.put("exp", now + 300);
        try {
            final Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
            final String signed = base64.encodeToString(JSON.writeValueAsBytes(header)) + "." + base64.encodeToString(JSON.writeValueAsBytes(claims));
            final Signature signature = Signature.getInstance("RSASSA-PSS");
            signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            signature.initSign(key);
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + base64.encodeToString(signature.sign());
        } catch (final GeneralSecurityException | java.io.IOException e) {
            throw new ConnectorException("auth", "could not sign the client assertion: " + e.getMessage(), false);
        }
    }
}
