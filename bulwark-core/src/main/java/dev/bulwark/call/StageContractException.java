package dev.bulwark.call;

import dev.bulwark.RejectedException;

/**
 * A stage broke the chain's contract — it has no asynchronous face but was called
 * asynchronously, proceeded on the wrong face, returned no future, or used its invocation after
 * its call ended — so the call was not made. A programming error, named with the stage: it is
 * never retried and never counted against an endpoint or a breaker.
 */
public final class StageContractException extends RejectedException {
    private static final long serialVersionUID = 1L;

    StageContractException(String stage, String message) {
        super(stage, message);
    }
}
