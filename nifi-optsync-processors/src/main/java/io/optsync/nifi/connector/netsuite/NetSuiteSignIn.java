package io.optsync.nifi.connector.netsuite;

import io.optsync.nifi.connector.ConnectorException;
import okhttp3.Request;

/** How every NetSuite call is authorized: OAuth 2.0 client credentials (the default) or token-based authentication. */
interface NetSuiteSignIn {

    /** The request as it is to be sent, with its {@code Authorization} header; called again for every attempt. */
    Request authorize(Request request) throws ConnectorException;

    /**
     * After a 401 {@code INVALID_LOGIN} (which NetSuite also answers when overloaded): prepares the next
     * {@link #authorize} to use new credentials where there are any (a new token), so that one more try is worth it.
     *
     * @param refused the request that was refused, as it was sent
     */
    void refused(Request refused) throws ConnectorException;
}
