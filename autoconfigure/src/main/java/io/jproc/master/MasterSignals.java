package io.jproc.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import io.jproc.master.process.MasterEvent;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The master's signal handlers. They only enqueue: the arbiter thread acts. Replacing the
 * JVM's TERM and INT handlers means the JVM no longer exits by itself on them; the
 * arbiter exits once the pool has drained.
 * <p>
 * A signal ignored when the process started stays ignored for HUP, INT and TERM: the
 * JVM's {@code JVM_RegisterSignal} returns "ignored" without installing anything for its
 * shutdown signals when {@code is_sig_ignored} (so that {@code nohup} works), and
 * {@code Signal.handle} then returns {@link SignalHandler#SIG_IGN}. {@code nohup} leaves
 * HUP ignored, a script's background job ({@code &}) INT. {@link #install} says which of
 * the master's signals are left ignored, and {@link #warning} what to use instead.
 */
final class MasterSignals {

	static final String[] HANDLED = { "TERM", "INT", "HUP", "TTIN", "TTOU", "USR1", "USR2" };

	/** The signals the JVM refuses to handle when they were ignored at start. */
	private static final Set<String> KEPT_IGNORED_BY_THE_JVM = Set.of("HUP", "INT", "TERM");

	private static final String WRITE_ACCESS = " (allowed with management.endpoint.workers.access=unrestricted)";

	/** The signals whose loss an operator must be told of (USR1 and USR2 do nothing). */
	private static final Set<String> RELIED_ON = Set.of("HUP", "TERM", "INT", "TTIN", "TTOU");

	private MasterSignals() {
	}

	/**
	 * Install the handlers.
	 * @param events the loop's queue
	 * @return the handled signals left ignored in this process, which the master will
	 * never see
	 */
	static List<String> install(Consumer<MasterEvent> events) {
		Set<String> refused = new LinkedHashSet<>();
		for (String name : HANDLED) {
			try {
				SignalHandler old = Signal.handle(new Signal(name),
						(signal) -> events.accept(new MasterEvent.SignalReceived(name)));
				if (old == SignalHandler.SIG_IGN && KEPT_IGNORED_BY_THE_JVM.contains(name)) {
					refused.add(name);
				}
			}
			catch (IllegalArgumentException ex) {
				// Not available on this platform or taken by the JVM; leave it.
			}
		}
		return ignored(procStatus(), refused);
	}

	/**
	 * The handled signals left ignored: those the kernel says this process ignores
	 * ({@code SigIgn} of {@code /proc/self/status}), else those the JVM refused.
	 * @param procStatus the text of {@code /proc/self/status}, {@code null} if unknown
	 * @param refused the signals {@code Signal.handle} returned ignored for, and that the
	 * JVM keeps ignored
	 * @return the signals' names without SIG, in the order of {@link #HANDLED}
	 */
	static List<String> ignored(@Nullable String procStatus, Set<String> refused) {
		Long mask = ignoredMask(procStatus);
		List<String> ignored = new ArrayList<>();
		for (String name : HANDLED) {
			boolean left = (mask != null) ? isSet(mask, name) : refused.contains(name);
			if (left) {
				ignored.add(name);
			}
		}
		return ignored;
	}

	private static boolean isSet(long mask, String name) {
		try {
			int number = new Signal(name).getNumber();
			return (mask & (1L << (number - 1))) != 0;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static @Nullable Long ignoredMask(@Nullable String procStatus) {
		if (procStatus == null) {
			return null;
		}
		for (String line : procStatus.split("\n")) {
			if (line.startsWith("SigIgn:")) {
				try {
					return Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
				}
				catch (NumberFormatException ex) {
					return null;
				}
			}
		}
		return null;
	}

	private static @Nullable String procStatus() {
		try {
			return Files.readString(Path.of("/proc/self/status"));
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * The one warning to log, and to show in {@code /actuator/workers}, when signals the
	 * master relies on are ignored.
	 * @param ignored the signals left ignored, from {@link #install}
	 * @return the warning, {@code null} when none that matters is ignored
	 */
	static @Nullable String warning(List<String> ignored) {
		List<String> what = new ArrayList<>();
		if (ignored.contains("HUP")) {
			what.add("SIGHUP does not reload the pool: reload with POST /actuator/workers {\"action\":\"reload\"}"
					+ WRITE_ACCESS);
		}
		if (ignored.contains("TERM")) {
			what.add("SIGTERM does not stop the master: stop it with SIGINT");
		}
		if (ignored.contains("INT")) {
			what.add("SIGINT (Ctrl-C) does not stop the master: stop it with SIGTERM");
		}
		for (String name : List.of("TTIN", "TTOU")) {
			if (ignored.contains(name)) {
				what.add("SIG" + name + " does not scale the pool: scale with POST /actuator/workers "
						+ "{\"action\":\"scale\",\"workers\":N}" + WRITE_ACCESS);
			}
		}
		if (what.isEmpty()) {
			return null;
		}
		List<String> names = ignored.stream().filter(RELIED_ON::contains).map((name) -> "SIG" + name).toList();
		String them = (names.size() == 1) ? "it" : "them";
		return "jproc master: " + String.join(", ", names) + ((names.size() == 1) ? " was" : " were")
				+ " ignored when this process started (as under nohup, or for a background job of a script) and "
				+ "stays ignored, so the master never sees " + them + ": " + String.join("; ", what)
				+ "; or start the master without nohup (setsid, or a service manager such as systemd)";
	}

}
