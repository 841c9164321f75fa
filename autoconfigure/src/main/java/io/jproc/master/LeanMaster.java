package io.jproc.master;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.NativeHeapTrimmer;
import io.jproc.master.launch.ListenSocket;
import io.jproc.master.lean.HandOff;
import io.jproc.master.lean.LeanExec;
import io.jproc.master.lean.LeanLogFactory;
import io.jproc.master.lean.PropertiesCodec;
import io.jproc.master.process.Spawner;
import io.jproc.master.process.WorkerCommand;
import io.netty.util.internal.logging.CommonsLoggerFactory;
import io.netty.util.internal.logging.InternalLoggerFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The lean master's entry point, and the end of every master: the process the
 * application's JVM became through {@link LeanExec} (same pid, its sockets, its
 * environment) runs the {@link Arbiter} here with the properties the application
 * resolved, in a JVM that loads neither Spring's context nor the application's classes.
 */
public final class LeanMaster {

	/** How long the master's last log lines may take to reach its output at exit. */
	private static final long OUTPUT_FLUSH_MILLIS = 2000;

	private LeanMaster() {
	}

	/**
	 * Run the master from a hand-off.
	 * @param args not used: everything comes through the hand-off
	 */
	public static void main(String[] args) {
		InternalLoggerFactory.setDefaultFactory(CommonsLoggerFactory.INSTANCE);
		HandOff handOff = LeanExec.receive();
		LeanLogFactory.configure(handOff.logging());
		Log logger = LogFactory.getLog(LeanMaster.class);
		JprocProperties properties = PropertiesCodec.decode(handOff.properties());
		WorkerCommand.useMasterCommand(handOff.command());
		List<ListenSocket> sockets = new ArrayList<>();
		try {
			for (HandOff.Socket socket : handOff.sockets()) {
				sockets.add(ListenSocket.inherit(socket.name(), socket.fd(), socket.source()));
			}
		}
		catch (IOException ex) {
			logger.error("jproc master: the sockets handed over are not sockets", ex);
			LeanLogFactory.flush(OUTPUT_FLUSH_MILLIS);
			haltLater(ExitCodes.MASTER_FAILED);
			System.exit(ExitCodes.MASTER_FAILED);
			return;
		}
		String since = handOff.logging().get("exec-at");
		logger.info(
				"jproc master (pid " + ProcessHandle.current().pid() + ") runs in a lean JVM ("
						+ Runtime.version().feature() + ", heap at most " + (Runtime.getRuntime().maxMemory() >> 20)
						+ " MB"
						+ ((since != null) ? ", "
								+ Duration.ofMillis(System.currentTimeMillis() - Long.parseLong(since)).toMillis()
								+ " ms after the exec" : "")
						+ ")");
		runAndExit(properties, sockets.get(0), (sockets.size() > 1) ? sockets.get(1) : null);
	}

	/**
	 * Run the arbiter until the pool has shut down, then exit with its code.
	 * @param properties the pool's configuration
	 * @param server the server's listening socket
	 * @param management the management server's, if it has one of its own
	 */
	static void runAndExit(JprocProperties properties, ListenSocket server, @Nullable ListenSocket management) {
		// Off the loop, which never waits on it: malloc_trim takes a few milliseconds.
		new NativeHeapTrimmer(() -> "jproc master", properties.getNativeHeapTrimInterval()).start();
		int exitCode = new Arbiter(properties, server, management, new Spawner()).run();
		// The last lines ("shutdown complete") reach the output unless it takes nothing;
		// then a shutdown hook that writes to it would block the exit, so halt later.
		boolean written = LeanLogFactory.flush(OUTPUT_FLUSH_MILLIS);
		if (exitCode == ExitCodes.MASTER_FAILED || !written) {
			haltLater(exitCode);
		}
		System.exit(exitCode);
	}

	/**
	 * A master whose loop failed must end: if the shutdown hooks of {@code System.exit}
	 * do not finish within 10 s (out of memory, a hook that waits for something that
	 * never comes), halt.
	 * @param exitCode the code to halt with
	 */
	private static void haltLater(int exitCode) {
		try {
			Thread halt = new Thread(() -> {
				try {
					Thread.sleep(10_000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				Runtime.getRuntime().halt(exitCode);
			}, "jproc-halt");
			halt.setDaemon(true);
			halt.start();
		}
		catch (Throwable ex) {
			Runtime.getRuntime().halt(exitCode);
		}
	}

}
