package io.taskmeter.testkit;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DynamoDB Local as a real HTTP server on 127.0.0.1, in this JVM. Clients talk to it over a socket exactly as
 * they would talk to DynamoDB, so what passes here passes the same SDK code path as production.
 */
public final class EmbeddedDynamo implements AutoCloseable {
    private final DynamoDBProxyServer server;
    private final int port;

    private EmbeddedDynamo(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** In memory: gone when closed. */
    public static EmbeddedDynamo inMemory() {
        return start(null);
    }

    /** Persistent: tables survive a restart under {@code dir}. */
    public static EmbeddedDynamo persistent(Path dir) {
        return start(dir);
    }

    private static EmbeddedDynamo start(Path dir) {
        int port = FreePort.pick();
        try {
            String[] args = dir == null
                    ? new String[] {"-inMemory", "-sharedDb", "-port", Integer.toString(port), "-disableTelemetry"}
                    : new String[] {"-dbPath", Files.createDirectories(dir).toString(), "-sharedDb", "-port",
                            Integer.toString(port), "-disableTelemetry"};
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(args);
            server.start();
            return new EmbeddedDynamo(server, port);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on 127.0.0.1:" + port + ": " + e, e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not stop cleanly", e);
        }
    }
}
