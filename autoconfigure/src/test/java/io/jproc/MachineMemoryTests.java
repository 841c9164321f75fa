package io.jproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MachineMemory}.
 */
class MachineMemoryTests {

	@TempDir
	Path root;

	@Test
	void readWhenNoCgroupLimitShouldBeThePhysicalMemory() throws IOException {
		write("proc/meminfo", "MemTotal:        2048000 kB\nMemFree:          100 kB\n");
		write("sys/fs/cgroup/memory.max", "max\n");
		assertThat(MachineMemory.read(this.root)).hasValue(2048000L * 1024);
	}

	@Test
	void readWhenOwnCgroupHasALowerLimitShouldBeThatLimit() throws IOException {
		write("proc/meminfo", "MemTotal:        2048000 kB\n");
		write("proc/self/cgroup", "0::/system.slice/app.service\n");
		write("sys/fs/cgroup/system.slice/app.service/memory.max", "536870912\n");
		assertThat(MachineMemory.read(this.root)).hasValue(536870912L);
	}

	@Test
	void readWhenCgroupV1LimitIsUnlimitedShouldBeThePhysicalMemory() throws IOException {
		write("proc/meminfo", "MemTotal:        1024 kB\n");
		write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
		assertThat(MachineMemory.read(this.root)).hasValue(1024L * 1024);
	}

	@Test
	void readWhenNoMeminfoShouldBeUnknown() {
		assertThat(MachineMemory.read(this.root)).isEmpty();
	}

	@Test
	void currentOnThisMachineShouldBeKnown() {
		assertThat(MachineMemory.current()).isPresent();
	}

	private void write(String path, String text) throws IOException {
		Path file = this.root.resolve(path);
		Files.createDirectories(file.getParent());
		Files.writeString(file, text);
	}

}
