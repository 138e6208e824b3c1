package dev.bulwark.config;

import java.util.Locale;

/** Key spellings: {@code max_concurrent_requests}, {@code max-concurrent-requests} and {@code maxConcurrentRequests} are one key. */
final class Keys {
    private Keys() {
    }

    /** The canonical (kebab-case) form of a key as written. */
    static String canonical(String key) {
        StringBuilder b = new StringBuilder(key.length() + 4);
        String k = key.trim();
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (c == '_' || c == '-') {
                b.append('-');
            } else if (Character.isUpperCase(c)) {
                if (i > 0 && b.length() > 0 && b.charAt(b.length() - 1) != '-' && Character.isLowerCase(k.charAt(i - 1))) {
                    b.append('-');
                }
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** The environment spelling of a key or name: {@code grpc:user-service} is {@code GRPC_USER_SERVICE}. */
    static String environment(String keyOrName) {
        StringBuilder b = new StringBuilder(keyOrName.length());
        for (int i = 0; i < keyOrName.length(); i++) {
            char c = keyOrName.charAt(i);
            b.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return b.toString();
    }

    /** The edit distance of {@code a} and {@code b}, for "did you mean" suggestions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
