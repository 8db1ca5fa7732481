package io.optsync.nifi.connector.netsuite;

import okhttp3.HttpUrl;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** OAuth 1.0a signing against the worked example of RFC 5849 (§3.4.1.1 base string, §3.4.2 signature). */
class TokenBasedSignInTest {

    // Hyphens appear neither in a nonce nor in a base64 signature, so a secret found in the header leaked from the credentials,
    // not by chance (a two-letter secret such as "cs" turns up in about one signature in twenty)
    private static final String CONSUMER_SECRET = "consumer-secret-7f3a";
    private static final String TOKEN_SECRET = "token-secret-9c1e";

    private static Map<String, String> rfcOAuthParameters() {
        final Map<String, String> oauth = new LinkedHashMap<>();
        oauth.put("oauth_consumer_key", "9djdj82h48djs9d2");
        oauth.put("oauth_token", "kkk9d7dh3k39sjv7");
        oauth.put("oauth_signature_method", "HMAC-SHA1");
        oauth.put("oauth_timestamp", "137131201");
        oauth.put("oauth_nonce", "7d8f3e4a");
        return oauth;
    }

    @Test
    void buildsTheBaseStringOfRfc5849() {
        final HttpUrl url = HttpUrl.get("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        final String base = TokenBasedSignIn.baseString("POST", url, List.of(new String[] {"c2", ""}, new String[] {"a3", "2 q"}), rfcOAuthParameters());
        assertThat(base).isEqualTo("POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D"
                + "%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201"
                + "%26oauth_token%3Dkkk9d7dh3k39sjv7");
    }

    @Test
    void signsAsRfc5849Does() throws Exception {
        final HttpUrl url = HttpUrl.get("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        final String base = TokenBasedSignIn.baseString("POST", url, List.of(new String[] {"c2", ""}, new String[] {"a3", "2 q"}), rfcOAuthParameters());
        assertThat(TokenBasedSignIn.signature(base, "j49sk3j29djd&dh893hdasih9", "HmacSHA1")).isEqualTo("r6/TJjbCOr97/+UU0NsvSne7s5g=");
    }

    @Test
    void everyAttemptGetsItsOwnNonceAndTheRealmIsTheAccount() throws Exception {
        final TokenBasedSignIn signIn = new TokenBasedSignIn(new TokenBasedSignIn.Credentials("1234567_SB1", "ck", CONSUMER_SECRET, "tk", TOKEN_SECRET),
                Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC));
        final Request request = new Request.Builder().url("https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=5&offset=0").build();
        final String first = signIn.authorize(request).header("Authorization");
        final String second = signIn.authorize(request).header("Authorization");
        assertThat(first).startsWith("OAuth realm=\"1234567_SB1\", oauth_consumer_key=\"ck\", oauth_token=\"tk\", oauth_signature_method=\"HMAC-SHA256\", "
                + "oauth_timestamp=\"1795514400\", oauth_nonce=\"").contains("oauth_version=\"1.0\"", "oauth_signature=\"").doesNotContain(CONSUMER_SECRET, TOKEN_SECRET);
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void encodesAsRfc5849Section36() {
        assertThat(TokenBasedSignIn.encode("a b+c~d*é/")).isEqualTo("a%20b%2Bc~d%2A%C3%A9%2F");
    }
}
