package io.optsync.nifi.connector.sugarcrm;

import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.PageHandler;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.Watermark;
import io.optsync.nifi.connector.WriteOutcome;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** One of SugarCRM's two REST APIs, as the connector uses it. */
interface SugarApi {
    Watermark fetch(FetchRequest request, PageHandler pages) throws ConnectorException;

    Map<String, List<RecordRef>> lookupByEmail(String module, Collection<String> emails) throws ConnectorException;

    List<WriteOutcome> write(String module, List<FieldUpdate> updates) throws ConnectorException;
}
