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
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
			if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new AssertionError("kill -" + signal + " " + pid + " failed");
			}
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
