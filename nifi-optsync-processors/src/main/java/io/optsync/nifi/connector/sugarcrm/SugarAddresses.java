package io.optsync.nifi.connector.sugarcrm;

import io.optsync.nifi.connector.SourceRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The addresses of a SugarCRM record as read, and the source records they make: Sugar keeps the opt-out on the address. */
final class SugarAddresses {
    /** One address of a record as Sugar returned it. */
    record Address(String email, Object optOut, Object invalid, boolean primary) {
        boolean is(final String normalized) {
            return email.trim().toLowerCase(Locale.ROOT).equals(normalized);
        }
    }

    private SugarAddresses() {
    }

    /** One source record per address of a record: Sugar keeps the opt-out on the address. */
    static List<SourceRecord> sourceRecords(final String module, final String id, final Instant modified, final String firstName, final String lastName,
                                            final List<Address> addresses) {
        final List<SourceRecord> out = new ArrayList<>(addresses.size());
        for (final Address address : addresses) {
            final Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("first_name", firstName);
            fields.put("last_name", lastName);
            fields.put("primary_address", address.primary());
            out.add(new SourceRecord(module, id, address.email(), address.optOut(), SugarCrmConnectorService.flag(address.invalid()), modified, fields));
        }
        return out;
    }
}
