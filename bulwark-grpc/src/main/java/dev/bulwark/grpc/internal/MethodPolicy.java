package dev.bulwark.grpc.internal;

import dev.bulwark.call.Pipeline;

/**
 * The chain one method's calls run through, and whether it may retry (then a call keeps what it
 * sent until it commits, to send it again).
 *
 * @param pipeline the method's chain, or {@code null} when no stage applies to it
 * @param retries whether the chain retries
 */
record MethodPolicy(Pipeline<Object> pipeline, boolean retries) {
    static final MethodPolicy DIRECT = new MethodPolicy(null, false);
}
