package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.RegistryException;
import java.util.function.Supplier;
import org.kiwiproject.consul.ConsulException;

/**
 * Runs consul-client calls and turns their failures into {@link RegistryException}s that say
 * what was attempted, against which agent, and whether Consul refused (with its status and
 * reason, e.g. {@code 403 Permission denied}) or could not be reached.
 */
final class Calls {
    private final String where;

    Calls(String where) {
        this.where = where;
    }

    <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw failed(what, e);
        }
    }

    void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    /** The HTTP status Consul answered with, or 0 if it did not answer (unreachable, timed out). */
    static int status(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConsulException c && c.hasCode()) {
                return c.getCode();
            }
        }
        return 0;
    }

    RegistryException failed(String what, Throwable e) {
        if (e instanceof RegistryException r) {
            return r;
        }
        int status = status(e);
        String why;
        if (status == 0) {
            why = where + " could not be reached: " + rootMessage(e);
        } else if (status == 403) {
            why = where + " refused (403: " + reason(e) + "); the ACL token (option." + ConsulSettings.TOKEN
                    + ") is missing, unknown or lacks the permission";
        } else {
            why = where + " answered " + status + ": " + reason(e);
        }
        return new RegistryException("cannot " + what + ": " + why, e);
    }

    /** Consul's reason, the text after consul-client's "failed with status [N]: ". */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConsulException c && c.hasCode()) {
                String message = String.valueOf(c.getMessage());
                int at = message.indexOf("]: ");
                return (at >= 0 ? message.substring(at + 3) : message).strip();
            }
        }
        return String.valueOf(e.getMessage());
    }

    private static String rootMessage(Throwable e) {
        Throwable root = dev.bulwark.internal.Errors.root(e);
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " (" + root.getMessage() + ")");
    }
}
