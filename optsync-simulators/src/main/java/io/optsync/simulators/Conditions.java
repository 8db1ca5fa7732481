package io.optsync.simulators;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The boolean structure of a SQL-like WHERE clause (SOQL, SuiteQL, SugarCRM's SQL): {@code OR} binds looser than
 * {@code AND}, parentheses group, quoted literals (with backslash escapes) are opaque. The vendor simulator parses the single conditions (its
 * atoms); atoms are handed over left to right, so an atom may consume positional parameters in order.
 */
final class Conditions {

    private Conditions() {
    }

    /**
     * @param where the clause
     * @param atom parses one condition with no top-level AND or OR; throws for what the vendor would refuse
     */
    static <T> Predicate<T> parse(final String where, final Function<String, Predicate<T>> atom) {
        final List<String> alternatives = split(where, " OR ");
        if (alternatives.size() > 1) {
            return alternatives.stream().map(a -> parse(a, atom)).reduce(Predicate::or).orElseThrow();
        }
        final List<String> conjuncts = split(where, " AND ");
        if (conjuncts.size() > 1) {
            return conjuncts.stream().map(c -> parse(c, atom)).reduce(Predicate::and).orElseThrow();
        }
        final String single = where.trim();
        if (single.startsWith("(") && closingParenthesis(single) == single.length() - 1) {
            return parse(single.substring(1, single.length() - 1), atom);
        }
        return atom.apply(single);
    }

    /** Splits at {@code keyword} (with its spaces) outside parentheses and quotes, case-insensitively. */
    static List<String> split(final String clause, final String keyword) {
        final List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < clause.length(); i++) {
            final char c = clause.charAt(i);
            if (quoted && c == '\\') {
                i++; // an escaped character (SOQL's \' and \\)
            } else if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            } else if (!quoted && depth == 0 && Character.isWhitespace(c) && matchesKeyword(clause, i, keyword)) {
                parts.add(clause.substring(start, i));
                start = i + keyword.length();
                i += keyword.length() - 1;
            }
        }
        parts.add(clause.substring(start));
        return parts;
    }

    private static boolean matchesKeyword(final String clause, final int at, final String keyword) {
        if (at + keyword.length() > clause.length()) {
            return false;
        }
        final String candidate = clause.substring(at, at + keyword.length()).replaceAll("\\s", " ");
        return candidate.equalsIgnoreCase(keyword);
    }

    /** The index of the parenthesis that closes the one at index 0, or -1. */
    private static int closingParenthesis(final String text) {
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
