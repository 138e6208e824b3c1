package dev.bulwark.discovery;

/** A running watch; closing it stops the events. */
@FunctionalInterface
public interface Watch extends AutoCloseable {
    @Override
    void close();
}
