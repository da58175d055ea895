package io.taskmeter.local;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The local mode's orchestrator options: where Airflow and Prefect answer, and how to authenticate. Each option
 * falls back to its environment variable (the shipper's names, so one environment serves both); credentials are
 * only passed on to the pollers, never printed.
 */
record OrchestratorUrls(String airflowUrl, String prefectUrl, String airflowUsername, String airflowPassword,
                        String airflowToken, String prefectApiKey) {

    static final List<String> OPTIONS = List.of("--airflow-url", "--prefect-url", "--airflow-username",
            "--airflow-password", "--airflow-token", "--prefect-api-key");

    /** Takes the options out of {@code args}; the environment fills in what they leave out. */
    static OrchestratorUrls take(List<String> args, Map<String, String> env) {
        String[] v = new String[OPTIONS.size()];
        String[] names = {"TASKMETER_AIRFLOW_URL", "TASKMETER_PREFECT_URL", "TASKMETER_AIRFLOW_USERNAME",
                "TASKMETER_AIRFLOW_PASSWORD", "TASKMETER_AIRFLOW_TOKEN", "TASKMETER_PREFECT_API_KEY"};
        for (int i = 0; i < v.length; i++) {
            int at = args.indexOf(OPTIONS.get(i));
            if (at >= 0) {
                if (at + 1 >= args.size()) {
                    throw new IllegalArgumentException(OPTIONS.get(i) + " needs a value");
                }
                v[i] = args.remove(at + 1);
                args.remove(at);
            } else {
                v[i] = env.get(names[i]);
            }
        }
        OrchestratorUrls urls = new OrchestratorUrls(v[0], v[1], v[2], v[3], v[4], v[5]);
        urls.check(urls.airflowUrl, "--airflow-url");
        urls.check(urls.prefectUrl, "--prefect-url");
        return urls;
    }

    private void check(String url, String option) {
        if (url == null) {
            return;
        }
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " is not a URL: " + e.getMessage());
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException(option + " must be an http(s) URL with a host, was '" + url + "'");
        }
    }

    boolean any() {
        return airflowUrl != null || prefectUrl != null;
    }

    /** As the shipper's {@code --orchestrator} specs: {@code airflow=URL}, {@code prefect=URL}. */
    List<String> specs() {
        List<String> out = new ArrayList<>();
        if (airflowUrl != null) {
            out.add("airflow=" + airflowUrl);
        }
        if (prefectUrl != null) {
            out.add("prefect=" + prefectUrl);
        }
        return out;
    }

    @Override
    public String toString() {
        return "OrchestratorUrls" + specs() + (airflowPassword != null || airflowToken != null
                || prefectApiKey != null ? " (with credentials)" : "");
    }
}
