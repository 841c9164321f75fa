package io.jproc.sample.support;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Sends real signals with {@code kill(1)}.
 */
public final class Signals {

	private Signals() {
	}

	/**
	 * Send a signal.
	 * @param pid the process
	 * @param signal the name without SIG, such as {@code TERM}, {@code KILL},
	 * {@code STOP}
	 */
	public static void send(long pid, String signal) {
		if (!trySend(pid, signal)) {
			throw new AssertionError("kill -" + signal + " " + pid + " failed: no such process");
		}
	}

	/**
	 * Send a signal to a process that may have exited meanwhile (a worker picked at
	 * random while the pool replaces workers).
	 * @param pid the process
	 * @param signal the name without SIG
	 * @return {@code false} if the process was gone, {@code true} if it got the signal
	 * @throws AssertionError if {@code kill} failed for a process that is still there
	 */
	public static boolean trySend(long pid, String signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (!kill.waitFor(10, TimeUnit.SECONDS)) {
				kill.destroyForcibly();
				throw new AssertionError("kill -" + signal + " " + pid + " did not finish");
			}
			if (kill.exitValue() == 0) {
				return true;
			}
			if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
				throw new AssertionError("kill -" + signal + " " + pid + " failed");
			}
			return false;
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

}
