package io.taskmeter.pollers;

import java.util.Map;

/**
 * What a poller authenticates with. Never printed: {@link #toString()} names only which parts are set, so a
 * configuration can be logged without leaking a secret.
 *
 * @param username Airflow user (basic auth on Airflow 2; exchanged at {@code /auth/token} on Airflow 3)
 * @param password its password
 * @param token    an Airflow bearer token used as is (e.g. one a managed Airflow hands out)
 * @param apiKey   a Prefect API key (Prefect Cloud, or a self-hosted server behind a key)
 */
public record Credentials(String username, String password, String token, String apiKey) {
    public static final Credentials NONE = new Credentials(null, null, null, null);

    public Credentials {
        username = blankToNull(username);
        password = blankToNull(password);
        token = blankToNull(token);
        apiKey = blankToNull(apiKey);
    }

    /** From {@code TASKMETER_AIRFLOW_USERNAME/PASSWORD/TOKEN} and {@code TASKMETER_PREFECT_API_KEY}. */
    public static Credentials fromEnvironment(Map<String, String> env) {
        return new Credentials(env.get("TASKMETER_AIRFLOW_USERNAME"), env.get("TASKMETER_AIRFLOW_PASSWORD"),
                env.get("TASKMETER_AIRFLOW_TOKEN"), env.get("TASKMETER_PREFECT_API_KEY"));
    }

    /** Each part given here wins over the same part of {@code fallback}. */
    public Credentials orElse(Credentials fallback) {
        return new Credentials(username != null ? username : fallback.username,
                password != null ? password : fallback.password, token != null ? token : fallback.token,
                apiKey != null ? apiKey : fallback.apiKey);
    }

    boolean hasUserPassword() {
        return username != null && password != null;
    }

    @Override
    public String toString() {
        return "Credentials[" + (username != null ? "username " + username : "no username")
                + (password != null ? ", password set" : "") + (token != null ? ", token set" : "")
                + (apiKey != null ? ", API key set" : "") + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
