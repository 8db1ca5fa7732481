package io.optsync.nifi.connector;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.components.state.StateManager;
import org.apache.nifi.components.state.StateMap;

import java.io.IOException;
import java.util.Map;

/** Compare-and-set on a component's cluster state, for what several nodes write: the shared token, the members of a share. */
final class ClusterStates {
    private ClusterStates() {
    }

    /**
     * Replaces {@code old} with {@code next} unless another writer changed the state since {@code old} was read.
     *
     * @return whether {@code next} was written; when not, read the state again and retry
     */
    static boolean compareAndSet(final StateManager state, final StateMap old, final Map<String, String> next) throws IOException {
        if (old.getStateVersion().isEmpty()) {
            // nothing stored yet: replace() needs an existing version on some providers
            final StateMap again = state.getState(Scope.CLUSTER);
            if (again.getStateVersion().isPresent()) {
                return false;
            }
            state.setState(next, Scope.CLUSTER);
            return true;
        }
        return state.replace(old, next, Scope.CLUSTER);
    }
}
