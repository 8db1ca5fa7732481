package io.optsync.nifi.connector.salesforce;

import io.optsync.nifi.connector.ConnectorException;
import okhttp3.HttpUrl;

import java.util.List;
import java.util.Locale;

/**
 * Where Salesforce API calls may go. A token names the instance every call goes to, and a query page names the next
 * one; both come from the network, so neither is followed blindly with the access token: the instance must be a
 * Salesforce host (or the Login URL's own host and port, as for a test server) over https (or over the Login URL's own
 * scheme), and a next page must be on that instance, same scheme, host and port.
 */
final class SalesforceInstance {

    /** Salesforce's own domains: instances and My Domains ({@code acme.my.salesforce.com}) are under them. */
    static final List<String> DOMAINS = List.of("salesforce.com", "force.com", "salesforce.mil", "cloudforce.com", "sfcrmproducts.cn");

    private final HttpUrl login;

    SalesforceInstance(final HttpUrl login) {
        this.login = login;
    }

    /** The instance a token names, if calls may go there. */
    HttpUrl instance(final String instanceUrl) throws ConnectorException {
        final HttpUrl instance = HttpUrl.parse(instanceUrl);
        if (instance == null) {
            throw refused("the instance URL Salesforce returned with the token is not a URL");
        }
        final boolean loginHost = instance.host().equals(login.host()) && instance.port() == login.port();
        if (!instance.scheme().equals("https") && !(loginHost && instance.scheme().equals(login.scheme()))) {
            throw refused("the instance URL Salesforce returned with the token (" + where(instance) + ") is not https");
        }
        if (!loginHost && !(salesforceHost(instance.host()) && instance.port() == 443)) {
            throw refused("the instance URL Salesforce returned with the token (" + where(instance) + ") is not a Salesforce host "
                    + "nor the Login URL's");
        }
        return instance;
    }

    /** The next page of a query: a locator on the instance, refused when it points anywhere else. */
    static HttpUrl next(final HttpUrl instance, final String nextRecordsUrl) throws ConnectorException {
        final HttpUrl next = instance.resolve(nextRecordsUrl);
        if (next == null || !next.scheme().equals(instance.scheme()) || !next.host().equals(instance.host()) || next.port() != instance.port()) {
            throw refused("a query page's nextRecordsUrl points away from the instance " + where(instance)
                    + (next == null ? "" : " (to " + where(next) + ")"));
        }
        return next;
    }

    private static boolean salesforceHost(final String host) {
        final String lower = host.toLowerCase(Locale.ROOT);
        return DOMAINS.stream().anyMatch(domain -> lower.endsWith("." + domain));
    }

    /** Scheme, host and port only: never a path or query, which could carry anything. */
    private static String where(final HttpUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.port();
    }

    private static ConnectorException refused(final String why) {
        return new ConnectorException("destination", "Salesforce calls not sent: " + why, false);
    }
}
