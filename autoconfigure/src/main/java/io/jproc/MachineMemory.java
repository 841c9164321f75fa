package io.jproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The memory the processes of a pool can have on this machine: the physical memory
 * ({@code /proc/meminfo}), or the limit of the cgroup the master runs in when that is
 * lower (a container, a systemd unit with {@code MemoryMax=}). Read from files, in well
 * under a millisecond; the JDK's own {@code OperatingSystemMXBean} knows it too but costs
 * the master some 20 ms to load.
 */
final class MachineMemory {

	private MachineMemory() {
	}

	/**
	 * The memory of this machine, as the master sees it.
	 * @return the bytes, or empty when they cannot be read (not Linux)
	 */
	static OptionalLong current() {
		return read(Path.of("/"));
	}

	/**
	 * The memory under a root directory (tests give a directory of their own).
	 * @param root the file system root
	 * @return the bytes, or empty when they cannot be read
	 */
	static OptionalLong read(Path root) {
		OptionalLong physical = physical(root.resolve("proc/meminfo"));
		if (physical.isEmpty()) {
			return physical;
		}
		long memory = physical.getAsLong();
		for (Path limit : cgroupLimits(root)) {
			OptionalLong bytes = number(limit);
			if (bytes.isPresent() && bytes.getAsLong() > 0) {
				memory = Math.min(memory, bytes.getAsLong());
			}
		}
		return OptionalLong.of(memory);
	}

	private static OptionalLong physical(Path meminfo) {
		try {
			for (String line : Files.readAllLines(meminfo)) {
				if (line.startsWith("MemTotal:")) {
					String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
					return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// Not Linux, or not readable: unknown.
		}
		return OptionalLong.empty();
	}

	/**
	 * The files that may hold this process's memory limit: cgroup v2's {@code memory.max}
	 * of its own cgroup and of the root seen from it (a container's namespace), and
	 * cgroup v1's {@code memory.limit_in_bytes}.
	 * @param root the file system root
	 * @return the files, some of which may not exist
	 */
	private static List<Path> cgroupLimits(Path root) {
		Path cgroups = root.resolve("sys/fs/cgroup");
		String own = "";
		try {
			for (String line : Files.readAllLines(root.resolve("proc/self/cgroup"))) {
				if (line.startsWith("0::/")) {
					own = line.substring("0::/".length()).trim();
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// No cgroup information: only the root's files are read.
		}
		Path ownLimit = own.isEmpty() ? cgroups.resolve("memory.max") : cgroups.resolve(own).resolve("memory.max");
		return List.of(ownLimit, cgroups.resolve("memory.max"), cgroups.resolve("memory/memory.limit_in_bytes"));
	}

	private static OptionalLong number(Path file) {
		try {
			String text = Files.readString(file).trim();
			// cgroup v2 says "max" when there is no limit.
			boolean digits = !text.isEmpty() && text.chars().allMatch(Character::isDigit);
			return digits ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
		}
		catch (IOException | RuntimeException ex) {
			return OptionalLong.empty();
		}
	}

}
