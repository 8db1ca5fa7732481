package io.optsync.nifi.connector;

import io.optsync.nifi.connector.acton.ActOnTestConnectors;
import io.optsync.nifi.connector.netsuite.NetSuiteTestConnectors;
import io.optsync.nifi.connector.salesforce.SalesforceTestConnectors;
import io.optsync.nifi.connector.sugarcrm.SugarTestConnectors;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every connector that keeps a vendor token in cluster state keeps it sealed: after a real sign-in and fetch against
 * the vendor's simulator, no value of the service's state holds any access token, refresh token or session id the
 * vendor handed out, which NiFi's View State would otherwise show; the service still reads the token it sealed.
 */
class StateSecretsTest {

    /** The connectors that sign in, each with its simulator. */
    enum Signing {
        SUGARCRM_V10, SUGARCRM_V4_1, ACT_ON, SALESFORCE, NETSUITE;

        SimulatorServer simulator() {
            return switch (this) {
                case SUGARCRM_V10 -> new SugarV10Simulator(new SugarStore().seed(20, 3));
                case SUGARCRM_V4_1 -> new SugarV41Simulator(new SugarStore().seed(20, 3));
                case ACT_ON -> new ActOnSimulator().seed(20, 3);
                case SALESFORCE -> new SalesforceSimulator().seed(20, 3);
                case NETSUITE -> new NetSuiteSimulator().seed(20, 3);
            };
        }

        AbstractConnectorService connector(final TestRunner runner, final String url) {
            return switch (this) {
                case SUGARCRM_V10 -> SugarTestConnectors.add(runner, "connector", url, "v10");
                case SUGARCRM_V4_1 -> SugarTestConnectors.add(runner, "connector", url, "v4_1");
                case ACT_ON -> ActOnTestConnectors.add(runner, "connector", url);
                case SALESFORCE -> SalesforceTestConnectors.add(runner, "connector", url);
                case NETSUITE -> NetSuiteTestConnectors.add(runner, "connector", url);
            };
        }
    }

    @ParameterizedTest
    @EnumSource(Signing.class)
    void noTokenOrSessionIdTheVendorIssuedIsInClusterState(final Signing system) throws Exception {
        try (SimulatorServer simulator = system.simulator().start(0)) {
            final TestRunner runner = ConnectorTestRunners.hostRunner();
            final AbstractConnectorService connector = system.connector(runner, simulator.baseUrl());
            final String object = connector.profile().objects().getFirst();
            ConnectorTestRunners.fetchAll(connector, new FetchRequest(object, FetchMode.FULL, Watermark.START, 10));
            final Set<String> issued = simulator.issuedSecrets();
            assertThat(issued).as("the vendor handed out a token or session").isNotEmpty();

            final Map<String, String> state = runner.getStateManager(connector).getState(Scope.CLUSTER).toMap();
            assertThat(state).as("the service shares its token through cluster state").containsKey("token.access");
            assertThat(state.get("token.access")).startsWith("sealed1:");
            assertThat(state.values()).as("what View State shows").noneMatch(value -> issued.stream().anyMatch(value::contains));

            runner.disableControllerService(connector);
            runner.enableControllerService(connector); // holds no token in memory now: it reads the cluster's
            ConnectorTestRunners.fetchAll(connector, new FetchRequest(object, FetchMode.FULL, Watermark.START, 10));
            assertThat(simulator.issuedSecrets()).as("the sealed token is read back from state and used: no new sign-in").isEqualTo(issued);
        }
    }
}
