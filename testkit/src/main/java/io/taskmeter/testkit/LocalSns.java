package io.taskmeter.testkit;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A small SNS endpoint on 127.0.0.1 that speaks the Publish action of SNS's query protocol and keeps every
 * message, so the real SDK publisher is tested over a real connection (no SNS emulator is reachable here).
 */
public final class LocalSns implements AutoCloseable {
    /** A message as SNS received it. */
    public record Message(String topicArn, String subject, String body) {
    }

    private final HttpServer server;
    private final List<Message> messages = new ArrayList<>();
    private volatile int failNext;

    public LocalSns() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind 127.0.0.1", e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                String response;
                int status;
                if (failNext > 0) {
                    failNext--;
                    status = 500;
                    response = "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code>"
                            + "<Message>injected</Message></Error><RequestId>x</RequestId></ErrorResponse>";
                } else if ("Publish".equals(form.get("Action"))) {
                    synchronized (messages) {
                        messages.add(new Message(form.get("TopicArn"), form.get("Subject"), form.get("Message")));
                    }
                    status = 200;
                    response = "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
                            + "<MessageId>" + UUID.randomUUID() + "</MessageId></PublishResult><ResponseMetadata>"
                            + "<RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></PublishResponse>";
                } else {
                    status = 400;
                    response = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>"
                            + "only Publish is emulated</Message></Error><RequestId>x</RequestId></ErrorResponse>";
                }
                byte[] bytes = response.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/xml");
                exchange.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Message> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** The next {@code n} requests fail with a 500, as SNS does under an outage. */
    public void failNext(int n) {
        failNext = n;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
