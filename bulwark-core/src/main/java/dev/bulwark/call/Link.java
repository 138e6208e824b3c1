package dev.bulwark.call;

/**
 * One position of a built chain, for synchronous calls: it runs its stage and, through its own
 * reference to the next link, the rest of the chain. Links are made once per chain and shared by
 * every call; a call's data travels in the {@link Frame}. Built-in policies make links of their
 * own class, so each hop to the next position is a call site of its own that the JIT can inline,
 * and a chain of built-in policies runs as one compiled method, allocating nothing.
 */
abstract class Link {
    /** The stage's position in the chain (the terminal's is the number of stages). */
    final int index;

    Link(int index) {
        this.index = index;
    }

    /** Runs this position and everything inside it. */
    abstract Object call(Frame frame) throws Exception;

    /** A stage of the user's: the frame shows it at its own position while it runs. */
    static final class OfStage extends Link {
        private final Stage stage;

        OfStage(int index, Stage stage) {
            super(index);
            this.stage = stage;
        }

        @Override
        Object call(Frame frame) throws Exception {
            int outer = frame.index;
            frame.index = index;
            try {
                return stage.call(frame);
            } finally {
                frame.index = outer;
            }
        }
    }

    /** The end of the chain: the call itself. */
    static final class End extends Link {
        private final Chain.Terminal terminal;

        End(int index, Chain.Terminal terminal) {
            super(index);
            this.terminal = terminal;
        }

        @Override
        Object call(Frame frame) throws Exception {
            return terminal.call(frame, frame.task());
        }
    }
}
