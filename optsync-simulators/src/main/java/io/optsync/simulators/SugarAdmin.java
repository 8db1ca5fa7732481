package io.optsync.simulators;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Admin calls both SugarCRM simulators share, over their {@link SugarStore}:
 * <ul>
 * <li>{@code POST /_sim/sugar/campaign-unsubscribe?email=…}: the campaign link's back door (opt-out without a
 * date_modified change);</li>
 * <li>{@code POST /_sim/sugar/ui-opt-out?module=Contacts&id=…&value=true}: a user's change in the Sugar UI;</li>
 * <li>{@code POST /_sim/sugar/create?module=Contacts&email=…&lastName=…}: a new record;</li>
 * <li>{@code POST /_sim/sugar/ui-changes?count=N}: N contacts changed in the UI (opt-out flipped, date_modified moved);</li>
 * <li>{@code POST /_sim/sugar/acl-deny?id=…}: writes to that record are dropped silently from now on;</li>
 * <li>{@code GET /_sim/sugar/email?address=…}: whether the address is opted out, and its records;</li>
 * <li>{@code GET /_sim/sugar/opted-out}: every opted-out address.</li>
 * </ul>
 */
final class SugarAdmin {
    private SugarAdmin() {
    }

    static SimResponse handle(final SugarStore store, final SimRequest request) {
        final String route = request.method() + " " + request.path();
        return switch (route) {
            case "POST /_sim/sugar/campaign-unsubscribe" -> SimResponse.json(200, Map.of("updated", store.campaignUnsubscribe(request.queryParam("email"))));
            case "POST /_sim/sugar/ui-opt-out" -> {
                store.optOutInUi(request.queryParam("module"), request.queryParam("id"), Boolean.parseBoolean(request.queryParam("value")));
                yield SimResponse.empty(204);
            }
            case "POST /_sim/sugar/create" -> {
                final SugarStore.Bean bean = store.create(request.queryParam("module"), "New", request.queryParam("lastName"),
                        request.queryParam("email"), store.now());
                yield SimResponse.json(200, Map.of("id", bean.id()));
            }
            case "POST /_sim/sugar/ui-changes" -> SimResponse.json(200, Map.of("changed", store.changeInUi(Integer.parseInt(request.queryParam("count")))));
            case "POST /_sim/sugar/acl-deny" -> {
                store.denyAcl(request.queryParam("id"));
                yield SimResponse.empty(204);
            }
            case "GET /_sim/sugar/email" -> {
                final String address = request.queryParam("address");
                final Map<String, Object> body = new LinkedHashMap<>();
                body.put("optedOut", store.isOptedOut(address));
                final List<Map<String, String>> records = store.beansWithEmail(address).stream()
                        .map(b -> Map.of("module", b.module(), "id", b.id())).toList();
                body.put("records", records);
                yield SimResponse.json(200, body);
            }
            case "GET /_sim/sugar/opted-out" -> SimResponse.json(200, store.optedOutAddresses());
            default -> null;
        };
    }
}
