package dev.bulwark.grpc.server;

import java.time.Duration;

/**
 * How a {@link BulwarkServer}'s drain went.
 *
 * @param took from the start of the drain to the server's close
 * @param inFlightAtStop calls in flight when the server stopped taking new ones
 * @param cancelled calls still running at the end of the grace period, cancelled
 * @param deregistered instances removed from the registry
 * @param tasksUnfinished background tasks ({@link TaskHandlers}) still queued or running when the grace period ended
 */
public record DrainReport(Duration took, int inFlightAtStop, int cancelled, int deregistered, int tasksUnfinished) {
}
