package io.taskmeter.local;

/** This machine's name as a host id. */
final class ShipperHost {
    private ShipperHost() {
    }

    static String id() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
