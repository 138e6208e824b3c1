package dev.bulwark.discovery.consul;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Names of Consul service meta keys. Consul allows keys of 1 to 128 ASCII letters, digits,
 * {@code '-'} and {@code '_'}, reserves the prefix {@code consul-}, and keeps at most 64 pairs with
 * values of at most 512 bytes. Bulwark's own fields live under {@value #PREFIX}; an instance's
 * metadata keys that Consul allows keep their name (so operators see {@code commit=9f2c1e} in
 * Consul's UI), and any other key is escaped under {@value #ESCAPED}: letters and digits as they
 * are, every other byte of its UTF-8 form as {@code _hh} ({@code app.kubernetes.io/name} becomes
 * {@code bulwark-m-app_2ekubernetes_2eio_2fname}).
 */
final class MetaKeys {
    /** Bulwark's keys start with this (and the format marker is exactly this). */
    static final String PREFIX = "bulwark";
    /** Escaped metadata keys start with this. */
    static final String ESCAPED = "bulwark-m-";
    static final int MAX_KEY_LENGTH = 128;
    static final int MAX_VALUE_BYTES = 512;
    static final int MAX_PAIRS = 64;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_-]+");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MetaKeys() {
    }

    /** The Consul meta key for metadata key {@code key}. */
    static String forMetadata(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (key.length() <= MAX_KEY_LENGTH && ALLOWED.matcher(key).matches()
                && !lower.startsWith(PREFIX) && !lower.startsWith("consul-")) {
            return key;
        }
        StringBuilder out = new StringBuilder(ESCAPED);
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 128 && Character.isLetterOrDigit(c)) {
                out.append(c);
            } else {
                out.append('_').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return out.toString();
    }

    /** Whether {@code key} is one of Bulwark's (the marker, a field, or an escaped metadata key). */
    static boolean isBulwarks(String key) {
        return key.equals(PREFIX) || key.startsWith(PREFIX + "-");
    }

    /** The metadata key an escaped meta key stands for, or empty if the escape is broken. */
    static Optional<String> unescape(String metaKey) {
        String body = metaKey.substring(ESCAPED.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '_') {
                if (i + 2 >= body.length()) {
                    return Optional.empty();
                }
                int high = Character.digit(body.charAt(i + 1), 16);
                int low = Character.digit(body.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return Optional.empty();
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c < 128 && Character.isLetterOrDigit(c)) {
                bytes.write(c);
            } else {
                return Optional.empty();
            }
        }
        try {
            String key = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            return key.isBlank() ? Optional.empty() : Optional.of(key);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The length Consul measures a value by: its UTF-8 bytes. */
    static int bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }
}
