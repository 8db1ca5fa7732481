package io.optsync.nifi.benchmarks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * SugarCRM-like contacts as one JSON array, the same every run (fixed seed): mixed opt-out encodings ("1", "0",
 * true, "True"), e-mail addresses with stray case and spaces, and duplicate addresses.
 */
final class ContactData {
    /** Share of contacts that are opted out: "1", true or "True". */
    static final double OPTED_OUT_SHARE = 0.25;

    private ContactData() {
    }

    /** The JSON array and how many of its contacts are opted out. */
    record Contacts(byte[] json, long optedOut) {
    }

    static Contacts contacts(final int count) {
        final Random random = new Random(20261124L);
        final String[] first = {"Ann", "Bob", "Carol", "Dan", "Eve", "Fay", "Gus", "Hal", "Ida", "Jon"};
        final String[] last = {"Lee", "Ng", "Smith", "Garcia", "Okafor", "Novak", "Rossi", "Kim", "Silva", "Berg"};
        final String[] domains = {"Example.com", "example.org", "MAIL.example.net", "corp.example.co.uk"};
        final ByteArrayOutputStream out = new ByteArrayOutputStream(count * 200);
        final StringBuilder record = new StringBuilder(256);
        long optedOut = 0;
        out.writeBytes("[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < count; i++) {
            final String firstName = first[random.nextInt(first.length)];
            final String lastName = last[random.nextInt(last.length)];
            // about 2% of contacts share an address with another contact
            final int person = random.nextInt(50) == 0 ? random.nextInt(Math.max(1, i)) : i;
            final String email = firstName + "." + lastName + person + "@" + domains[person % domains.length];
            final String optOut = optOutValue(random);
            if (!optOut.equals("false") && !optOut.equals("\"0\"")) {
                optedOut++;
            }
            record.setLength(0);
            record.append(i == 0 ? "" : ",").append('\n')
                    .append("{\"id\":\"c-").append(i)
                    .append("\",\"first_name\":\"").append(firstName)
                    .append("\",\"last_name\":\"").append(lastName)
                    .append("\",\"email1\":\"").append(random.nextInt(10) == 0 ? " " + email + " " : email)
                    .append("\",\"email_opt_out\":").append(optOut)
                    .append(",\"date_modified\":\"2026-").append(String.format("%02d", 1 + random.nextInt(12)))
                    .append("-").append(String.format("%02d", 1 + random.nextInt(28))).append(" 10:11:12\"")
                    .append(",\"account_name\":\"Account ").append(random.nextInt(5000)).append("\"}");
            out.writeBytes(record.toString().getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes("\n]".getBytes(StandardCharsets.UTF_8));
        return new Contacts(out.toByteArray(), optedOut);
    }

    private static String optOutValue(final Random random) {
        final double roll = random.nextDouble();
        if (roll < OPTED_OUT_SHARE) {
            final int form = random.nextInt(3);
            return form == 0 ? "\"1\"" : form == 1 ? "true" : "\"True\"";
        }
        return random.nextInt(4) == 0 ? "false" : "\"0\"";
    }
}
