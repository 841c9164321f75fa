package io.jproc.worker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * How a worker that is not ready yet leaves, asked by the master or because the master is
 * gone: it has taken no connection, so it exits at once. {@link System#exit} runs the
 * shutdown hooks, and Spring closes a context only once its refresh has ended (the
 * context's startup-shutdown lock): a worker asked to leave in the middle of its boot
 * would finish booting first, which takes half a minute on a loaded machine and for ever
 * with a bean that waits for what never comes (an orphan, if the master is gone). So if
 * the context is still refreshing {@link #GRACE} after the exit began, the JVM halts. A
 * worker whose context has refreshed (warming up, say) closes it as usual, however long
 * that takes; the master's own deadlines bound it.
 * <p>
 * Made by {@link MasterLinkInitializer} with the context, so that the link to the master
 * can use it while the context refreshes; {@link WorkerDeparture} uses it for a worker
 * that leaves before it is ready.
 */
final class BootExit implements ApplicationListener<ContextRefreshedEvent> {

	private static final Log logger = LogFactory.getLog(BootExit.class);

	/**
	 * How long a worker asked to leave mid-boot waits for its refresh before halting:
	 * long enough for an ordinary boot to end and close cleanly (a halt skips the
	 * context's destroy methods and the JVM's delete-on-exit files, such as a servlet
	 * container's temporary directory), short enough that a bean that hangs does not hold
	 * the pool's shutdown or leave an orphan.
	 */
	static final Duration GRACE = Duration.ofSeconds(10);

	private final Supplier<String> label;

	private final ApplicationContext context;

	private final IntConsumer exit;

	private final IntConsumer halt;

	private final Duration grace;

	private final AtomicBoolean begun = new AtomicBoolean();

	private volatile boolean refreshed;

	/**
	 * Create the exit of the worker whose context this is.
	 * @param label this worker's label, for the log
	 * @param context the worker's application context
	 */
	BootExit(Supplier<String> label, ApplicationContext context) {
		this(label, context, System::exit, Runtime.getRuntime()::halt, GRACE);
	}

	/**
	 * Create the exit, with the ways to end the process.
	 * @param label this worker's label, for the log
	 * @param context the worker's application context
	 * @param exit ends the process running the shutdown hooks ({@link System#exit} but in
	 * tests)
	 * @param halt ends the process at once ({@link Runtime#halt} but in tests)
	 * @param grace how long the context may still be refreshing before the halt
	 */
	BootExit(Supplier<String> label, ApplicationContext context, IntConsumer exit, IntConsumer halt, Duration grace) {
		this.label = label;
		this.context = context;
		this.exit = exit;
		this.halt = halt;
		this.grace = grace;
	}

	@Override
	public void onApplicationEvent(ContextRefreshedEvent event) {
		// A child context (the management server's, say) publishes its own to this one.
		if (event.getApplicationContext() == this.context) {
			this.refreshed = true;
		}
	}

	/**
	 * Whether the exit has begun.
	 * @return {@code true} once {@link #leave} has been called
	 */
	boolean hasBegun() {
		return this.begun.get();
	}

	/**
	 * Exit the JVM, on a thread of its own, and halt it if the context is still
	 * refreshing {@link #GRACE} later. Only the first call has an effect.
	 * @param reason why, for the log
	 * @param exitCode the exit code
	 */
	void leave(String reason, int exitCode) {
		if (!this.begun.compareAndSet(false, true)) {
			return;
		}
		logger.info(this.label.get() + " leaving before it was ready (" + reason + ")");
		Thread halter = new Thread(() -> haltIfStillBooting(exitCode), "jproc-boot-exit-halt");
		halter.setDaemon(true);
		halter.start();
		new Thread(() -> this.exit.accept(exitCode), "jproc-boot-exit").start();
	}

	private void haltIfStillBooting(int exitCode) {
		try {
			Thread.sleep(this.grace.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (!this.refreshed) {
			logger.info(this.label.get() + " is still booting " + this.grace.toMillis()
					+ " ms after it began to leave: halting (Spring would close its context only once the boot ends)");
			this.halt.accept(exitCode);
		}
	}

}
