package io.taskmeter.core.metadata;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Resources the orchestrator asked for, in the units the rest of taskmeter reads ({@code Quantities}): CPU in
 * cores as a decimal string, memory in bytes as an integer string. A limit without a request stands in for the
 * request (Kubernetes does the same), and {@code source} says so.
 *
 * @param source where the values came from, e.g. {@code airflow.executor_config.pod_override},
 *               {@code prefect.job_variables}; {@code +limit} when a limit stood in for a request
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Requests(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit, String source) {

    public boolean isEmpty() {
        return cpuRequest == null && memoryRequest == null && cpuLimit == null && memoryLimit == null;
    }

    /**
     * From Airflow's {@code executor_config}: the KubernetesExecutor {@code pod_override} (container {@code base},
     * else the first with resources), or the Airflow 1 style {@code {"KubernetesExecutor": {"request_cpu": …}}}.
     */
    public static Optional<Requests> fromExecutorConfig(String executorConfig) {
        Object parsed = PyLiteral.parse(executorConfig);
        if (!(parsed instanceof Map<?, ?> config)) {
            return Optional.empty();
        }
        if (config.get("pod_override") instanceof Map<?, ?> pod && pod.get("spec") instanceof Map<?, ?> spec
                && spec.get("containers") instanceof List<?> containers) {
            Map<?, ?> chosen = null;
            for (Object c : containers) {
                if (c instanceof Map<?, ?> m && m.get("resources") instanceof Map<?, ?>) {
                    if ("base".equals(m.get("name"))) {
                        chosen = m;
                        break;
                    }
                    if (chosen == null) {
                        chosen = m;
                    }
                }
            }
            if (chosen != null) {
                Map<?, ?> res = (Map<?, ?>) chosen.get("resources");
                Map<?, ?> req = res.get("requests") instanceof Map<?, ?> r ? r : Map.of();
                Map<?, ?> lim = res.get("limits") instanceof Map<?, ?> l ? l : Map.of();
                return of(cpu(req.get("cpu"), false), memory(req.get("memory"), false), cpu(lim.get("cpu"), false),
                        memory(lim.get("memory"), false), "airflow.executor_config.pod_override");
            }
        }
        if (config.get("KubernetesExecutor") instanceof Map<?, ?> k) {
            return of(cpu(k.get("request_cpu"), false), memory(k.get("request_memory"), false),
                    cpu(k.get("limit_cpu"), false), memory(k.get("limit_memory"), false),
                    "airflow.executor_config.KubernetesExecutor");
        }
        return Optional.empty();
    }

    /**
     * From a Prefect flow run's {@code job_variables} (work pool overrides): {@code cpu_request}/
     * {@code memory_request}/{@code cpu_limit}/{@code memory_limit} (custom Kubernetes templates), a nested
     * {@code resources: {requests, limits}}, ECS {@code cpu} (CPU units, 1024 a core) and {@code memory} (MiB),
     * Docker {@code cpus}, {@code mem_limit}/{@code mem_reservation} ({@code "2g"}).
     *
     * @param ecs the flow run ran on ECS, so a bare number for {@code cpu} is CPU units
     */
    public static Optional<Requests> fromJobVariables(Map<String, Object> vars, boolean ecs) {
        if (vars == null || vars.isEmpty()) {
            return Optional.empty();
        }
        String cpuReq = first(cpu(vars.get("cpu_request"), false), cpu(vars.get("request_cpu"), false));
        String memReq = first(memory(vars.get("memory_request"), false), memory(vars.get("request_memory"), false),
                memory(vars.get("mem_reservation"), true));
        String cpuLim = first(cpu(vars.get("cpu_limit"), false), cpu(vars.get("limit_cpu"), false),
                cpu(vars.get("cpus"), false));
        String memLim = first(memory(vars.get("memory_limit"), false), memory(vars.get("limit_memory"), false),
                memory(vars.get("mem_limit"), true));
        if (vars.get("resources") instanceof Map<?, ?> res) {
            Map<?, ?> req = res.get("requests") instanceof Map<?, ?> r ? r : Map.of();
            Map<?, ?> lim = res.get("limits") instanceof Map<?, ?> l ? l : Map.of();
            cpuReq = first(cpuReq, cpu(req.get("cpu"), false));
            memReq = first(memReq, memory(req.get("memory"), false));
            cpuLim = first(cpuLim, cpu(lim.get("cpu"), false));
            memLim = first(memLim, memory(lim.get("memory"), false));
        }
        Object cpu = vars.get("cpu");
        boolean ecsUnits = ecs || cpu instanceof Number n && n.doubleValue() >= 128;
        cpuReq = first(cpuReq, cpu(cpu, ecsUnits));
        memReq = first(memReq, memory(vars.get("memory"), true));
        return of(cpuReq, memReq, cpuLim, memLim, "prefect.job_variables");
    }

    private static Optional<Requests> of(String cpuReq, String memReq, String cpuLim, String memLim, String source) {
        String src = source;
        if (cpuReq == null && cpuLim != null || memReq == null && memLim != null) {
            src = source + "+limit";
        }
        Requests r = new Requests(cpuReq != null ? cpuReq : cpuLim, memReq != null ? memReq : memLim, cpuLim, memLim,
                src);
        return r.isEmpty() ? Optional.empty() : Optional.of(r);
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** Cores as a plain decimal: "500m" → "0.5", 2 → "2"; ECS CPU units when {@code ecsUnits}: 1024 → "1". */
    static String cpu(Object v, boolean ecsUnits) {
        if (v == null) {
            return null;
        }
        String s = v.toString().strip();
        try {
            double cores;
            if (s.endsWith("m")) {
                cores = Double.parseDouble(s.substring(0, s.length() - 1)) / 1000.0;
            } else {
                cores = Double.parseDouble(s);
                if (ecsUnits) {
                    cores /= 1024.0;
                }
            }
            return cores > 0 && cores < 100_000 ? plain(cores) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Bytes as an integer string. Kubernetes quantities ({@code 512Mi}, {@code 2G}, {@code 1e9}); with
     * {@code dockerOrMib}, Docker's lower-case {@code 2g}/{@code 512m}/{@code 64k}/{@code 100b} and bare numbers
     * in MiB (ECS, Prefect job variables).
     */
    static String memory(Object v, boolean dockerOrMib) {
        if (v == null) {
            return null;
        }
        String s = v.toString().strip();
        if (s.isEmpty()) {
            return null;
        }
        try {
            double bytes;
            if (dockerOrMib && s.matches("\\d+(\\.\\d+)?")) {
                bytes = Double.parseDouble(s) * (1L << 20);
            } else if (dockerOrMib && s.matches("\\d+(\\.\\d+)?[bkmg]")) {
                char unit = s.charAt(s.length() - 1);
                double n = Double.parseDouble(s.substring(0, s.length() - 1));
                bytes = n * switch (unit) {
                    case 'k' -> 1L << 10;
                    case 'm' -> 1L << 20;
                    case 'g' -> 1L << 30;
                    default -> 1L;
                };
            } else {
                bytes = kubernetesBytes(s);
            }
            return bytes >= 1 && bytes < 1e16 ? Long.toString(Math.round(bytes)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double kubernetesBytes(String s) {
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
                {"Pi", "1125899906842624"}, {"k", "1000"}, {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"},
                {"T", "1000000000000"}, {"P", "1000000000000000"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                return Double.parseDouble(s.substring(0, s.length() - u[0].length()).strip()) * Double.parseDouble(u[1]);
            }
        }
        if (s.endsWith("m")) {
            // Kubernetes allows milli-bytes; nobody means it, but it is a valid quantity.
            return Double.parseDouble(s.substring(0, s.length() - 1)) / 1000.0;
        }
        return Double.parseDouble(s.toLowerCase(Locale.ROOT));
    }

    private static String plain(double d) {
        return java.math.BigDecimal.valueOf(d).setScale(4, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }
}
