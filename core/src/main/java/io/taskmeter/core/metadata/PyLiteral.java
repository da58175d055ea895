package io.taskmeter.core.metadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Airflow's {@code executor_config} as the REST API returns it: {@code str()} of a Python dict, so Python
 * literal syntax ({@code 'single quotes'}, {@code None}, {@code True}) with the pod override printed as the dict
 * of {@code V1Pod.to_dict()}; JSON is a subset and reads too. What is not a literal ({@code <V1Pod object at
 * 0x…>}, a call like {@code datetime(…)}) becomes null rather than failing the whole value. Never throws: a value
 * that cannot be read at all gives null.
 */
final class PyLiteral {
    private final String s;
    private int i;
    private int depth;

    private PyLiteral(String s) {
        this.s = s;
    }

    /** A Map, List, String, Number, Boolean or null. */
    static Object parse(String text) {
        if (text == null || text.isBlank() || text.length() > 1_000_000) {
            return null;
        }
        try {
            return new PyLiteral(text).value();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Object value() {
        if (++depth > 64) {
            throw new IllegalArgumentException("too deep");
        }
        try {
            ws();
            char c = peek();
            switch (c) {
                case '{':
                    return dict();
                case '[':
                case '(':
                    return list(c == '[' ? ']' : ')');
                case '\'':
                case '"':
                    return string();
                case '<':
                    skipAngle();
                    return null;
                default:
                    return atom();
            }
        } finally {
            depth--;
        }
    }

    private Map<String, Object> dict() {
        Map<String, Object> out = new LinkedHashMap<>();
        i++;
        while (true) {
            ws();
            if (peek() == '}') {
                i++;
                return out;
            }
            Object key = value();
            ws();
            expect(':');
            Object v = value();
            out.put(String.valueOf(key), v);
            ws();
            if (peek() == ',') {
                i++;
            }
        }
    }

    private List<Object> list(char close) {
        List<Object> out = new ArrayList<>();
        i++;
        while (true) {
            ws();
            if (peek() == close) {
                i++;
                return out;
            }
            out.add(value());
            ws();
            if (peek() == ',') {
                i++;
            }
        }
    }

    private String string() {
        char q = s.charAt(i++);
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(i++);
            if (c == q) {
                return b.toString();
            }
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
    }

    private void skipAngle() {
        int level = 0;
        do {
            char c = s.charAt(i++);
            if (c == '<') {
                level++;
            } else if (c == '>') {
                level--;
            }
        } while (level > 0);
    }

    /** A number, None/True/False (or null/true/false), or a name, possibly called: {@code datetime(…)}. */
    private Object atom() {
        int start = i;
        while (i < s.length() && "{}[](),:'\"".indexOf(s.charAt(i)) < 0 && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        String word = s.substring(start, i);
        if (word.isEmpty()) {
            throw new IllegalArgumentException("unexpected '" + peek() + "' at " + i);
        }
        ws();
        if (i < s.length() && s.charAt(i) == '(') {
            list(')');
            return null;
        }
        switch (word) {
            case "None", "null":
                return null;
            case "True", "true":
                return Boolean.TRUE;
            case "False", "false":
                return Boolean.FALSE;
            default:
                try {
                    return word.contains(".") || word.contains("e") ? (Object) Double.parseDouble(word)
                            : (Object) Long.parseLong(word);
                } catch (NumberFormatException e) {
                    return word;
                }
        }
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw new IllegalArgumentException("unexpected end");
        }
        return s.charAt(i);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + i);
        }
        i++;
    }
}
