package dev.bulwark.config;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A config center on the local disk: key {@code /config/prod/orders/breakers/x.json} is the file
 * {@code <root>/config/prod/orders/breakers/x.json}. Each watch reads its directory every poll
 * interval (polling works on every file system, network and container mounts included, where
 * file-change notifications do not) and delivers what changed; a file being written is read
 * again on the next poll. Revisions count the changes this source has seen.
 *
 * <pre>{@code
 * DirectoryPolicySource source = DirectoryPolicySource.of(Path.of("/etc/myapp/policies"), Duration.ofSeconds(1));
 * }</pre>
 */
public final class DirectoryPolicySource implements PolicySource {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.config");

    private final Path root;
    private final Duration interval;
    private final AtomicLong revision = new AtomicLong();
    private final ScheduledExecutorService polls = Daemons.single("bulwark-policy-directory");

    private DirectoryPolicySource(Path root, Duration interval) {
        this.root = root;
        this.interval = interval;
    }

    /** Documents under {@code root}, read every {@code pollInterval} (10 ms to 1 h). */
    public static DirectoryPolicySource of(Path root, Duration pollInterval) {
        Check.notNull("root", root);
        Check.notNull("pollInterval", pollInterval);
        if (pollInterval.compareTo(Duration.ofMillis(10)) < 0 || pollInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidConfigException("pollInterval", pollInterval, "a duration from 10ms to 1h");
        }
        return new DirectoryPolicySource(root.toAbsolutePath(), pollInterval);
    }

    @Override
    public Subscription watch(String prefix, Listener listener) {
        Check.notNull("prefix", prefix);
        Check.notNull("listener", listener);
        String normalized = prefix.endsWith("/") ? prefix : prefix + "/";
        Path directory = root.resolve(normalized.replaceFirst("^/+", ""));
        Poll poll = new Poll(normalized, directory, listener);
        ScheduledFuture<?> task = polls.scheduleWithFixedDelay(poll, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        return () -> task.cancel(false);
    }

    @Override
    public void close() {
        Daemons.drainAndStop(polls);
    }

    /** One watched directory: the files seen last time, and what to tell. */
    private final class Poll implements Runnable {
        private final String prefix;
        private final Path directory;
        private final Listener listener;
        private Map<String, byte[]> seen = new HashMap<>();
        private boolean unavailable;

        Poll(String prefix, Path directory, Listener listener) {
            this.prefix = prefix;
            this.directory = directory;
            this.listener = listener;
        }

        @Override
        public void run() {
            try {
                poll();
            } catch (RuntimeException e) { // never let one poll end the schedule
                LOG.log(System.Logger.Level.WARNING, "reading policies under " + directory + " failed; retrying", e);
            }
        }

        private void poll() {
            Map<String, byte[]> now;
            try {
                now = read();
            } catch (IOException | RuntimeException e) {
                if (!unavailable) {
                    unavailable = true;
                    Daemons.tell(() -> listener.onUnavailable(e));
                }
                return;
            }
            for (Map.Entry<String, byte[]> e : now.entrySet()) {
                byte[] before = seen.get(e.getKey());
                if (before == null || !Arrays.equals(before, e.getValue())) {
                    long r = revision.incrementAndGet();
                    Daemons.tell(() -> listener.onPut(prefix + e.getKey(), e.getValue(), r));
                }
            }
            for (String gone : seen.keySet()) {
                if (!now.containsKey(gone)) {
                    long r = revision.incrementAndGet();
                    Daemons.tell(() -> listener.onDelete(prefix + gone, r));
                }
            }
            seen = now;
            if (unavailable) {
                unavailable = false;
                Daemons.tell(listener::onResumed);
            }
        }

        /** The regular files of the directory by name; none when it does not exist. */
        private Map<String, byte[]> read() throws IOException {
            Map<String, byte[]> files = new TreeMap<>();
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(directory, BasicFileAttributes.class);
            } catch (NoSuchFileException absent) {
                return files; // no directory: no documents (any other error: unavailable, documents kept)
            }
            if (!attributes.isDirectory()) {
                throw new IOException(directory + " is not a directory");
            }
            try (Stream<Path> list = Files.list(directory)) {
                for (Path file : (Iterable<Path>) list::iterator) {
                    if (Files.isRegularFile(file)) {
                        try {
                            files.put(file.getFileName().toString(), Files.readAllBytes(file));
                        } catch (NoSuchFileException deletedMeanwhile) {
                            // gone between the listing and the read: absent this time
                        }
                    }
                }
            }
            return files;
        }
    }
}
