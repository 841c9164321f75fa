package io.jproc.master.process;

/**
 * How a process ended: an exit code or a signal.
 *
 * @param code the exit code, {@code -1} if killed by a signal or unknown
 * @param signal the signal number, {@code 0} if it exited
 */
public record Exit(int code, int signal) {

	private static final String[] SIGNAL_NAMES = { "0", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
			"KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM" };

	/**
	 * The signal's name, such as {@code KILL}.
	 * @return the name, or its number when not a common one; {@code null} for an exit
	 */
	public String signalName() {
		return (this.signal > 0 && this.signal < SIGNAL_NAMES.length) ? SIGNAL_NAMES[this.signal]
				: Integer.toString(this.signal);
	}

	@Override
	public String toString() {
		if (this.signal > 0) {
			return "signal " + this.signal + " (SIG" + signalName() + ")";
		}
		return (this.code >= 0) ? "exit code " + this.code : "unknown status";
	}

}
