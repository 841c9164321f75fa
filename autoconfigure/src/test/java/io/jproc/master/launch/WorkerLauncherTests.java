package io.jproc.master.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import io.jproc.master.process.Exit;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.Spawner;
import io.jproc.master.process.WorkerHandle;
import io.jproc.master.systemd.PoolLifecycle;
import io.jproc.testsupport.CloseAfterEach;
import io.jproc.testsupport.QuietListener;
import jnr.posix.POSIXFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Tests for {@link WorkerLauncher}: the command line, environment and descriptors a
 * worker is spawned with, and the events its channel and exit become, with a spawner that
 * records instead of spawning.
 */
class WorkerLauncherTests {

	private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

	@RegisterExtension
	final CloseAfterEach open = new CloseAfterEach();

	private final JprocProperties properties = new JprocProperties();

	private final RecordingSpawner spawner = new RecordingSpawner();

	private final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();

	private final Map<String, String> masterEnvironment = new HashMap<>(Map.of("PATH", "/usr/bin", "KEEP", "1",
			WorkerEnvironment.MANAGEMENT_FD, "9", WorkerEnvironment.BOOT_CACHE, "/tmp/old.jsa"));

	WorkerLauncherTests() {
		this.properties.getBootCache().setEnabled(false);
	}

	@Test
	void launchShouldStartTheMastersOwnCommandLineWithTheWorkersJvmOptions() throws Exception {
		this.properties.getWorker().setJvmArgs(List.of("-Djproc.test.marker=yes"));
		launch(server(), null, 2);
		List<String> argv = this.spawner.argv;
		assertThat(argv.get(0)).isEqualTo(ProcessHandle.current().info().command().orElseThrow());
		assertThat(argv).contains("-Djproc.test.marker=yes");
		List<String> masterArguments = ProcessHandle.current().info().arguments().map(List::of).orElseThrow();
		assertThat(argv).endsWith(masterArguments.get(masterArguments.size() - 1));
	}

	@Test
	void launchShouldSizeANewWorkerForThePoolItJoins() throws Exception {
		this.properties.setWorkers(io.jproc.WorkerCount.valueOf(1));
		WorkerLauncher launcher = launcher(server(), null);
		this.open.add(launcher.launch(1, 7, 1, NOW).channel()::close);
		assertThat(this.spawner.argv).contains("-XX:MaxRAMPercentage=25").doesNotContain("-XX:MaxRAMPercentage=6.25");
		// Scaled to 4: a new worker gets a quarter of the share, once.
		this.open.add(launcher.launch(2, 8, 4, NOW).channel()::close);
		assertThat(this.spawner.argv).contains("-XX:MaxRAMPercentage=6.25").doesNotContain("-XX:MaxRAMPercentage=25");
		assertThat(this.spawner.argv.stream().filter((option) -> option.startsWith("-XX:ActiveProcessorCount=")))
			.containsExactly("-XX:ActiveProcessorCount=" + Math.max(1, Runtime.getRuntime().availableProcessors() / 4));
	}

	@Test
	void launchShouldTellTheWorkerWhoItIsAndWhereItsDescriptorsAre() throws Exception {
		this.properties.getWorker().setEnvironment(Map.of("FROM_PROPERTIES", "x"));
		launch(server(), null, 2);
		assertThat(this.spawner.environment).containsEntry(WorkerEnvironment.ROLE, "worker")
			.containsEntry(WorkerEnvironment.WORKER_ID, "2")
			.containsEntry(WorkerEnvironment.WORKER_NUMBER, "7")
			.containsEntry(WorkerEnvironment.SERVER_FD, "3")
			.containsEntry(WorkerEnvironment.CHANNEL_FD, "4")
			.containsEntry(WorkerEnvironment.MASTER_PID, Long.toString(ProcessHandle.current().pid()))
			.containsEntry("KEEP", "1")
			.containsEntry("FROM_PROPERTIES", "x")
			.doesNotContainKeys(WorkerEnvironment.MANAGEMENT_FD, WorkerEnvironment.BOOT_CACHE);
	}

	@Test
	void launchShouldNotPassTheMastersSystemdVariables() throws Exception {
		PoolLifecycle.MASTER_ONLY_VARIABLES.forEach((name) -> this.masterEnvironment.put(name, "1"));
		launch(server(), null, 1);
		assertThat(this.spawner.environment).containsEntry("KEEP", "1")
			.doesNotContainKeys(PoolLifecycle.MASTER_ONLY_VARIABLES.toArray(String[]::new));
	}

	@Test
	void theBootCacheTrainingRunSeesNoSystemdVariablesEither() {
		PoolLifecycle.MASTER_ONLY_VARIABLES.forEach((name) -> this.masterEnvironment.put(name, "1"));
		this.properties.getWorker().setEnvironment(Map.of("FROM_PROPERTIES", "x"));
		Map<String, String> helpers = WorkerLauncher.helperEnvironment(this.masterEnvironment,
				PoolLifecycle.MASTER_ONLY_VARIABLES);
		assertThat(helpers).containsEntry("KEEP", "1")
			.doesNotContainKeys(PoolLifecycle.MASTER_ONLY_VARIABLES.toArray(String[]::new));
		assertThat(WorkerLauncher.trainingEnvironment(this.properties, helpers))
			.containsEntry(WorkerEnvironment.ROLE, WorkerEnvironment.TRAINING)
			.containsEntry("KEEP", "1")
			.containsEntry("FROM_PROPERTIES", "x")
			.doesNotContainKeys(PoolLifecycle.MASTER_ONLY_VARIABLES.toArray(String[]::new))
			.doesNotContainKey(WorkerEnvironment.BOOT_CACHE);
	}

