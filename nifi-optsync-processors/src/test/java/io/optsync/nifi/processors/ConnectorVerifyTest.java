package io.optsync.nifi.processors;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * NiFi's Verify button on every connector service, against the simulators: it signs in and reads one record of each
 * object, writes nothing, shows no secret, and spends no Act-On password grant the service would not have spent.
 */
class ConnectorVerifyTest {
    @RegisterExtension
    final Simulators sims = new Simulators();

    static Stream<Arguments> vendors() {
        return Stream.of(
                vendor("SugarCRM v10", () -> new SugarV10Simulator(new SugarStore().seed(20, 3)), (r, s) -> ConnectorTestSupport.sugar(r, s, "v10"), 2),
                vendor("SugarCRM v4_1", () -> new SugarV41Simulator(new SugarStore().seed(20, 3)), (r, s) -> ConnectorTestSupport.sugar(r, s, "v4_1"), 2),
                vendor("Act-On", () -> new ActOnSimulator().seed(20, 3), ConnectorTestSupport::actOn, 2),
                vendor("ActiveCampaign", () -> new ActiveCampaignSimulator().seed(20, 3), (r, s) -> ConnectorTestSupport.activeCampaign(r, s, null), 1),
                vendor("Mailchimp", () -> new MailchimpSimulator().seed(20, 3), ConnectorTestSupport::mailchimp, 1),
                vendor("NetSuite", () -> new NetSuiteSimulator().seed(20, 3), ConnectorTestSupport::netSuite, 3),
                vendor("Salesforce", () -> new SalesforceSimulator().seed(20, 3), ConnectorTestSupport::salesforce, 3));
    }

    private static Arguments vendor(final String name, final Supplier<SimulatorServer> sim, final BiConsumer<TestRunner, SimulatorServer> connect,
                                    final int objects) {
        return Arguments.of(name, sim, connect, objects);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vendors")
    void verifySignsInAndReadsOneRecordOfEachObject(final String name, final Supplier<SimulatorServer> vendor,
                                                     final BiConsumer<TestRunner, SimulatorServer> connect, final int objects) throws Exception {
        final SimulatorServer sim = sims.started(vendor.get());
        final TestRunner host = RecordTestSupport.fetch("unused");
        connect.accept(host, sim);
        final ControllerService service = host.getControllerService("connector");
        host.disableControllerService(service); // NiFi verifies a service while it is disabled, with the settings being edited

        final List<ConfigVerificationResult> results = verify(host, service);

        results.forEach(r -> System.out.printf("VERIFY %s | %s: %s (%s)%n", name, r.getVerificationStepName(), r.getOutcome(), r.getExplanation()));
        final List<ConfigVerificationResult> reads = results.stream().filter(r -> r.getVerificationStepName().startsWith("Read ")).toList();
        assertThat(reads).as(name + ": one read of each object").hasSize(objects);
        assertThat(results).as(name).allSatisfy(r -> assertThat(r.getOutcome()).as(r.getVerificationStepName() + ": " + r.getExplanation())
                .isEqualTo(Outcome.SUCCESSFUL));
        assertThat(reads).anySatisfy(r -> assertThat(r.getExplanation()).contains("read a record of"));
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
        final ActOnSimulator actOn = sims.started(new ActOnSimulator().seed(5, 1));
        final TestRunner host = RecordTestSupport.fetch("unused");
        ConnectorTestSupport.actOn(host, actOn);
        final ControllerService service = host.getControllerService("connector");
        host.disableControllerService(service);
        host.setProperty(service, "Password", "Wrong-Secret-4711");

        final List<ConfigVerificationResult> results = verify(host, service);

        assertThat(results).extracting(ConfigVerificationResult::getOutcome).containsExactly(Outcome.FAILED, Outcome.SKIPPED);
        assertThat(results).allSatisfy(r -> assertThat(r.getExplanation()).doesNotContain("Wrong-Secret-4711"));
        final org.apache.nifi.util.MockComponentLog log = host.getControllerServiceLogger("connector");
        assertThat(Stream.of(log.getDebugMessages(), log.getInfoMessages(), log.getWarnMessages(), log.getErrorMessages()).flatMap(List::stream).toList())
                .allSatisfy(m -> assertThat(m.getMsg() + " " + java.util.Arrays.toString(m.getArgs())).doesNotContain("Wrong-Secret-4711"));
    }

    @Test
    void aScopeThatDoesNotCompileFailsTheReadsItIsPartOf() throws Exception {
        final SalesforceSimulator salesforce = sims.started(new SalesforceSimulator().seed(20, 3));
        final TestRunner host = RecordTestSupport.fetch("unused");
        ConnectorTestSupport.salesforce(host, salesforce);
        final ControllerService service = host.getControllerService("connector");
        host.disableControllerService(service);
        host.setProperty(service, "Scope", "LeadSource = 'Web' AN");

        final List<ConfigVerificationResult> reads = verify(host, service).stream().filter(r -> r.getVerificationStepName().startsWith("Read ")).toList();

        assertThat(reads).isNotEmpty().allSatisfy(r -> {
            assertThat(r.getOutcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.getExplanation()).contains("MALFORMED_QUERY");
        });
    }

    @Test
    void verifySpendsNoActOnPasswordGrantTheServiceWouldNotHaveSpent() throws Exception {
        final ActOnSimulator actOn = sims.started(new ActOnSimulator().seed(5, 1));
        final TestRunner host = RecordTestSupport.fetch("unused");
        ConnectorTestSupport.actOn(host, actOn);
        final ControllerService service = host.getControllerService("connector");
        host.disableControllerService(service);

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

    private static List<ConfigVerificationResult> verify(final TestRunner host, final ControllerService service) {
        final MockProcessContext context = (MockProcessContext) host.getProcessContext();
        final Map<PropertyDescriptor, String> properties = context.getConfiguration(service.getIdentifier()).getProperties();
        return ((VerifiableControllerService) service).verify(new MockConfigurationContext(service, properties, context, Map.of()),
                host.getControllerServiceLogger(service.getIdentifier()), Map.of());
    }
}
