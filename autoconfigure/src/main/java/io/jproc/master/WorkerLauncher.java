package io.jproc.master;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.MalformedFrameException;
import jnr.unixsocket.UnixSocketChannel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Starts one worker: a socketpair for its channel, its command line and environment, the
 * spawn with exactly the shared sockets and its channel end inherited, a reader for the
 * channel and a watcher for its exit.
 */
final class WorkerLauncher implements WorkerFactory {

	private static final Log logger = LogFactory.getLog(WorkerLauncher.class);

	static final int SERVER_FD = 3;

	static final int CHANNEL_FD = 4;

	static final int MANAGEMENT_FD = 5;

	private final JprocProperties properties;

	private final ListenSocket server;

	private final @Nullable ListenSocket management;

	private final Spawner spawner;

	private final Consumer<MasterEvent> events;

	private final List<String> argv;

	WorkerLauncher(JprocProperties properties, ListenSocket server, @Nullable ListenSocket management,
			Spawner spawner, Consumer<MasterEvent> events) {
		this.properties = properties;
		this.server = server;
		this.management = management;
		this.spawner = spawner;
		this.events = events;
		this.argv = WorkerCommand.current(properties.getWorker().getJvmArgs());
	}

	List<String> argv() {
		return this.argv;
	}

	@Override
	public WorkerHandle launch(int id, long generation, Instant now) throws IOException {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		try {
			Map<Integer, Integer> inherited = new LinkedHashMap<>();
			inherited.put(SERVER_FD, this.server.fd());
			inherited.put(CHANNEL_FD, pair[1].getFD());
			if (this.management != null) {
				inherited.put(MANAGEMENT_FD, this.management.fd());
			}
			long pid = this.spawner.spawn(this.argv, environment(id), inherited);
			IpcChannel channel = IpcChannel.of(pair[0], "worker " + id);
			WorkerHandle worker = new WorkerHandle(id, pid, generation, now, channel);
			channel.start(new Listener(worker));
			this.spawner.watch(pid, (status) -> this.events.accept(new MasterEvent.Exited(worker, Spawner.decode(status))));
			return worker;
		}
		catch (IOException | RuntimeException ex) {
			pair[0].close();
			throw ex;
		}
		finally {
			// A plain close(2): jnr's close() shuts the socket down first, which would cut
			// the worker's copy of this end too.
			this.spawner.close(pair[1].getFD());
		}
	}

	private Map<String, String> environment(int id) {
		Map<String, String> environment = new LinkedHashMap<>(System.getenv());
		// systemd's variables are meant for the master (its main process) only.
		SocketActivation.VARIABLES.forEach(environment::remove);
		environment.remove(SystemdNotifier.NOTIFY_SOCKET);
		environment.remove(SystemdNotifier.WATCHDOG_USEC);
		environment.remove(SystemdNotifier.WATCHDOG_PID);
		environment.putAll(this.properties.getWorker().getEnvironment());
		environment.put(WorkerEnvironment.ROLE, "worker");
		environment.put(WorkerEnvironment.WORKER_ID, Integer.toString(id));
		environment.put(WorkerEnvironment.SERVER_FD, Integer.toString(SERVER_FD));
		environment.put(WorkerEnvironment.CHANNEL_FD, Integer.toString(CHANNEL_FD));
		environment.put(WorkerEnvironment.MASTER_PID, Long.toString(ProcessHandle.current().pid()));
		if (this.management != null) {
			environment.put(WorkerEnvironment.MANAGEMENT_FD, Integer.toString(MANAGEMENT_FD));
		}
		else {
			environment.remove(WorkerEnvironment.MANAGEMENT_FD);
		}
		return environment;
	}

	private final class Listener implements IpcChannel.Listener {

		private final WorkerHandle worker;

		Listener(WorkerHandle worker) {
			this.worker = worker;
		}

		@Override
		public void onMessage(Envelope envelope) {
			WorkerLauncher.this.events.accept(new MasterEvent.Received(this.worker, envelope));
		}

		@Override
		public void onUnmatchedReply(Envelope envelope) {
			// Only a log line, no state: late scrape answers after their timeout land here.
			logger.warn(this.worker + " sent " + envelope.message().getClass().getSimpleName()
					+ " answering nothing the master asked (late?); ignored");
		}

		@Override
		public void onMalformed(MalformedFrameException error) {
			WorkerLauncher.this.events.accept(new MasterEvent.Malformed(this.worker, error));
		}

		@Override
		public void onClosed() {
			WorkerLauncher.this.events.accept(new MasterEvent.ChannelClosed(this.worker));
		}

	}

}
