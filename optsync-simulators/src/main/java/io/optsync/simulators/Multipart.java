package io.optsync.simulators;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reads one named part of a {@code multipart/form-data} body, as the vendor endpoints that take file uploads do. */
final class Multipart {
    private Multipart() {
    }

    /**
     * @return the content of the part named {@code name}, or {@code null} when the body is not multipart or has no such part
     */
    static String part(final String contentType, final byte[] body, final String name) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        final int at = contentType.toLowerCase(Locale.ROOT).indexOf("boundary=");
        if (at < 0) {
            return null;
        }
        String boundary = contentType.substring(at + "boundary=".length()).trim();
        if (boundary.startsWith("\"") && boundary.endsWith("\"")) {
            boundary = boundary.substring(1, boundary.length() - 1);
        }
        final String text = new String(body, StandardCharsets.UTF_8);
        for (final String part : text.split("--" + java.util.regex.Pattern.quote(boundary))) {
            final int headerEnd = part.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                continue;
            }
            final String headers = part.substring(0, headerEnd).toLowerCase(Locale.ROOT);
            if (headers.contains("name=\"" + name.toLowerCase(Locale.ROOT) + "\"")) {
                String content = part.substring(headerEnd + 4);
                if (content.endsWith("\r\n")) {
                    content = content.substring(0, content.length() - 2);
                }
                return content;
            }
        }
        return null;
    }
}
