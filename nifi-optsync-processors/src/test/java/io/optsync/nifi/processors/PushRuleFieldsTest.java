package io.optsync.nifi.processors;

import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A field mapping (dynamic property) cannot name a field the decision rule owns: the processor is invalid. */
class PushRuleFieldsTest {

    private static TestRunner push(final String object) {
        return RecordTestSupport.push(object);
    }

    @Test
    void salesforcesOptOutFieldCannotBeMapped() throws Exception {
        try (SalesforceSimulator salesforce = new SalesforceSimulator()) {
            salesforce.start(0);
            final TestRunner push = push("Contact");
            ConnectorTestSupport.salesforce(push, salesforce);
            push.setProperty("Lead_Score__c", "/score");
            push.assertValid();
            push.setProperty("hasoptedoutofemail", "/optsync_opted_out");
            push.assertNotValid();
            assertThat(push.getProcessContext().getProperty("hasoptedoutofemail").getValue()).isNotNull();
        }
    }

    @Test
    void sugarsAddressListAndLegacyOptOutCannotBeMapped() throws Exception {
        try (SugarV10Simulator sugar = new SugarV10Simulator(new SugarStore())) {
            sugar.start(0);
            for (final String field : new String[] {"email", "email_opt_out", "email1", "invalid_email"}) {
                final TestRunner push = push("Contacts");
                ConnectorTestSupport.sugar(push, sugar, "v10");
                push.setProperty(field, "/email");
                push.assertNotValid();
            }
            final TestRunner push = push("Contacts");
            ConnectorTestSupport.sugar(push, sugar, "v10");
            push.setProperty("lead_source", "/source");
            push.assertValid();
        }
    }
}
