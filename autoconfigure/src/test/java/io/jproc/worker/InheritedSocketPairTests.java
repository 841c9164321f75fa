package io.jproc.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.jproc.WorkerEnvironment;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What every server's {@link WorkerServer} does with the sockets a worker inherits, on
 * recording sockets: which descriptor serves which socket, when both are held, which
 * calls reach both and which only the application socket, and the error of a worker
 * without a server socket.
 */
class InheritedSocketPairTests {

	@Test
	void aServingWorkerOpensBothSocketsUnheld() {
		Pair pair = new Pair(environment("1", "7", "9"), false);
		assertThat(pair.server().describe()).isEqualTo("server fd 7");
		assertThat(pair.management()).isNotNull();
		assertThat(pair.management().describe()).isEqualTo("management fd 9");
		assertThat(pair.isHeld()).isFalse();
		assertThat(pair.management().isHeld()).isFalse();
	}

	@Test
	void withoutAManagementDescriptorThereIsNoManagementSocket() {
		Pair pair = new Pair(environment("1", "7", null), false);
		assertThat(pair.management()).isNull();
		pair.startAccepting();
		pair.pauseAccepting();
		pair.closeInherited();
		assertThat(pair.server().calls).containsExactly("start", "pause", "closeInherited");
	}

	@Test
	void aSpareAndAWorkerThatWarmsUpHoldBothSockets() {
		Pair spare = new Pair(environment(String.valueOf(WorkerEnvironment.SPARE_ID), "7", "9"), false);
		assertThat(spare.isHeld()).isTrue();
		assertThat(spare.management().isHeld()).isTrue();
		Pair warming = new Pair(environment("1", "7", "9"), true);
		assertThat(warming.isHeld()).isTrue();
		assertThat(warming.management().isHeld()).isTrue();
		warming.startAccepting();
		assertThat(warming.isHeld()).isFalse();
		assertThat(warming.management().isHeld()).isFalse();
	}

	@Test
	void startPauseAndCloseReachBothSocketsCountAndBalanceOnlyTheServer() {
		Pair pair = new Pair(environment("1", "7", "9"), false);
		WorkerServer.ConnectionCounter counter = new RecordingCounter(pair.server());
		pair.startAccepting();
		pair.countConnections(counter);
		pair.balanceAccepting(false);
		pair.pauseAccepting();
		pair.closeInherited();
		assertThat(pair.canBalance()).isTrue();
		assertThat(pair.server().calls).containsExactly("start", "count", "balance false", "pause", "closeInherited");
		assertThat(pair.management().calls).containsExactly("start", "pause", "closeInherited");
	}

	@Test
	void pauseReturnsOnceBothSocketsHavePaused() {
		Pair pair = new Pair(environment("1", "7", "9"), false);
		ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
		try {
			pair.management().paused = new CompletableFuture<>();
			CompletableFuture<Void> managementPaused = pair.management().paused;
			later.schedule(() -> managementPaused.complete(null), 300, TimeUnit.MILLISECONDS);
			pair.pauseAccepting();
			assertThat(managementPaused).isDone();
		}
		finally {
			later.shutdownNow();
		}
	}

	@Test
	void aWorkerWithoutAServerSocketFailsNamingTheVariable() {
		assertThatIllegalStateException().isThrownBy(() -> new Pair(environment("1", null, "9"), false))
			.withMessage("jproc: this test worker was started without an inherited server socket ("
					+ WorkerEnvironment.SERVER_FD + " is not set)");
	}

	private static WorkerEnvironment environment(String workerId, @Nullable String serverFd,
			@Nullable String managementFd) {
		Map<String, String> variables = new HashMap<>();
		variables.put(WorkerEnvironment.ROLE, "worker");
		variables.put(WorkerEnvironment.WORKER_ID, workerId);
		if (serverFd != null) {
			variables.put(WorkerEnvironment.SERVER_FD, serverFd);
		}
		if (managementFd != null) {
			variables.put(WorkerEnvironment.MANAGEMENT_FD, managementFd);
		}
		return WorkerEnvironment.of(variables);
	}

	private static final class Pair extends InheritedSocketPair<RecordingSocket> {

		Pair(WorkerEnvironment environment, boolean warmup) {
			super(environment, warmup, "test worker", RecordingSocket::new);
		}

		@Override
		public @Nullable Loopback loopback(ApplicationContext context) {
			return null;
		}

	}

	private static final class RecordingSocket implements InheritedSocketPair.Socket {

		private final String name;

		private final int fd;

		private volatile boolean held;

		private final List<String> calls = new ArrayList<>();

		private CompletableFuture<Void> paused = CompletableFuture.completedFuture(null);

		RecordingSocket(String name, int fd, boolean held) {
			this.name = name;
			this.fd = fd;
			this.held = held;
		}

		String describe() {
			return this.name + " fd " + this.fd;
		}

		@Override
		public boolean isHeld() {
			return this.held;
		}

		@Override
		public void startAccepting() {
			this.held = false;
			this.calls.add("start");
		}

		@Override
		public CompletableFuture<Void> pauseAccepting() {
			this.calls.add("pause");
			return this.paused;
		}

		@Override
		public void closeInherited() {
			this.calls.add("closeInherited");
		}

		@Override
		public void countConnections(WorkerServer.ConnectionCounter counter) {
			this.calls.add("count");
		}

		@Override
		public void balanceAccepting(boolean accept) {
			this.calls.add("balance " + accept);
		}

	}

}
