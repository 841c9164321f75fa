package io.jproc.worker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.jproc.WorkerEnvironment;
import org.jspecify.annotations.Nullable;

/**
 * The listening sockets a worker inherited from its master, what every server's
 * {@link WorkerServer} serves: the application's ({@link WorkerEnvironment#SERVER_FD})
 * and, when {@code management.server.port} is set, the management server's
 * ({@link WorkerEnvironment#MANAGEMENT_FD}). A spare's sockets, and those of a worker
 * that warms up first, are both created held; starting, pausing and closing act on both;
 * only the application socket is asked whether it is held, and only its connections are
 * counted and balanced. Each server's package supplies its {@link Socket} and its
 * {@link #loopback loopback}.
 * <p>
 * Internal to jproc: public for the server packages ({@code io.jproc.worker.netty},
 * {@code io.jproc.worker.tomcat}, {@code io.jproc.worker.jetty}).
 *
 * @param <S> the server's socket type
 */
public abstract class InheritedSocketPair<S extends InheritedSocketPair.Socket> implements WorkerServer {

	private final S server;

	private final @Nullable S management;

	/**
	 * Open the sockets named by the worker environment.
	 * @param environment the worker environment
	 * @param warmup whether the worker warms up first ({@code jproc.warmup.requests}):
	 * its sockets are held, as a spare's are
	 * @param worker how the error names this worker ({@code worker},
	 * {@code Tomcat worker})
	 * @param opener makes the server's socket on an inherited descriptor
	 * @throws IllegalStateException if the worker inherited no server socket
	 */
	protected InheritedSocketPair(WorkerEnvironment environment, boolean warmup, String worker, Opener<S> opener) {
		if (environment.serverFd() < 0) {
			throw new IllegalStateException(
					"jproc: this " + worker + " was started without an inherited server socket ("
							+ WorkerEnvironment.SERVER_FD + " is not set)");
		}
		boolean held = environment.isSpare() || warmup;
		this.server = opener.open("server", environment.serverFd(), held);
		this.management = (environment.managementFd() >= 0)
				? opener.open("management", environment.managementFd(), held) : null;
	}

	/**
	 * The application socket.
	 * @return the socket
	 */
	public S server() {
		return this.server;
	}

	/**
	 * The management server's socket.
	 * @return the socket, or {@code null} if the master passed none
	 */
	public @Nullable S management() {
		return this.management;
	}

	@Override
	public boolean isHeld() {
		return this.server.isHeld();
	}

	@Override
	public void startAccepting() {
		this.server.startAccepting();
		if (this.management != null) {
			this.management.startAccepting();
		}
	}

	/**
	 * Stop accepting on every inherited socket, waiting at most 5 s for the server.
	 */
	@Override
	public void pauseAccepting() {
		CompletableFuture<Void> paused = (this.management != null)
				? CompletableFuture.allOf(this.server.pauseAccepting(), this.management.pauseAccepting())
				: this.server.pauseAccepting();
		try {
			paused.get(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// A server that cannot pause in 5 s (an event loop or a selector) is stuck;
			// leaving goes on anyway.
		}
	}

	@Override
	public void closeInherited() {
		this.server.closeInherited();
		if (this.management != null) {
			this.management.closeInherited();
		}
	}

	/**
	 * Every server's socket reports the application connections it accepts and can stop
	 * accepting to spread them.
	 * @return {@code true}
	 */
	@Override
	public boolean canBalance() {
		return true;
	}

	@Override
	public void countConnections(ConnectionCounter counter) {
		this.server.countConnections(counter);
	}

	@Override
	public void balanceAccepting(boolean accept) {
		this.server.balanceAccepting(accept);
	}

	/**
	 * One inherited listening socket as a server serves it: this worker's copy of it
	 * accepts only when told.
	 */
	public interface Socket {

		/**
		 * Whether accepting is held (a spare that has no slot yet, a worker warming up).
		 * @return {@code true} until {@link #startAccepting()}
		 */
		boolean isHeld();

		/**
		 * End the hold: accept now, or as soon as the server has started. Without a hold,
		 * or called again, it does nothing.
		 */
		void startAccepting();

		/**
		 * Stop accepting on this worker's copy of the socket for good; the other workers
		 * keep accepting and queued connections stay queued.
		 * @return completes once no connection can be accepted any more
		 */
		CompletableFuture<Void> pauseAccepting();

		/**
		 * Close the inherited descriptor itself, see
		 * {@link WorkerServer#closeInherited()}.
		 */
		void closeInherited();

		/**
		 * Report every connection accepted on this socket, see
		 * {@link WorkerServer#countConnections}.
		 * @param counter the counter
		 */
		void countConnections(ConnectionCounter counter);

		/**
		 * Stop or resume accepting to spread connections, see
		 * {@link WorkerServer#balanceAccepting}.
		 * @param accept {@code true} to accept again
		 */
		void balanceAccepting(boolean accept);

	}

	/**
	 * Makes a server's socket on an inherited descriptor.
	 *
	 * @param <S> the server's socket type
	 */
	@FunctionalInterface
	public interface Opener<S> {

		/**
		 * Wrap an inherited descriptor.
		 * @param name what the socket is for: {@code server} or {@code management}
		 * @param fd the inherited descriptor of a bound, listening TCP socket
		 * @param held whether accepting is held until {@link Socket#startAccepting()}
		 * @return the socket
		 */
		S open(String name, int fd, boolean held);

	}

}