	@Test
	void launchShouldInheritTheServerSocketAndItsOwnChannelEndOnly() throws Exception {
		ListenSocket server = server();
		launch(server, null, 1);
		assertThat(this.spawner.inherited).containsOnlyKeys(3, 4, 6).containsEntry(3, server.fd());
		assertThat(this.spawner.environment).containsEntry(WorkerEnvironment.SCOREBOARD_FD, "6");
		assertThat(this.spawner.targets.get(4)).startsWith("socket:");
		int channelEnd = this.spawner.inherited.get(4);
		assertThat(target(channelEnd)).as("the master's copy of the worker's channel end, after the spawn")
			.isNotEqualTo(this.spawner.targets.get(4));
	}

	@Test
	void launchWithAManagementSocketShouldInheritItAtFive() throws Exception {
		ListenSocket management = this.open
			.add(ListenSocket.open("management", InetAddress.getLoopbackAddress(), 0, 16));
		launch(server(), management, 1);
		assertThat(this.spawner.inherited).containsOnlyKeys(3, 4, 5, 6).containsEntry(5, management.fd());
		assertThat(this.spawner.environment).containsEntry(WorkerEnvironment.MANAGEMENT_FD, "5");
	}

	@Test
	void launchShouldTurnTheWorkersFramesItsEndOfStreamAndItsExitIntoEvents() throws Exception {
		WorkerHandle worker = launch(server(), null, 1);
		assertThat(worker.pid()).isEqualTo(RecordingSpawner.PID);
		IpcChannel workerEnd = this.open.add(IpcChannel.fromFd(this.spawner.workerEnd, "master"));
		workerEnd.start(new QuietListener());
		workerEnd.send(new Message.Ready(RecordingSpawner.PID, 1000));
		assertThat(this.events.poll(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(MasterEvent.Received.class,
				(received) -> {
					assertThat(received.worker()).isSameAs(worker);
					assertThat(received.envelope().message()).isEqualTo(new Message.Ready(RecordingSpawner.PID, 1000));
				});
		workerEnd.close();
		assertThat(this.events.poll(5, TimeUnit.SECONDS)).isEqualTo(new MasterEvent.ChannelClosed(worker));
		this.spawner.onExit.accept(3 << 8);
		assertThat(this.events.poll(5, TimeUnit.SECONDS)).isEqualTo(new MasterEvent.Exited(worker, new Exit(3, 0)));
	}

	@Test
	void launchWhenTheSpawnFailsShouldThrowAndKeepNoSocket() throws Exception {
		ListenSocket server = server();
		WorkerLauncher launcher = launcher(server, null);
		long sockets = sockets();
		this.spawner.fail = true;
		assertThatIOException().isThrownBy(() -> launcher.launch(1, 7, 1, NOW)).withMessage("spawn failed (test)");
		assertThat(sockets()).isEqualTo(sockets);
		assertThat(this.events).isEmpty();
	}

	private ListenSocket server() throws IOException {
		return this.open.add(ListenSocket.open("server", InetAddress.getLoopbackAddress(), 0, 16));
	}

	private WorkerLauncher launcher(ListenSocket server, @Nullable ListenSocket management) {
		WorkerLauncher launcher = new WorkerLauncher(this.properties, server, management, this.spawner,
				this.events::add, PoolLifecycle.MASTER_ONLY_VARIABLES, this.masterEnvironment);
		this.open.add(launcher::close);
		return launcher;
	}

	private WorkerHandle launch(ListenSocket server, @Nullable ListenSocket management, int id) throws IOException {
		WorkerHandle worker = launcher(server, management).launch(id, 7, this.properties.getWorkers().value(), NOW);
		this.open.add(worker.channel()::close);
		return worker;
	}

	private static @Nullable String target(int fd) {
		try {
			return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
		}
		catch (IOException ex) {
			return null;
		}
	}

	/** How many sockets this process has open. */
	private static long sockets() throws IOException {
		List<String> targets = new ArrayList<>();
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
			for (Path fd : fds) {
				targets.add(target(Integer.parseInt(fd.getFileName().toString())));
			}
		}
		return targets.stream().filter((target) -> target != null && target.startsWith("socket:")).count();
	}

	/**
	 * Records what a launch asks for instead of spawning, and keeps a copy of the
	 * worker's channel end, as the spawned worker would.
	 */
	private final class RecordingSpawner extends Spawner {

		static final long PID = 4242;

		List<String> argv = List.of();

		Map<String, String> environment = Map.of();

		Map<Integer, Integer> inherited = Map.of();

		/** What each inherited source was at the spawn, by the worker's fd number. */
		final Map<Integer, String> targets = new LinkedHashMap<>();

		int workerEnd = -1;

		boolean fail;

		IntConsumer onExit = (status) -> {
		};

		@Override
		public long spawn(List<String> argv, Map<String, String> environment, Map<Integer, Integer> inherited,
				@Nullable Path output) throws IOException {
			this.argv = List.copyOf(argv);
			this.environment = Map.copyOf(environment);
			this.inherited = Map.copyOf(inherited);
			inherited.forEach((fd, source) -> this.targets.put(fd, target(source)));
			if (this.fail) {
				throw new IOException("spawn failed (test)");
			}
			this.workerEnd = POSIXFactory.getNativePOSIX().dup(inherited.get(4));
			return PID;
		}

		@Override
		public void watch(long pid, IntConsumer onExit) {
			this.onExit = onExit;
		}

	}

}
