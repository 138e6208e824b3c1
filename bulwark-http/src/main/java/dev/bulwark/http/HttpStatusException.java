package dev.bulwark.http;

import dev.bulwark.BulwarkException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * A service answered with an error status (400 or above). Carries the status, the service, the
 * instance, the method and path, the response headers and the start of the body, so the failure
 * explains itself without a debugger.
 */
public final class HttpStatusException extends BulwarkException {
    private static final long serialVersionUID = 1L;
    /** How much of an error body the exception keeps. */
    static final int SNIPPET = 512;

    private final int status;
    private final String service;
    private final String instance;
    private final String method;
    private final String path;
    private final transient HttpHeaders headers;
    private final String bodySnippet;

    HttpStatusException(int status, String service, String instance, String method, String path, HttpHeaders headers,
            byte[] body) {
        super(method + " " + service + path + " answered " + status + " from " + instance
                + (body.length == 0 ? "" : ": " + snippet(body)));
        this.status = status;
        this.service = service;
        this.instance = instance;
        this.method = method;
        this.path = path;
        this.headers = headers;
        this.bodySnippet = snippet(body);
    }

    private static String snippet(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, SNIPPET), StandardCharsets.UTF_8);
        return body.length > SNIPPET ? text + "… (" + body.length + " bytes)" : text;
    }

    public int status() {
        return status;
    }

    public String service() {
        return service;
    }

    /** {@code host:port} of the instance that answered. */
    public String instance() {
        return instance;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The response headers ({@code Retry-After}, say). */
    public HttpHeaders headers() {
        return headers;
    }

    /** The first {@value #SNIPPET} bytes of the body, as text. */
    public String bodySnippet() {
        return bodySnippet;
    }
}
