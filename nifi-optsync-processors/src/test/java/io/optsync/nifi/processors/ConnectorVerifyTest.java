package io.optsync.nifi.processors;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.FetchRequest;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.Watermark;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.controller.VerifiableControllerService;
import org.apache.nifi.util.MockConfigurationContext;
import org.apache.nifi.util.MockProcessContext;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * NiFi's Verify button on every connector service, against the simulators: it signs in and reads one record of each
 * object, writes nothing, shows no secret, and spends no Act-On password grant the service would not have spent.
 */
class ConnectorVerifyTest {
    @RegisterExtension
    final Simulators sims = new Simulators();

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.optsync.nifi.processors.SimulatedVendor#all")
    void verifySignsInAndReadsOneRecordOfEachObject(final SimulatedVendor vendor) throws Exception {
        final String name = vendor.name();
        final SimulatorServer sim = sims.started(vendor.simulator().get());
        final TestRunner host = disabledConnector(sim, vendor.connect());
        final ControllerService service = host.getControllerService("connector");

        final List<ConfigVerificationResult> results = verify(host, service);

        results.forEach(r -> System.out.printf("VERIFY %s | %s: %s (%s)%n", name, r.getVerificationStepName(), r.getOutcome(), r.getExplanation()));
        final List<ConfigVerificationResult> reads = results.stream().filter(r -> r.getVerificationStepName().startsWith("Read ")).toList();
        assertThat(reads).as(name + ": one read of each object").hasSize(vendor.objects());
        assertThat(results).as(name).allSatisfy(r -> assertThat(r.getOutcome()).as(r.getVerificationStepName() + ": " + r.getExplanation())
                .isEqualTo(Outcome.SUCCESSFUL));
        assertThat(reads).anySatisfy(r -> assertThat(r.getExplanation()).startsWith("signed in and read ")); // a page: Salesforce sends 200 at least
        assertThat(sim.stats().snapshot().get("calls").toString()).as(name + ": nothing written")
                .doesNotContain("PUT ").doesNotContain("PATCH ").doesNotContain("DELETE ").doesNotContain("/bulk").doesNotContain("contactLists")
                .doesNotContain("POST /3.0/lists/{id}=");
        if (name.equals("Salesforce")) {
            assertThat(results).anySatisfy(r -> assertThat(r.getVerificationStepName() + ": " + r.getExplanation())
                    .startsWith("API usage: ").contains("of the org's").contains("optsync stops calling at"));
        }
    }

    @Test
    void aWrongPasswordFailsTheSignInStepWithoutShowingThePasswordAndSkipsTheRest() throws Exception {
        final TestRunner host = disabledConnector(sims.started(new ActOnSimulator().seed(5, 1)), ConnectorTestSupport::actOn);
        final List<ConfigVerificationResult> results = verifyWith(host, "Password", "Wrong-Secret-4711");

        assertThat(results).extracting(ConfigVerificationResult::getOutcome).containsExactly(Outcome.FAILED, Outcome.SKIPPED);
        assertThat(results).allSatisfy(r -> assertThat(r.getExplanation()).doesNotContain("Wrong-Secret-4711"));
        final org.apache.nifi.util.MockComponentLog log = host.getControllerServiceLogger("connector");
        assertThat(Stream.of(log.getDebugMessages(), log.getInfoMessages(), log.getWarnMessages(), log.getErrorMessages()).flatMap(List::stream).toList())
                .allSatisfy(m -> assertThat(m.getMsg() + " " + java.util.Arrays.toString(m.getArgs())).doesNotContain("Wrong-Secret-4711"));
    }

    @Test
    void aScopeThatDoesNotCompileFailsTheReadsItIsPartOf() throws Exception {
        final TestRunner host = disabledConnector(sims.started(new SalesforceSimulator().seed(20, 3)), ConnectorTestSupport::salesforce);
        final List<ConfigVerificationResult> reads = verifyWith(host, "Scope", "LeadSource = 'Web' AN").stream().filter(r -> r.getVerificationStepName().startsWith("Read ")).toList();

        assertThat(reads).isNotEmpty().allSatisfy(r -> {
            assertThat(r.getOutcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.getExplanation()).contains("MALFORMED_QUERY");
        });
    }

    @Test
    void verifySpendsNoActOnPasswordGrantTheServiceWouldNotHaveSpent() throws Exception {
        final ActOnSimulator actOn = sims.started(new ActOnSimulator().seed(5, 1));
        final TestRunner host = disabledConnector(actOn, ConnectorTestSupport::actOn);
        final ControllerService service = host.getControllerService("connector");

        verify(host, service);
        verify(host, service);
        assertThat(actOn.passwordGrants()).as("two Verify clicks: one sign-in, kept in cluster state").isEqualTo(1);

        host.enableControllerService(service);
        ((OptOutConnectorService) service).fetch(new FetchRequest("optout", FetchMode.INCREMENTAL, Watermark.START, 10), page -> { });
        assertThat(actOn.passwordGrants()).as("the enabled service goes on with the token Verify obtained").isEqualTo(1);
        host.disableControllerService(service);
        verify(host, service);
        assertThat(actOn.passwordGrants()).as("a Verify while the cluster holds a token").isEqualTo(1);
    }

    /** A runner holding the connector of {@code sim}, "connector", disabled: NiFi verifies a service while it is disabled. */
    private static TestRunner disabledConnector(final SimulatorServer sim, final BiConsumer<TestRunner, SimulatorServer> connect) {
        final TestRunner host = RecordTestSupport.fetch("unused");
        connect.accept(host, sim);
        host.disableControllerService(host.getControllerService("connector"));
        return host;
    }

    /** Verify with one property of the connector changed, as a user edits it before pressing Verify. */
    private static List<ConfigVerificationResult> verifyWith(final TestRunner host, final String property, final String value) {
        final ControllerService service = host.getControllerService("connector");
        host.setProperty(service, property, value);
        return verify(host, service);
    }

    private static List<ConfigVerificationResult> verify(final TestRunner host, final ControllerService service) {
        final MockProcessContext context = (MockProcessContext) host.getProcessContext();
        final Map<PropertyDescriptor, String> properties = context.getConfiguration(service.getIdentifier()).getProperties();
        return ((VerifiableControllerService) service).verify(new MockConfigurationContext(service, properties, context, Map.of()),
                host.getControllerServiceLogger(service.getIdentifier()), Map.of());
    }
}
