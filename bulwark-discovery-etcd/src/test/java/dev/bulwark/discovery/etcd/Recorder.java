package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.WatchListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A watch listener that keeps everything it hears: events, and disconnects and resumes as "disconnected" / "resumed:true|false". */
final class Recorder implements WatchListener {
    final List<RegistryEvent> events = new CopyOnWriteArrayList<>();
    final List<String> signals = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(RegistryEvent event) {
        events.add(event);
    }

    @Override
    public void onDisconnected(Throwable cause) {
        signals.add("disconnected");
    }

    @Override
    public void onResumed(boolean complete) {
        signals.add("resumed:" + complete);
    }

    boolean resumed() {
        return signals.stream().anyMatch(s -> s.startsWith("resumed"));
    }
}
