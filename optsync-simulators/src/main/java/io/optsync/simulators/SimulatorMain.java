package io.optsync.simulators;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs simulators standalone until killed:
 * {@code java -jar optsync-simulators.jar VENDOR [PORT] [SEED-SIZE]}, VENDOR one of {@code act-on}, {@code activecampaign}, {@code mailchimp}, {@code netsuite}, {@code salesforce},
 * {@code sugarcrm-v10}, {@code sugarcrm-v4_1}, or {@code sugarcrm} (v10 on PORT and v4_1 on PORT+1 over one store).
 * PORT 0 picks a free port. Prints one line per simulator: {@code <vendor> <base URL>}.
 */
public final class SimulatorMain {
    private SimulatorMain() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: java -jar optsync-simulators.jar act-on|activecampaign|mailchimp|netsuite|salesforce|sugarcrm|sugarcrm-v10|sugarcrm-v4_1 [port] [seed-size]");
            System.exit(2);
        }
        final int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        final int seed = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        final List<SimulatorServer> servers = start(args[0], port, seed);
        for (final SimulatorServer server : servers) {
            System.out.println(server.vendor() + " " + server.baseUrl());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> servers.forEach(SimulatorServer::close)));
        new CountDownLatch(1).await();
    }

    /** Starts the simulators for a vendor name, seeded with {@code seedSize} records. */
    public static List<SimulatorServer> start(final String vendor, final int port, final int seedSize) throws java.io.IOException {
        final List<SimulatorServer> servers = new ArrayList<>();
        switch (vendor) {
            case "act-on" -> servers.add(new ActOnSimulator().seed(seedSize, 7).start(port));
            case "salesforce" -> servers.add(new SalesforceSimulator().seed(seedSize, 7).start(port));
            case "activecampaign" -> servers.add(new ActiveCampaignSimulator().seed(seedSize, 7).start(port));
            case "mailchimp" -> servers.add(new MailchimpSimulator().seed(seedSize, 7).start(port));
            case "netsuite" -> servers.add(new NetSuiteSimulator().seed(seedSize, 7).start(port));
            case "sugarcrm-v10" -> servers.add(new SugarV10Simulator(new SugarStore().seed(seedSize, 7)).start(port));
            case "sugarcrm-v4_1" -> servers.add(new SugarV41Simulator(new SugarStore().seed(seedSize, 7)).start(port));
            case "sugarcrm" -> {
                final SugarStore store = new SugarStore().seed(seedSize, 7);
                servers.add(new SugarV10Simulator(store).start(port));
                servers.add(new SugarV41Simulator(store).start(port == 0 ? 0 : port + 1));
            }
            default -> throw new IllegalArgumentException("unknown vendor: " + vendor);
        }
        return servers;
    }
}
