package io.optsync.nifi.processors;

import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record with no address has nothing to sync: the vendor reads leave it out where their query can (Salesforce
 * {@code Email != null}, NetSuite {@code email IS NOT NULL}), so an org's thousands of address-less Contacts never
 * reach a failure connection.
 */
class AddressLessRecordsTest {

    @RegisterExtension
    final Simulators sims = new Simulators();

    private static List<String> fetchedEmails(final TestRunner fetch) {
        fetch.run();
        return RecordTestSupport.records(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS)).stream().map(r -> r.path("email").asText(null)).toList();
    }

    @Test
    void salesforceReadsOnlyContactsWithAnAddress() throws Exception {
        final SalesforceSimulator salesforce = sims.started(new SalesforceSimulator());
        salesforce.create("Contact", "Ann", "Lee", "ann@example.com");
        salesforce.create("Contact", "No", "Address", null);
        salesforce.create("Contact", "Empty", "Address", "");
        final TestRunner fetch = RecordTestSupport.fetch("Contact");
        ConnectorTestSupport.salesforce(fetch, salesforce);
        assertThat(fetchedEmails(fetch)).containsExactly("ann@example.com");
    }

    @Test
    void netSuiteReadsOnlyCustomersWithAnAddress() throws Exception {
        final NetSuiteSimulator netSuite = sims.started(new NetSuiteSimulator());
        netSuite.create("customer", "ann@example.com", "1");
        netSuite.create("customer", null, "1");
        final TestRunner fetch = RecordTestSupport.fetch("customer");
        ConnectorTestSupport.netSuite(fetch, netSuite);
        assertThat(fetchedEmails(fetch)).containsExactly("ann@example.com");
    }
}
