package io.optsync.nifi.processors;

import io.optsync.simulators.SimulatorServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Starts simulators for a test and stops them after it: {@code @RegisterExtension final Simulators sims = new Simulators();}. */
final class Simulators implements AfterEachCallback {
    private final List<SimulatorServer> started = new ArrayList<>();

    /** Starts {@code sim} on a free port; it is stopped after the test. */
    <T extends SimulatorServer> T started(final T sim) throws IOException {
        sim.start(0);
        started.add(sim);
        return sim;
    }

    @Override
    public void afterEach(final ExtensionContext context) {
        started.forEach(SimulatorServer::close);
        started.clear();
    }
}
