package io.taskmeter.core.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from command lines before they leave the host. Errs on the side of redacting: a command line
 * is for recognising what ran, never for reproducing it.
 */
public final class CommandLineRedactor {
    public static final String MASK = "***";

    private static final String SECRET_NAME =
            "(?:password|passwd|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|"
                    + "private[_-]?key|credentials?|auth|session[_-]?token|client[_-]?secret|conn(?:ection)?[_-]?uri)";
    private static final List<Pattern> BUILT_IN = List.of(
            // Authorization: Bearer xyz / Basic xyz (before name=value, which would mask only the scheme)
            Pattern.compile("(?i)(\\b(?:bearer|basic)\\s+)([A-Za-z0-9._~+/=-]{8,})"),
            // --password=x, --api-key=x, token=x, PGPASSWORD=x, aws_secret_access_key=x
            Pattern.compile("(?i)(\\b[\\w.-]*" + SECRET_NAME + "[\\w.-]*\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|\\S+)"),
            // --password x, -p x style: a secret-named flag followed by a separate value
            Pattern.compile("(?i)((?:^|\\s)--?[\\w.-]*" + SECRET_NAME + "[\\w.-]*\\s+)(?!-)(\"[^\"]*\"|'[^']*'|\\S+)"),
            // credentials in URLs: scheme://user:secret@host
            Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^\\s:/@]+:)([^\\s@/]+)(?=@)"),
            // AWS access key ids
            Pattern.compile("()\\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16})\\b"),
            // JSON Web Tokens
            Pattern.compile("()\\b(eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*)"),
            // GitHub, Slack, Stripe-style tokens
            Pattern.compile("()\\b((?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,}))"));

    private final List<Pattern> patterns;

    public CommandLineRedactor() {
        this(List.of());
    }

    /** @param extra user patterns; each match is replaced whole, or its group 2 when it has two groups */
    public CommandLineRedactor(List<String> extra) {
        List<Pattern> all = new ArrayList<>(BUILT_IN);
        for (String p : extra) {
            all.add(Pattern.compile(p));
        }
        this.patterns = List.copyOf(all);
    }

    public String redact(String commandLine) {
        String out = commandLine;
        for (Pattern p : patterns) {
            Matcher m = p.matcher(out);
            StringBuilder sb = new StringBuilder(out.length());
            boolean found = false;
            while (m.find()) {
                found = true;
                String keep = m.groupCount() >= 2 ? m.group(1) : "";
                m.appendReplacement(sb, Matcher.quoteReplacement(keep + MASK));
            }
            if (found) {
                m.appendTail(sb);
                out = sb.toString();
            }
        }
        return out;
    }
}
