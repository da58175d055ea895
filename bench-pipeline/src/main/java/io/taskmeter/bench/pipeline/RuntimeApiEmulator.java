package io.taskmeter.bench.pipeline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The part of the Lambda Runtime API a function's poll loop uses: {@code GET .../invocation/next} hands out the
 * queued events one at a time, {@code POST .../invocation/{id}/response|error} records the outcome, with the
 * arrival time of each call. Once the events run out, {@code next} holds the caller, as Lambda freezes an idle
 * function.
 */
final class RuntimeApiEmulator implements AutoCloseable {
    /** One call of the function to the API: what, and when (System.nanoTime). */
    record Call(String what, long nanos, String body) {
    }

    private final HttpServer server;
    /** A new queue per function instance: a stopped instance's pending {@code next} keeps waiting on the old one. */
    private volatile LinkedBlockingQueue<byte[]> events = new LinkedBlockingQueue<>();
    private final List<Call> calls = new ArrayList<>();
    private volatile Runnable onCall = () -> { };

    RuntimeApiEmulator() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "runtime-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/2018-06-01/", this::handle);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Starts a new function instance's life: these events, nothing recorded yet. */
    synchronized void reset(List<byte[]> next) {
        events = new LinkedBlockingQueue<>(next);
        calls.clear();
    }

    /** Called (on the server's thread) after each recorded call, e.g. to count loaded classes at that moment. */
    void onCall(Runnable r) {
        onCall = r;
    }

    synchronized List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** Waits until the function has answered {@code n} invocations (or reported an init error). */
    boolean awaitResponses(int n, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            synchronized (this) {
                long done = calls.stream().filter(c -> !c.what().equals("next")).count();
                if (done >= n || calls.stream().anyMatch(c -> c.what().equals("init-error"))) {
                    return true;
                }
            }
            Thread.sleep(5);
        }
        return false;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        LinkedBlockingQueue<byte[]> mine = events;
        String path = exchange.getRequestURI().getPath();
        byte[] body = exchange.getRequestBody().readAllBytes();
        try (exchange) {
            if (path.endsWith("/runtime/invocation/next") && "GET".equals(exchange.getRequestMethod())) {
                record("next", now, "");
                byte[] event;
                try {
                    event = mine.poll(1, TimeUnit.HOURS);
                    if (event == null) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                var h = exchange.getResponseHeaders();
                h.add("Lambda-Runtime-Aws-Request-Id", UUID.randomUUID().toString());
                h.add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 120_000));
                h.add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:bench");
                h.add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000");
                h.add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, event.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(event);
                }
                return;
            }
            String what = path.endsWith("/response") ? "response" : path.endsWith("/init/error") ? "init-error"
                    : path.endsWith("/error") ? "error" : "other " + path;
            record(what, now, new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(202, -1);
        }
    }

    private void record(String what, long nanos, String body) {
        onCall.run(); // before the call is visible, so whoever waits for it sees what the hook saw
        synchronized (this) {
            calls.add(new Call(what, nanos, body));
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
