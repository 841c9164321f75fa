package io.jproc.worker;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;

/**
 * The web server of a worker, as jproc's server-neutral code sees it: it serves the
 * listening socket(s) the master passed down, never one of its own, and accepts on this
 * worker's copy only when told. One implementation per server, in a package of its own
 * ({@code io.jproc.worker.netty} for Reactor Netty), registered as a bean by that
 * package's auto-configuration; everything in {@code io.jproc.worker} goes through this
 * interface.
 * <p>
 * A spare worker, and a worker that warms up first, is created {@link #isHeld() held}:
 * its server starts but takes no connection until {@link #startAccepting()}, and
 * connections wait in the kernel's accept queue, where the other workers take them.
 * <p>
 * Internal to jproc: applications do not call it.
 */
public interface WorkerServer {

	/**
	 * Whether accepting is held on the application socket: a spare that has no slot yet,
	 * or a worker that has not finished its warm-up.
	 * @return {@code true} until {@link #startAccepting()}
	 */
	boolean isHeld();

	/**
	 * End the hold on every socket: accept now, or as soon as the server has started.
	 * Without a hold, or called again, it does nothing.
	 */
	void startAccepting();

	/**
	 * Stop accepting on this worker's copy of every inherited socket; the other workers
	 * keep accepting and connections already queued stay queued. Returns once accepting
	 * has stopped, or after a few seconds if the server cannot say: the worker leaves
	 * either way.
	 */
	void pauseAccepting();

	/**
	 * Close the inherited descriptors themselves, not the server's own copies: the pool
	 * is shutting down, and once the master and every worker have closed theirs the
	 * kernel refuses new connections at once.
	 */
	void closeInherited();

	/**
	 * Report every connection this worker accepts on the application socket (not the
	 * management socket) as it opens and closes, for the spreading of connections
	 * ({@code jproc.balance.*}). A server that cannot report leaves the counter unused
	 * and its worker is not balanced.
	 * @param counter receives each connection's open and close, on any thread; it may
	 * call {@link #balanceAccepting(boolean)} from {@code opened()}
	 */
	default void countConnections(ConnectionCounter counter) {
	}

	/**
	 * Whether this server implements {@link #countConnections} and
	 * {@link #balanceAccepting}; without them its workers are not balanced.
	 * @return {@code true} if connections can be spread over its workers
	 */
	default boolean canBalance() {
		return false;
	}

	/**
	 * Stop or resume accepting on the application socket to spread connections: unlike
	 * {@link #pauseAccepting()} this is temporary, and it changes nothing while the
	 * socket is held or once {@link #pauseAccepting()} has been called. Called from the
	 * counter's {@code opened()}, stopping must take effect before the next accept where
	 * the server can do so.
	 * @param accept {@code true} to accept again
	 */
	default void balanceAccepting(boolean accept) {
	}

	/**
	 * The application's request handling, to be served on a private loopback port for the
	 * warm-up ({@code jproc.warmup.*}).
	 * @param context the application context
	 * @return the handling, or {@code null} if the application has none to warm up
	 */
	@Nullable Loopback loopback(ApplicationContext context);

	/**
	 * Receives the application connections a server accepts.
	 */
	interface ConnectionCounter {

		/**
		 * A connection was accepted.
		 */
		void opened();

		/**
		 * A connection counted by {@link #opened()} closed.
		 */
		void closed();

	}

	/**
	 * The application's whole request handling (filters, controllers, codecs), servable
	 * on a private loopback port, never the shared socket.
	 */
	@FunctionalInterface
	interface Loopback {

		/**
		 * Serve on an ephemeral port of 127.0.0.1.
		 * @return the running server, to be closed by the caller
		 */
		Bound bind();

	}

	/**
	 * A running loopback server.
	 */
	interface Bound extends AutoCloseable {

		/**
		 * The port it serves on.
		 * @return the port
		 */
		int port();

		/**
		 * Stop serving and free its threads.
		 */
		@Override
		void close();

		/**
		 * A running loopback server, stopped by the given action.
		 * @param port the port it serves on
		 * @param stop stops it and frees its threads, for {@link #close()}
		 * @return the server
		 */
		static Bound of(int port, Runnable stop) {
			return new Bound() {

				@Override
				public int port() {
					return port;
				}

				@Override
				public void close() {
					stop.run();
				}

			};
		}

	}

}
