package io.optsync.it;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarV10Simulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The template parameters that point one system's connector at its simulator: their values, the names of the
 * sensitive ones, and the secrets they hold (which no exported flow or log may show).
 *
 * @param values each parameter's value
 * @param sensitive the parameters set as sensitive
 * @param secrets the secret values among them
 */
record SimulatorParameters(Map<String, String> values, List<String> sensitive, List<String> secrets) {

    static SimulatorParameters sugarCrm(final SimulatorServer sugar, final String version) {
        return new SimulatorParameters(Map.of(Templates.SUGAR_URL, sugar.baseUrl(), Templates.SUGAR_API, version,
                Templates.SUGAR_ENCODING, "sugarcrm-" + version, Templates.SUGAR_USER, SugarV10Simulator.USERNAME,
                Templates.SUGAR_PASSWORD, SugarV10Simulator.PASSWORD), List.of(Templates.SUGAR_PASSWORD), List.of(SugarV10Simulator.PASSWORD));
    }

    static SimulatorParameters actOn(final ActOnSimulator actOn) {
        return new SimulatorParameters(Map.of(Templates.ACTON_URL, actOn.baseUrl(), Templates.ACTON_USER, ActOnSimulator.USERNAME,
                Templates.ACTON_PASSWORD, ActOnSimulator.PASSWORD, Templates.ACTON_CLIENT_ID, ActOnSimulator.CLIENT_ID,
                Templates.ACTON_CLIENT_SECRET, ActOnSimulator.CLIENT_SECRET), List.of(Templates.ACTON_PASSWORD, Templates.ACTON_CLIENT_SECRET),
                List.of(ActOnSimulator.PASSWORD, ActOnSimulator.CLIENT_SECRET));
    }

    /** Salesforce with the client-credentials flow. */
    static SimulatorParameters salesforce(final SalesforceSimulator salesforce) {
        return new SimulatorParameters(Map.of(Templates.SF_LOGIN_URL, salesforce.baseUrl(), Templates.SF_AUTHENTICATION, "client-credentials",
                Templates.SF_CLIENT_ID, SalesforceSimulator.CLIENT_ID, Templates.SF_CLIENT_SECRET, SalesforceSimulator.CLIENT_SECRET),
                List.of(Templates.SF_CLIENT_SECRET), List.of(SalesforceSimulator.CLIENT_SECRET));
    }

    /** ActiveCampaign with lists 1 and 2 mapped. */
    static SimulatorParameters activeCampaign(final ActiveCampaignSimulator activeCampaign) {
        return new SimulatorParameters(Map.of(Templates.AC_URL, activeCampaign.baseUrl(), Templates.AC_TOKEN, ActiveCampaignSimulator.API_TOKEN,
                Templates.AC_LISTS, "1,2"), List.of(Templates.AC_TOKEN), List.of(ActiveCampaignSimulator.API_TOKEN));
    }

    static SimulatorParameters mailchimp(final MailchimpSimulator mailchimp) {
        return new SimulatorParameters(Map.of(Templates.MC_API_KEY, MailchimpSimulator.API_KEY, Templates.MC_LIST_ID, MailchimpSimulator.LIST_ID,
                Templates.MC_BASE_URL, mailchimp.baseUrl()), List.of(Templates.MC_API_KEY), List.of(MailchimpSimulator.API_KEY));
    }

    /** NetSuite's OAuth 2.0 client credentials (M2M) with the simulator's certificate key, as the PEM a user pastes. */
    static SimulatorParameters netSuite(final NetSuiteSimulator netSuite) {
        final String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                NetSuiteSimulator.CERTIFICATE_KEYS.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        return new SimulatorParameters(Map.of(Templates.NS_HOST, netSuite.baseUrl(), Templates.NS_ACCOUNT, "1234567_SB1",
                Templates.NS_CLIENT_ID, NetSuiteSimulator.CLIENT_ID, Templates.NS_CERTIFICATE_ID, NetSuiteSimulator.CERTIFICATE_ID,
                Templates.NS_PRIVATE_KEY, pem), List.of(Templates.NS_PRIVATE_KEY), List.of(pem.substring(40, 100)));
    }

    /** These and {@code other}'s, as one template's two systems need them. */
    SimulatorParameters and(final SimulatorParameters other) {
        final Map<String, String> all = new LinkedHashMap<>(values);
        all.putAll(other.values);
        final List<String> allSensitive = new ArrayList<>(sensitive);
        allSensitive.addAll(other.sensitive);
        final List<String> allSecrets = new ArrayList<>(secrets);
        allSecrets.addAll(other.secrets);
        return new SimulatorParameters(all, allSensitive, allSecrets);
    }

    /** Sets these parameters, and Allow Plain HTTP: the simulators serve http. */
    void applyTo(final TemplateRunner template) throws IOException, InterruptedException {
        final Map<String, String> withPlainHttp = new LinkedHashMap<>(values);
        withPlainHttp.put(Templates.ALLOW_PLAIN_HTTP, "true");
        template.parameters(withPlainHttp, sensitive);
    }
}
