package dev.bulwark.grpc.server;

/**
 * The pooled buffer memory a {@link BulwarkServer}'s connections allocate from (Netty's pooled
 * allocator: buffers are reused, not allocated per message).
 *
 * @param usedDirectBytes direct memory the pool holds now
 * @param usedHeapBytes heap memory the pool holds now
 * @param directArenas direct arenas
 * @param heapArenas heap arenas
 * @param threadLocalCaches threads with a cache of their own
 * @param chunkSize the size of the chunks arenas allocate
 */
public record BufferStats(long usedDirectBytes, long usedHeapBytes, int directArenas, int heapArenas, int threadLocalCaches,
        int chunkSize) {
}
