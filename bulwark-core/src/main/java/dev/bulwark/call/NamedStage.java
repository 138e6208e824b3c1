package dev.bulwark.call;

import java.util.concurrent.CompletableFuture;

/** A stage under a name of the user's choosing. */
final class NamedStage implements Stage {
    private final String name;
    private final Stage stage;
    private final boolean asynchronous;

    NamedStage(String name, Stage stage) {
        this.name = name;
        this.stage = stage;
        this.asynchronous = hasAsyncFace(stage);
    }

    /** Whether {@code stage} implements {@link Stage#callAsync} rather than inheriting the refusal. */
    static boolean hasAsyncFace(Stage stage) {
        try {
            return stage.getClass().getMethod("callAsync", Invocation.class).getDeclaringClass() != Stage.class;
        } catch (NoSuchMethodException impossible) {
            return true;
        }
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        return stage.call(invocation);
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        return asynchronous ? stage.callAsync(invocation) : Stage.super.callAsync(invocation); // refused under our name
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
