package io.jproc.worker;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;

/**
 * Spots a {@link VirtualMachineError} (OutOfMemoryError, StackOverflowError,
 * InternalError...) on any thread of the worker and retires the worker at once.
 * Frameworks would otherwise carry on: WebFlux turns an error thrown by a handler into a
 * 500, Reactor schedulers and Netty event loops log it and keep going. Sources: the
 * {@link RequestTracker} filter (errors of request handling), Reactor's scheduler error
 * hook, and the JVM's default uncaught exception handler (any other thread).
 */
final class FatalErrorGuard implements DisposableBean {

	private static final Log logger = LogFactory.getLog(FatalErrorGuard.class);

	private static final String HOOK_KEY = "jproc.fatal-errors";

	private static final int MAX_CAUSES = 16;

	private final Supplier<String> label;

	private final Consumer<String> retireNow;

	private final AtomicBoolean reported = new AtomicBoolean();

	private final Thread.@Nullable UncaughtExceptionHandler previous;

	private final Thread.UncaughtExceptionHandler handler = this::uncaught;

	/**
	 * Install the hooks.
	 * @param label this worker's current label, for the log
	 * @param retireNow retires the worker at once with the given reason
	 */
	FatalErrorGuard(Supplier<String> label, Consumer<String> retireNow) {
		this.label = label;
		this.retireNow = retireNow;
		this.previous = Thread.getDefaultUncaughtExceptionHandler();
		Thread.setDefaultUncaughtExceptionHandler(this.handler);
		Schedulers.onHandleError(HOOK_KEY, (thread, error) -> report(error, thread));
	}

	/**
	 * Retire the worker if the error is, or was caused by, a fatal JVM error.
	 * @param error the error seen
	 * @param thread where it was thrown
	 * @return whether it was fatal
	 */
	boolean report(Throwable error, Thread thread) {
		VirtualMachineError fatal = fatalIn(error);
		if (fatal == null) {
			return false;
		}
		if (this.reported.compareAndSet(false, true)) {
			String reason = fatal.getClass().getSimpleName() + " on thread " + thread.getName()
					+ ((fatal.getMessage() != null) ? ": " + fatal.getMessage() : "");
			logger.error(this.label.get() + ": fatal " + reason
					+ "; it stops accepting, asks the master for a replacement and leaves", fatal);
			this.retireNow.accept(reason);
		}
		return true;
	}

	static @Nullable VirtualMachineError fatalIn(@Nullable Throwable error) {
		Throwable current = error;
		for (int depth = 0; current != null && depth < MAX_CAUSES; depth++) {
			if (current instanceof VirtualMachineError fatal) {
				return fatal;
			}
			current = current.getCause();
		}
		return null;
	}

	private void uncaught(Thread thread, Throwable error) {
		report(error, thread);
		if (this.previous != null) {
			this.previous.uncaughtException(thread, error);
		}
		else {
			// What ThreadGroup.uncaughtException would have printed without us.
			System.err.print("Exception in thread \"" + thread.getName() + "\" ");
			error.printStackTrace(System.err);
		}
	}

	@Override
	public void destroy() {
		Schedulers.resetOnHandleError(HOOK_KEY);
		if (Thread.getDefaultUncaughtExceptionHandler() == this.handler) {
			Thread.setDefaultUncaughtExceptionHandler(this.previous);
		}
	}

}
