package io.jproc.master.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntBinaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * Lower CPU priority for processes that must not slow the serving workers: boot cache
 * training, and spare workers while they boot and wait.
 * <p>
 * A spare that takes a slot must serve at full priority again, and on Linux lowering the
 * nice value back needs {@code CAP_SYS_NICE} or a {@code RLIMIT_NICE} that allows it; a
 * non-root user has neither by default (nor has root in a container without
 * {@code CAP_SYS_NICE}, Docker's default). Spares are niced only where the master can
 * raise them back. The nice value is per thread on Linux, so both lowering (a
 * {@code nice} prefix, inherited by every thread the JVM starts) and raising (every task
 * under {@code /proc/<pid>/task}) cover all of the JVM's threads.
 */
public final class CpuPriority {

	/** The nice value of spares while they boot and wait. */
	public static final int SPARE_NICE = 10;

	private static final int CAP_SYS_NICE = 23;

	private CpuPriority() {
	}

	/**
	 * The command prefix that runs a command at a nice value.
	 * @param nice the nice value, such as 19
	 * @return the {@code nice} prefix, empty when there is no {@code nice}
	 */
	public static List<String> niced(int nice) {
		for (String command : List.of("/usr/bin/nice", "/bin/nice")) {
			if (Files.isExecutable(Path.of(command))) {
				return List.of(command, "-n", Integer.toString(nice));
			}
		}
		return List.of();
	}

	/**
	 * Whether this process may set a child's nice value back to its own.
	 * @param status the text of {@code /proc/self/status}, {@code null} if unknown
	 * @param limits the text of {@code /proc/self/limits}, {@code null} if unknown
	 * @param ownNice this process's nice value
	 * @return {@code true} with {@code CAP_SYS_NICE}, or a {@code RLIMIT_NICE} that
	 * allows the own nice value
	 */
	public static boolean canRaiseBack(@Nullable String status, @Nullable String limits, int ownNice) {
		if (status != null) {
			for (String line : status.split("\n")) {
				if (line.startsWith("CapEff:")) {
					long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
					if ((caps & (1L << CAP_SYS_NICE)) != 0) {
						return true;
					}
				}
			}
		}
		if (limits != null) {
			for (String line : limits.split("\n")) {
				if (line.startsWith("Max nice priority")) {
					String[] fields = line.substring("Max nice priority".length()).trim().split("\\s+");
					if (fields.length > 0 && !fields[0].equals("unlimited")) {
						// RLIMIT_NICE r allows nice values down to 20 - r.
						return 20 - Integer.parseInt(fields[0]) <= ownNice;
					}
					return fields.length > 0;
				}
			}
		}
		return false;
	}

	/**
	 * Whether this master may raise a spare back to its own priority, from {@code /proc}.
	 * @return {@code true} if it may
	 */
	public static boolean canRaiseBack() {
		return canRaiseBack(read(Path.of("/proc/self/status")), read(Path.of("/proc/self/limits")), ownNice());
	}

	/**
	 * This process's nice value, from {@code /proc/self/stat}.
	 * @return the nice value, {@code 0} if unknown
	 */
	public static int ownNice() {
		String stat = read(Path.of("/proc/self/stat"));
		if (stat == null) {
			return 0;
		}
		// Fields after the command name in parentheses: state is field 3, nice field 19.
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
		return (fields.length > 16) ? Integer.parseInt(fields[16]) : 0;
	}

	/**
	 * Set every thread of a process to a nice value.
	 * @param pid the process
	 * @param nice the nice value
	 * @param setpriority {@code setpriority(PRIO_PROCESS, tid, nice)}, returning
	 * {@code 0} on success
	 * @return how many threads could not be changed
	 */
	public static int renice(long pid, int nice, IntBinaryOperator setpriority) {
		int failed = 0;
		// Twice: a thread started while the first pass ran inherits the old value.
		for (int pass = 0; pass < 2; pass++) {
			failed = 0;
			try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
				for (Path task : tasks) {
					if (setpriority.applyAsInt(Integer.parseInt(task.getFileName().toString()), nice) != 0) {
						failed++;
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				// The process is gone, or there is no /proc: nothing to change.
				return 0;
			}
		}
		return failed;
	}

	private static @Nullable String read(Path path) {
		try {
			return Files.readString(path);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

}
