package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.WatchListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A watch listener that writes down everything it hears, in order: events, disconnects and resumes. */
final class Recorder implements WatchListener {
    /** One thing heard: an event, or a "disconnected" / "resumed(true|false)" signal with a null event. */
    record Heard(String what, RegistryEvent event) {
        @Override
        public String toString() {
            return event == null ? what : event.type() + " " + event.instanceId();
        }
    }

    final List<Heard> heard = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(RegistryEvent event) {
        heard.add(new Heard(event.type().name(), event));
    }

    @Override
    public void onDisconnected(Throwable cause) {
        heard.add(new Heard("disconnected", null));
    }

    @Override
    public void onResumed(boolean complete) {
        heard.add(new Heard("resumed(" + complete + ")", null));
    }

    /** Everything heard, as {@code "CREATED id"}, {@code "disconnected"}, ... */
    List<String> lines() {
        return heard.stream().map(Heard::toString).toList();
    }

    boolean heard(String line) {
        return lines().contains(line);
    }
}
