package dev.bulwark.discovery.zookeeper;

import dev.bulwark.discovery.RegistryException;
import java.time.Duration;
import org.apache.zookeeper.KeeperException;

/** Turns what Curator and ZooKeeper throw into {@link RegistryException}s that say what failed and why. */
final class Errors {
    private final String connectString;
    private final Duration connectTimeout;

    Errors(String connectString, Duration connectTimeout) {
        this.connectString = connectString;
        this.connectTimeout = connectTimeout;
    }

    /** A ZooKeeper operation that may fail in ZooKeeper's ways. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws Exception;
    }

    /** Runs {@code call}, translating failures; {@code what} names the operation and its target, e.g. "register users/u1". */
    <T> T run(String what, Call<T> call) {
        try {
            return call.run();
        } catch (RegistryException e) {
            throw e;
        } catch (Exception e) {
            throw translate(what, e);
        }
    }

    RegistryException translate(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new RegistryException(what + ": interrupted", e);
        }
        if (e instanceof KeeperException keeper) {
            switch (keeper.code()) {
                case NOAUTH:
                    return new RegistryException(what + ": ZooKeeper refused it (NoAuth on " + keeper.getPath()
                            + "): these nodes belong to another identity; configure the same credentials", e);
                case AUTHFAILED:
                    return new RegistryException(what + ": ZooKeeper rejected the credentials (AuthFailed)", e);
                case CONNECTIONLOSS:
                case OPERATIONTIMEOUT:
                case SESSIONEXPIRED:
                case SESSIONMOVED:
                    return unreachable(what, e);
                default:
                    return new RegistryException(what + ": ZooKeeper answered " + keeper.code() + " for " + keeper.getPath(), e);
            }
        }
        if (e instanceof IllegalStateException) {
            return new RegistryException(what + ": the registry is closed", e); // Curator's CuratorClosedException and "not started"
        }
        return new RegistryException(what + ": " + e, e);
    }

    RegistryException unreachable(String what, Exception cause) {
        return new RegistryException(what + ": cannot reach ZooKeeper at " + connectString + " within " + connectTimeout, cause);
    }

    String connectString() {
        return connectString;
    }
}
