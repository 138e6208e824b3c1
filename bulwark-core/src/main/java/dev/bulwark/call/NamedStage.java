package dev.bulwark.call;

import java.util.concurrent.CompletableFuture;

/** A stage under a name of the user's choosing. */
final class NamedStage implements Stage {
    private final String name;
    private final Stage stage;

    NamedStage(String name, Stage stage) {
        this.name = name;
        this.stage = stage;
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        return stage.call(invocation);
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        return stage.callAsync(invocation);
    }

    @Override
    public StageKind kind() {
        return stage.kind();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
