package dev.bulwark.config;

import java.util.List;

/** One setting's value, as typed by the schema, with its text and origin. */
record Setting(List<String> path, Object value, String text, Origin origin, boolean secret) {
    /** The path as shown: {@code breakers.grpc:user-service.failure-rate}. */
    String pathText() {
        return String.join(".", path);
    }

    /** The text as shown: secrets masked. */
    String shown() {
        return secret ? "******" : text;
    }
}
