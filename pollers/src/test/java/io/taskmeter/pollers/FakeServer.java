package io.taskmeter.pollers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on a free loopback port with what the orchestrator fakes share: queued faults (a status or a
 * delay for the next request), a log of the requests, JSON in and out, fixtures from the classpath.
 */
abstract class FakeServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One request as it arrived. */
    record Request(String method, String path, Map<String, List<String>> query, JsonNode body, String authorization) {
        String param(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /** What to do to the next request instead of (or before) answering it. */
    record Fault(int status, long delayMs) {
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-orchestrator");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    FakeServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(pool);
    }

    /** Serves {@code prefix} and below with {@link #answer}. */
    void serve(String prefix) {
        server.createContext(prefix, this::handle);
    }

    void start() {
        server.start();
    }

    URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    void failNext(int status) {
        faults.add(new Fault(status, 0));
    }

    void delayNext(long ms) {
        faults.add(new Fault(0, ms));
    }

    List<Request> requests(String pathSuffix) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.path().endsWith(pathSuffix)).toList();
        }
    }

    /** Status and body for a request that passed the faults; a null body answers with no content. */
    abstract Answer answer(Request r) throws IOException;

    record Answer(int status, JsonNode body) {
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            Map<String, List<String>> query = new LinkedHashMap<>();
            if (uri.getRawQuery() != null) {
                for (String kv : uri.getRawQuery().split("&")) {
                    int eq = kv.indexOf('=');
                    String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                    query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
                }
            }
            byte[] in = ex.getRequestBody().readAllBytes();
            Request r = new Request(ex.getRequestMethod(), uri.getPath(), query,
                    in.length == 0 ? null : JSON.readTree(in), ex.getRequestHeaders().getFirst("Authorization"));
            requests.add(r);
            Fault f = faults.poll();
            if (f != null && f.delayMs() > 0) {
                try {
                    Thread.sleep(f.delayMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Answer a = f != null && f.status() > 0
                    ? new Answer(f.status(), JSON.createObjectNode().put("detail", "injected fault"))
                    : answer(r);
            byte[] out = a.body() == null ? new byte[0] : JSON.writeValueAsBytes(a.body());
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
        } catch (IOException | RuntimeException e) {
            // the client gave up (a timeout test): nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    static Answer ok(JsonNode body) {
        return new Answer(200, body);
    }

    static Answer status(int status, String detail) {
        return new Answer(status, JSON.createObjectNode().put("detail", detail));
    }

    /** The objects in a fixture: its top-level array, or the array in {@code field}. */
    static List<ObjectNode> fixture(String name, String field) {
        try (InputStream in = FakeServer.class.getResourceAsStream("/orchestrators/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            JsonNode tree = JSON.readTree(in);
            ArrayNode arr = (ArrayNode) (tree.isArray() ? tree : tree.get(field));
            List<ObjectNode> out = new ArrayList<>();
            arr.forEach(n -> out.add((ObjectNode) n));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A page of {@code all} by limit/offset as the orchestrator reads them. */
    static List<ObjectNode> page(List<ObjectNode> all, String limit, String offset, int defaultLimit) {
        int l = limit == null ? defaultLimit : Integer.parseInt(limit);
        int o = offset == null ? 0 : Integer.parseInt(offset);
        return all.subList(Math.min(o, all.size()), Math.min(o + l, all.size()));
    }
}
