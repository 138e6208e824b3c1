package dev.bulwark.discovery.nacos;

import com.alibaba.nacos.api.exception.NacosException;
import dev.bulwark.discovery.RegistryException;

/**
 * Runs nacos-client calls and turns their failures into {@link RegistryException}s that say what
 * was being done, against which servers, and what Nacos answered (its error code and message).
 * nacos-client bounds each call itself (its request timeout is the config's connect timeout).
 */
final class NacosCalls {
    /** A call into nacos-client. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws NacosException;
    }

    private final String where;

    NacosCalls(String where) {
        this.where = where;
    }

    <T> T call(String what, Call<T> call) {
        try {
            return call.run();
        } catch (NacosException e) {
            throw new RegistryException(what + " at " + where + " failed: " + describe(e), e);
        } catch (RuntimeException e) { // NacosRuntimeException, or a client already shut down
            throw new RegistryException(what + " at " + where + " failed: " + e, e);
        }
    }

    void run(String what, Call<?> call) {
        call(what, call);
    }

    private static String describe(NacosException e) {
        String message = e.getErrMsg() == null || e.getErrMsg().isBlank() ? String.valueOf(e.getMessage()) : e.getErrMsg();
        return "Nacos error " + e.getErrCode() + ": " + message;
    }
}
