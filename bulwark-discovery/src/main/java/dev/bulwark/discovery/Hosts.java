package dev.bulwark.discovery;

import dev.bulwark.InvalidConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Host names and addresses as service instances may carry them: a DNS host name (RFC 1123: dot
 * separated labels of letters, digits and inner hyphens, 1 to 63 characters each, at most 253 in
 * all), an IPv4 address, or an IPv6 address (without brackets; a zone such as {@code %eth0}
 * allowed). Checked without any name lookup.
 */
final class Hosts {
    private static final int MAX_LENGTH = 253;

    private Hosts() {
    }

    static String check(String field, String host) {
        if (!isValid(host)) {
            throw new InvalidConfigException(field, host == null ? null : "\"" + shorten(host) + "\"",
                    "a host name (labels of letters, digits and inner '-', at most 253 characters), an IPv4 address"
                            + " or an IPv6 address without brackets");
        }
        return host;
    }

    static boolean isValid(String host) {
        if (host == null || host.isEmpty() || host.length() > MAX_LENGTH) {
            return false;
        }
        if (host.indexOf(':') >= 0) {
            return ipv6(host);
        }
        if (host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
            return ipv4(host);
        }
        return hostName(host);
    }

    private static boolean ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean ipv6(String host) {
        int zone = host.indexOf('%');
        String address = zone < 0 ? host : host.substring(0, zone);
        if (zone >= 0 && !host.substring(zone + 1).matches("[A-Za-z0-9_.\\-]+")) {
            return false;
        }
        if (!address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return false;
        }
        try {
            // A string with ':' is parsed as an IPv6 literal, never looked up; the zone is checked
            // above, not against this machine's interfaces.
            return InetAddress.getByName(address) instanceof java.net.Inet6Address;
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    private static boolean hostName(String host) {
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String shorten(String host) {
        return host.length() <= 80 ? host : host.substring(0, 80) + "... (" + host.length() + " characters)";
    }
}
