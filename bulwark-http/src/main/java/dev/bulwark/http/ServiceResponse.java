package dev.bulwark.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service's answer: its status, headers and body, and which instance gave it.
 *
 * @param status the HTTP status (below 400: errors are thrown as {@link HttpStatusException})
 * @param headers the response headers
 * @param body the body's bytes (at most the client's {@code maxResponseBytes})
 * @param instance {@code host:port} of the instance that answered
 */
public record ServiceResponse(int status, Map<String, List<String>> headers, byte[] body, String instance) {

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .flatMap(e -> e.getValue().stream()).findFirst();
    }
}
