package io.optsync.nifi.connector.sugarcrm;

import io.optsync.nifi.connector.AbstractConnectorService;

/** One of SugarCRM's two REST APIs, as the connector uses it. */
interface SugarApi extends AbstractConnectorService.Client {
}
