package io.jproc.master.process;

/**
 * Which throwables a thread of the master (its loop, the reaper) survives and which end
 * the master on purpose.
 * <p>
 * A {@link VirtualMachineError} other than {@link StackOverflowError} is fatal: an
 * {@link OutOfMemoryError}, an {@link InternalError} or an {@link UnknownError} says the
 * JVM is broken or out of what it needs to go on; whatever the failed step changed may be
 * half done, the next allocation may fail too, and a master that limps on may stop
 * reaping, ticking or answering while it still holds the port. Ending it is safe: every
 * worker reads the end of its channel, drains and exits by itself
 * ({@code ExitCodes.MASTER_GONE}), and a supervisor starts a new master.
 * <p>
 * Everything else is survived, logged: a {@link StackOverflowError} has unwound the
 * frames that overflowed by the time it is caught (one handler recursed too deep, the
 * stack is whole again); a {@link LinkageError} (a class that fails to load or
 * initialise) or an {@link AssertionError} breaks one code path, as a
 * {@link RuntimeException} does, and the loop already survives those.
 */
public final class FatalErrors {

	private FatalErrors() {
	}

	/**
	 * Whether the master must end after this throwable.
	 * @param error what a step or the reaper threw
	 * @return {@code true} for a {@link VirtualMachineError} other than
	 * {@link StackOverflowError}
	 */
	public static boolean isFatal(Throwable error) {
		return error instanceof VirtualMachineError && !(error instanceof StackOverflowError);
	}

}
