package io.jproc.worker;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BootExit}: a worker that leaves before it is ready exits, and halts
 * only if its context is still refreshing after the grace.
 */
class BootExitTests {

	private final BlockingQueue<Integer> exits = new LinkedBlockingQueue<>();

	private final BlockingQueue<Integer> halts = new LinkedBlockingQueue<>();

	private final GenericApplicationContext context = new GenericApplicationContext();

	private final BootExit exit = new BootExit(() -> "worker 1", this.context, this.exits::add, this.halts::add,
			Duration.ofMillis(100));

	@Test
	void haltsAWorkerWhoseContextIsStillRefreshingAfterTheGrace() throws Exception {
		this.exit.leave("asked by the master: shutdown", 3);
		assertThat(this.exits.poll(5, TimeUnit.SECONDS)).isEqualTo(3);
		assertThat(this.halts.poll(5, TimeUnit.SECONDS)).isEqualTo(3);
	}

	@Test
	void letsARefreshedContextCloseAsUsual() throws Exception {
		this.context.addApplicationListener(this.exit);
		this.context.refresh();
		try {
			this.exit.leave("asked by the master: shutdown", 0);
			assertThat(this.exits.poll(5, TimeUnit.SECONDS)).isZero();
			assertThat(this.halts.poll(500, TimeUnit.MILLISECONDS)).isNull();
		}
		finally {
			this.context.close();
		}
	}

	@Test
	void theRefreshOfAChildContextDoesNotCount() throws Exception {
		GenericApplicationContext child = new GenericApplicationContext();
		child.setParent(this.context);
		this.exit.onApplicationEvent(new ContextRefreshedEvent(child));
		this.exit.leave("the master is gone", 5);
		assertThat(this.halts.poll(5, TimeUnit.SECONDS)).isEqualTo(5);
	}

	@Test
	void onlyTheFirstLeaveCounts() throws Exception {
		this.exit.leave("first", 7);
		this.exit.leave("second", 8);
		assertThat(this.exit.hasBegun()).isTrue();
		assertThat(this.exits.poll(5, TimeUnit.SECONDS)).isEqualTo(7);
		assertThat(this.halts.poll(5, TimeUnit.SECONDS)).isEqualTo(7);
		assertThat(this.exits.poll(300, TimeUnit.MILLISECONDS)).isNull();
	}

}
