package io.taskmeter.pollers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * JSON over HTTP for the pollers, with every failure turned into a {@link PollFailure} whose message names the
 * request and the answer but never a credential.
 */
final class HttpJson {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 200;

    /** How a request authenticates. */
    interface Auth {
        Auth NONE = () -> null;

        /** The Authorization header value, or null for none. */
        String header() throws IOException;

        /** After a 401: renew what {@link #header()} returns; true when the request is worth one more try. */
        default boolean renew() throws IOException {
            return false;
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    HttpJson(Duration timeout) {
        this.timeout = timeout;
        // No redirects: the Authorization header would follow them to wherever they point.
        this.client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    JsonNode get(URI uri, Auth auth) throws IOException {
        return send(HttpRequest.newBuilder(uri).GET(), "GET " + uri.getPath(), auth);
    }

    /** As {@link #get}, but null when the server answers 404: the object is not (or no longer) there. */
    JsonNode find(URI uri, Auth auth) throws IOException {
        try {
            return get(uri, auth);
        } catch (PollFailure e) {
            if (e.kind() == PollFailure.Kind.BAD_ANSWER && e.getMessage().startsWith("404 ")) {
                return null;
            }
            throw e;
        }
    }

    JsonNode post(URI uri, JsonNode body, Auth auth) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)), "POST " + uri.getPath(), auth);
    }

    /** The status of an unauthenticated GET, for telling which API a server has; -1 when it cannot be reached. */
    int probe(URI uri) throws IOException {
        return exchange(HttpRequest.newBuilder(uri).GET().timeout(timeout).header("Accept", "application/json")
                .build(), "GET " + uri.getPath()).statusCode();
    }

    private JsonNode send(HttpRequest.Builder builder, String what, Auth auth) throws IOException {
        builder.timeout(timeout).header("Accept", "application/json");
        for (int attempt = 0; ; attempt++) {
            String header = auth.header();
            HttpRequest.Builder b = builder.copy();
            if (header != null) {
                b.setHeader("Authorization", header);
            }
            HttpResponse<byte[]> r = exchange(b.build(), what);
            int status = r.statusCode();
            if (status == 401 && attempt == 0 && auth.renew()) {
                continue;
            }
            if (status >= 200 && status < 300) {
                try {
                    return JSON.readTree(r.body());
                } catch (IOException e) {
                    throw new PollFailure(PollFailure.Kind.BAD_ANSWER, what + " answered " + status
                            + " with a body that is not JSON: " + e.getMessage(), e);
                }
            }
            if (status >= 300 && status < 400) {
                throw new PollFailure(PollFailure.Kind.BAD_ANSWER, status + " from " + what + ": redirected to "
                        + r.headers().firstValue("Location").orElse("(no Location)")
                        + "; give that URL instead (credentials are not sent after a redirect)");
            }
            String text = status + " from " + what + ": " + snippet(r.body());
            if (status == 401 || status == 403) {
                throw new PollFailure(PollFailure.Kind.AUTH, text);
            }
            if (status >= 500 || status == 429 || status == 408) {
                throw new PollFailure(PollFailure.Kind.UNAVAILABLE, text);
            }
            throw new PollFailure(PollFailure.Kind.BAD_ANSWER, text);
        }
    }

    private HttpResponse<byte[]> exchange(HttpRequest request, String what) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new PollFailure(PollFailure.Kind.UNAVAILABLE, what + " timed out after " + timeout.toMillis()
                    + " ms", e);
        } catch (ConnectException e) {
            throw new PollFailure(PollFailure.Kind.UNAVAILABLE, what + ": cannot connect to "
                    + request.uri().getHost() + ":" + request.uri().getPort() + " (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new PollFailure(PollFailure.Kind.UNAVAILABLE, what + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PollFailure(PollFailure.Kind.UNAVAILABLE, what + " interrupted", e);
        }
    }

    /** One path segment, percent-encoded (run ids hold ':' and '+'). */
    static String segment(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String snippet(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return s.length() > MAX_ERROR_BODY ? s.substring(0, MAX_ERROR_BODY) + "…" : s.isEmpty() ? "(no body)" : s;
    }
}
