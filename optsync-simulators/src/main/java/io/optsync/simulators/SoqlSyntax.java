package io.optsync.simulators;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a SOQL statement is well formed, by the grammar of Salesforce's SOQL reference (SELECT list with functions,
 * aliases and sub-queries; FROM; WHERE with AND, OR, NOT, parentheses, comparison, LIKE, IN, NOT IN, INCLUDES,
 * EXCLUDES, date literals and semi-join sub-queries; WITH, GROUP BY, HAVING, ORDER BY with ASC/DESC and NULLS, LIMIT,
 * OFFSET, FOR VIEW/REFERENCE/UPDATE, ALL ROWS). It checks form only, not whether an object or field exists: the
 * simulator answers a well-formed statement it cannot run as "not simulated", never as {@code MALFORMED_QUERY}.
 */
final class SoqlSyntax {
    private static final Pattern TOKEN = Pattern.compile("\\s*(?:"
            + "('(?:[^'\\\\]|\\\\.)*')"                                         // 1 string literal
            + "|(\\d{4}-\\d\\d-\\d\\d(?:T\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?(?:Z|[+-]\\d\\d:?\\d\\d))?)" // 2 date or dateTime literal
            + "|(-?\\d+(?:\\.\\d+)?)"                                           // 3 number
            + "|([A-Za-z_][\\w]*(?:\\.[A-Za-z_][\\w]*)*)"                       // 4 identifier or keyword (dotted: relationship paths)
            + "|(!=|<>|<=|>=|=|<|>)"                                            // 5 comparison
            + "|([(),:])"                                                       // 6 punctuation
            + ")");
    private static final Set<String> CLAUSE_ENDS = Set.of("WITH", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FOR", "ALL", "UPDATE");
    private static final Set<String> VALUE_WORDS = Set.of("TRUE", "FALSE", "NULL");

    private final List<String> tokens;
    private int at;

    private SoqlSyntax(final List<String> tokens) {
        this.tokens = tokens;
    }

    /** Whether the text is one well-formed SOQL statement. */
    static boolean wellFormed(final String text) {
        final List<String> tokens = tokenize(text);
        if (tokens == null) {
            return false;
        }
        final SoqlSyntax parser = new SoqlSyntax(tokens);
        try {
            parser.query();
            return parser.at == tokens.size();
        } catch (final IllegalStateException e) {
            return false;
        }
    }

    private static List<String> tokenize(final String text) {
        final List<String> tokens = new ArrayList<>();
        final Matcher matcher = TOKEN.matcher(text);
        int position = 0;
        while (position < text.length()) {
            if (text.substring(position).isBlank()) {
                break;
            }
            matcher.region(position, text.length());
            if (!matcher.lookingAt()) {
                return null; // a character SOQL has no token for, or an unterminated string
            }
            tokens.add(text.substring(matcher.start(), matcher.end()).trim());
            position = matcher.end();
        }
        return tokens;
    }

    private void query() {
        expect("SELECT");
        do {
            selectItem();
        } while (accept(","));
        expect("FROM");
        identifier();
        if (acceptWord("USING")) {
            expect("SCOPE");
            identifier();
        }
        if (acceptWord("WHERE")) {
            condition();
        }
        if (acceptWord("WITH")) {
            identifier(); // WITH SECURITY_ENFORCED, WITH DATA CATEGORY ... (the first word is checked)
            while (!atEnd() && !CLAUSE_ENDS.contains(peekWord()) && !peek().equals(")")) {
                at++;
            }
        }
        if (acceptWord("GROUP")) {
            expect("BY");
            do {
                fieldOrFunction();
            } while (accept(","));
            if (acceptWord("HAVING")) {
                condition();
            }
        }
        if (acceptWord("ORDER")) {
            expect("BY");
            do {
                fieldOrFunction();
                if (!acceptWord("ASC")) {
                    acceptWord("DESC");
                }
                if (acceptWord("NULLS")) {
                    if (!acceptWord("FIRST")) {
                        expect("LAST");
                    }
                }
            } while (accept(","));
        }
        if (acceptWord("LIMIT")) {
            number();
        }
        if (acceptWord("OFFSET")) {
            number();
        }
        if (acceptWord("FOR")) {
            if (!acceptWord("VIEW") && !acceptWord("REFERENCE")) {
                expect("UPDATE");
            }
        }
        if (acceptWord("ALL")) {
            expect("ROWS");
        }
    }

    private void selectItem() {
        if (accept("(")) { // a parent-to-child sub-query
            query();
            expect(")");
            return;
        }
        fieldOrFunction();
        if (!atEnd() && isIdentifier(peek()) && !peekWord().equals("FROM")) {
            identifier(); // an alias
        }
    }

    private void fieldOrFunction() {
        identifier();
        if (accept("(")) {
            if (!accept(")")) {
                do {
                    fieldOrFunction();
                } while (accept(","));
                expect(")");
            }
        }
    }

    private void condition() {
        do {
            term();
        } while (acceptWord("AND") || acceptWord("OR"));
    }

    private void term() {
        if (acceptWord("NOT")) {
            term();
            return;
        }
        if (accept("(")) {
            condition();
            expect(")");
            return;
        }
        fieldOrFunction();
        if (acceptWord("NOT")) {
            expect("IN");
            list();
        } else if (acceptWord("IN") || acceptWord("INCLUDES") || acceptWord("EXCLUDES")) {
            list();
        } else if (acceptWord("LIKE")) {
            value();
        } else {
            if (atEnd() || !peek().matches("!=|<>|<=|>=|=|<|>")) {
                throw new IllegalStateException("a comparison expected");
            }
            at++;
            value();
        }
    }

    private void list() {
        expect("(");
        if (peekWord().equals("SELECT")) { // a semi-join
            query();
        } else {
            do {
                value();
            } while (accept(","));
        }
        expect(")");
    }

    private void value() {
        final String token = next();
        if (token.startsWith("'") || token.matches("-?\\d.*") || VALUE_WORDS.contains(token.toUpperCase(Locale.ROOT))) {
            return;
        }
        if (isIdentifier(token)) { // a date literal: TODAY, LAST_N_DAYS:30
            if (accept(":")) {
                number();
            }
            return;
        }
        throw new IllegalStateException("a value expected, not " + token);
    }

    private void number() {
        if (!next().matches("\\d+")) {
            throw new IllegalStateException("a number expected");
        }
    }

    private void identifier() {
        if (!isIdentifier(next())) {
            throw new IllegalStateException("an identifier expected");
        }
    }

    private static boolean isIdentifier(final String token) {
        return Character.isLetter(token.charAt(0)) || token.charAt(0) == '_';
    }

    private void expect(final String word) {
        if (!next().equalsIgnoreCase(word)) {
            throw new IllegalStateException(word + " expected");
        }
    }

    private boolean accept(final String symbol) {
        if (!atEnd() && peek().equals(symbol)) {
            at++;
            return true;
        }
        return false;
    }

    private boolean acceptWord(final String word) {
        if (!atEnd() && peek().equalsIgnoreCase(word)) {
            at++;
            return true;
        }
        return false;
    }

    private boolean atEnd() {
        return at >= tokens.size();
    }

    private String peek() {
        return tokens.get(at);
    }

    private String peekWord() {
        return atEnd() ? "" : peek().toUpperCase(Locale.ROOT);
    }

    private String next() {
        if (atEnd()) {
            throw new IllegalStateException("the statement ends too early");
        }
        return tokens.get(at++);
    }
}
