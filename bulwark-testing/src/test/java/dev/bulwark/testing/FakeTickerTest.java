package dev.bulwark.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeTickerTest {

    @Test
    void startsFarFromZeroSoCodeAssumingZeroIsCaught() {
        FakeTicker ticker = new FakeTicker();

        assertThat(ticker.read()).isEqualTo(FakeTicker.START).isNotZero();
    }

    @Test
    void advancesByDurationAndByNanosAndChains() {
        FakeTicker ticker = new FakeTicker();
        long start = ticker.read();

        FakeTicker returned = ticker.advance(Duration.ofMillis(3)).advance(7);

        assertThat(returned).isSameAs(ticker);
        assertThat(ticker.read() - start).isEqualTo(3_000_007L);
        ticker.advance(Duration.ZERO).advance(0);
        assertThat(ticker.read() - start).isEqualTo(3_000_007L);
    }

    @Test
    void rejectsNegativeAdvancesAndLeavesTheReadingAlone() {
        FakeTicker ticker = new FakeTicker();

        assertThatThrownBy(() -> ticker.advance(-1))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("nanos");
                    assertThat(e.value()).isEqualTo("-1");
                })
                .hasMessageContaining("backwards");
        assertThatThrownBy(() -> ticker.advance(Duration.ofNanos(-5)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("duration"));
        assertThatThrownBy(() -> ticker.advance((Duration) null)).isInstanceOf(InvalidConfigException.class);
        assertThat(ticker.read()).isEqualTo(FakeTicker.START);
    }

    @Test
    void setMovesForwardOrStaysButNeverBack() {
        FakeTicker ticker = new FakeTicker();

        ticker.set(FakeTicker.START + 500);
        assertThat(ticker.read()).isEqualTo(FakeTicker.START + 500);
        ticker.set(FakeTicker.START + 500);
        assertThat(ticker.read()).isEqualTo(FakeTicker.START + 500);

        assertThatThrownBy(() -> ticker.set(FakeTicker.START))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("nanos");
                    assertThat(e.allowed()).contains(String.valueOf(FakeTicker.START + 500));
                });
        assertThat(ticker.read()).isEqualTo(FakeTicker.START + 500);
    }

    @Test
    void saturatesInsteadOfWrappingAround() {
        FakeTicker ticker = new FakeTicker();

        ticker.advance(Long.MAX_VALUE).advance(Duration.ofDays(365 * 1000));

        assertThat(ticker.read()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void concurrentAdvancesAreNeverLost() throws InterruptedException {
        FakeTicker ticker = new FakeTicker();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    ticker.advance(1);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(ticker.read() - FakeTicker.START).isEqualTo(80_000);
    }
}
