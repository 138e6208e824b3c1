/**
 * Bulwark's gRPC machinery: the name resolver fed by discovery, the load-balancing policy with
 * per-endpoint breakers and statistics, the per-call chain and the server's drain and health
 * bookkeeping. Internal: public only because grpc-java and Bulwark's own packages reach it; not
 * an API, and it changes without notice. Use {@code dev.bulwark.grpc.client} and
 * {@code dev.bulwark.grpc.server}.
 */
package dev.bulwark.grpc.internal;
