package io.optsync.nifi.connector;

import org.apache.nifi.controller.ControllerService;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What every vendor connector offers, CRM and marketing platform alike. Processors see only this interface and the
 * types of this package: adding a vendor is one connector package, one simulator and one template, and touches no
 * processor.
 */
public interface OptOutConnectorService extends ControllerService {

    /** What the vendor allows and how it encodes opt-out. */
    ConnectorProfile profile();

    /**
     * Reads records page by page and hands each page over before reading the next, so that no whole result is held.
     *
     * @param request what to read: the object, full or incremental (from a watermark) or the opted-out set
     * @param pages receives each page; an exception from it stops the fetch
     * @return the watermark to start the next incremental fetch from: the last record's, or the request's own when
     *         nothing was read
     */
    Watermark fetch(FetchRequest request, PageHandler pages) throws ConnectorException;

    /**
     * The vendor URL the object is read from ({@code write} false) or written to, without credentials or query: the
     * transit URI of the RECEIVE and SEND provenance events.
     */
    default String transitUri(final String object, final boolean write) {
        return "optsync:" + profile().system().toLowerCase(java.util.Locale.ROOT) + "/" + object;
    }

    /**
     * Finds every record of the object that holds one of the addresses. The vendor may hold several records for one
     * address; all are returned.
     *
     * @param emails normalized addresses ({@code lower(trim())})
     * @return the records per normalized address; an address with no record is absent from the map
     */
    Map<String, List<RecordRef>> lookupByEmail(String object, Collection<String> emails) throws ConnectorException;

    /**
     * Writes field updates, at most {@link ConnectorProfile#maxBatch()} in one call. Never deletes; creates nothing
     * unless an update says so.
     *
     * @return one outcome per update, in the same order
     */
    List<WriteOutcome> write(String object, List<FieldUpdate> updates) throws ConnectorException;
}
