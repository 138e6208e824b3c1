package dev.bulwark.call;

import dev.bulwark.CallContext;
import java.util.Arrays;

/**
 * The frames of the synchronous calls under way on one thread, innermost last. A call takes the
 * next frame and gives it back when it returns, so after the first call at each depth a thread's
 * calls allocate nothing. A task that makes another protected call simply goes one frame deeper.
 */
final class FrameStack {
    private static final ThreadLocal<FrameStack> CURRENT = ThreadLocal.withInitial(FrameStack::new);

    private Frame[] frames = new Frame[4];
    private int depth;

    static FrameStack current() {
        return CURRENT.get();
    }

    Frame push(Chain chain, CallContext context, Object task) {
        if (depth == frames.length) {
            frames = Arrays.copyOf(frames, depth * 2);
        }
        Frame frame = frames[depth];
        if (frame == null) {
            frame = new Frame();
            frames[depth] = frame;
        }
        depth++;
        frame.start(chain, context, task);
        return frame;
    }

    void pop(Frame frame) {
        frame.finish();
        depth--;
    }
}
