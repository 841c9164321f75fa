package io.jproc.worker.tomcat;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.jproc.worker.InheritedServerChannel;
import io.jproc.worker.InheritedSocketPair;
import io.jproc.worker.WorkerServer.ConnectionCounter;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.jspecify.annotations.Nullable;

/**
 * One listening socket inherited from the master, as Tomcat's acceptor takes connections
 * from it: a non-blocking channel on a {@code dup} of the descriptor and a selector, with
 * a gate in front of {@code accept()}. Tomcat's own way to stop an acceptor, a connection
 * to its own listening address ({@code unlockAccept}), would land in a sibling worker on
 * a shared socket; here the acceptor never blocks in {@code accept()}, so closing the
 * gate ({@link #hold()}, {@link #pauseAccepting()}, {@link #closeChannel()}) is enough,
 * and the accept itself runs under the gate's lock: once {@link #pauseAccepting()}
 * returns, this worker takes no connection from the kernel's queue, where the other
 * workers find them.
 */
final class InheritedAcceptor implements InheritedSocketPair.Socket {

	private static final POSIX posix = POSIXFactory.getNativePOSIX();

	/** How long the acceptor waits before it looks at the endpoint's state again. */
	private static final long POLL_MILLIS = 50;

	/**
	 * How long {@link #pauseAccepting()} waits for an accepted connection to reach the
	 * poller.
	 */
	private static final long HAND_OFF_MILLIS = 5000;

	private final String name;

	private final int fd;

	private final Object lock = new Object();

	private boolean held;

	private boolean paused;

	private boolean closed;

	/**
	 * Set by {@link #balanceAccepting(boolean)}: accepting stops until the balancer
	 * resumes it.
	 */
	private boolean balancedOff;

	private volatile @Nullable ConnectionCounter counter;

	/** A connection was accepted and is not handed to Tomcat's poller yet. */
	private boolean holding;

	private @Nullable ServerSocketChannel channel;

	private @Nullable Selector selector;

	private final AtomicBoolean inheritedClosed = new AtomicBoolean();

	/**
	 * Wrap an inherited descriptor.
	 * @param name what the socket is for ({@code server}, {@code management})
	 * @param fd the inherited, bound and listening descriptor
	 */
	InheritedAcceptor(String name, int fd) {
		this.name = name;
		this.fd = fd;
	}

	String name() {
		return this.name;
	}

	/**
	 * Hold accepting until {@link #startAccepting()}: a spare, or a worker that warms up.
	 * @return this acceptor
	 */
	InheritedAcceptor hold() {
		synchronized (this.lock) {
			this.held = true;
		}
		return this;
	}

	@Override
	public boolean isHeld() {
		synchronized (this.lock) {
			return this.held;
		}
	}

	/**
	 * End the hold; without one it does nothing.
	 */
	@Override
	public void startAccepting() {
		synchronized (this.lock) {
			this.held = false;
			this.lock.notifyAll();
		}
	}

	/**
	 * The channel Tomcat's endpoint serves, opened on first use.
	 * @return the channel
	 * @throws IOException if it cannot be made non-blocking or registered
	 */
	ServerSocketChannel open() throws IOException {
		synchronized (this.lock) {
			if (this.closed || this.inheritedClosed.get()) {
				throw new IllegalStateException("jproc: the inherited " + this.name + " socket (fd " + this.fd
						+ ") is closed: this worker is leaving or the pool is shutting down");
			}
			if (this.channel == null) {
				ServerSocketChannel opened = InheritedServerChannel.open(this.name, this.fd);
				try {
					opened.configureBlocking(false);
					Selector created = Selector.open();
					opened.register(created, SelectionKey.OP_ACCEPT);
					this.selector = created;
				}
				catch (IOException | RuntimeException ex) {
					opened.close();
					throw ex;
				}
				this.channel = opened;
			}
			return this.channel;
		}
	}

	@Nullable ServerSocketChannel channel() {
		return this.channel;
	}

	/**
	 * The next connection, once the gate is open: called by Tomcat's acceptor thread
	 * only. Waits while held, paused, closed or while Tomcat has paused the endpoint;
	 * throws once the endpoint stops running, which ends Tomcat's acceptor quietly.
	 * @param endpoint the endpoint's state
	 * @return a connection
	 * @throws IOException when the endpoint no longer runs, or accept fails
	 */
	SocketChannel accept(EndpointState endpoint) throws IOException {
		while (true) {
			Selector waitOn;
			synchronized (this.lock) {
				released();
				if (!endpoint.running()) {
					throw new ClosedChannelException();
				}
				ServerSocketChannel current = this.channel;
				if (this.held || this.paused || this.closed || this.balancedOff || current == null
						|| endpoint.paused()) {
					waitQuietly(POLL_MILLIS);
					continue;
				}
				SocketChannel accepted;
				try {
					accepted = current.accept();
				}
				catch (IOException ex) {
					if (!isNotListening(ex)) {
						throw ex;
					}
					// The master shut the socket down (a pool shutdown): nothing more to
					// accept here, and nothing to log for every turn of the loop.
					this.closed = true;
					continue;
				}
				if (accepted != null) {
					this.holding = true;
					return accepted;
				}
				waitOn = this.selector;
			}
			try {
				if (waitOn != null) {
					waitOn.select(POLL_MILLIS);
					waitOn.selectedKeys().clear();
				}
			}
			catch (ClosedSelectorException ex) {
				// Closed meanwhile: the gate says so on the next turn.
			}
		}
	}

	/**
	 * The connection last returned by {@link #accept} is in Tomcat's hands.
	 */
	void released() {
		synchronized (this.lock) {
			if (this.holding) {
				this.holding = false;
				this.lock.notifyAll();
			}
		}
	}

	/**
	 * Stop accepting on this worker's copy. Returns once no accept runs and the
	 * connection accepted last, if any, is in Tomcat's poller (at most a few seconds).
	 * @return completed: accepting has stopped when it returns
	 */
	@Override
	public CompletableFuture<Void> pauseAccepting() {
		synchronized (this.lock) {
			this.paused = true;
			wake();
			long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HAND_OFF_MILLIS);
			while (this.holding) {
				long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
				if (left <= 0) {
					break;
				}
				waitQuietly(left);
			}
		}
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * Stop or resume accepting to spread connections over the workers: a gate of its own,
	 * so that it never ends a hold, a {@link #pauseAccepting()} or a close. Stopping
	 * takes effect before the next accept (accepts run under the same lock); what arrives
	 * meanwhile stays in the kernel's queue for the other workers.
	 * @param accept {@code true} to accept again
	 */
	@Override
	public void balanceAccepting(boolean accept) {
		synchronized (this.lock) {
			if (this.balancedOff == !accept) {
				return;
			}
			this.balancedOff = !accept;
			if (accept) {
				wake();
			}
		}
	}

	/**
	 * Report each connection Tomcat takes from this socket as it opens and closes.
	 * @param counter the counter
	 */
	@Override
	public void countConnections(ConnectionCounter counter) {
		this.counter = counter;
	}

	/**
	 * A connection accepted here is now one of Tomcat's: called on the acceptor thread,
	 * before its next accept.
	 */
	void connectionOpened() {
		ConnectionCounter current = this.counter;
		if (current != null) {
			current.opened();
		}
	}

	/**
	 * A connection reported by {@link #connectionOpened()} closed.
	 */
	void connectionClosed() {
		ConnectionCounter current = this.counter;
		if (current != null) {
			current.closed();
		}
	}

	/**
	 * Wake the acceptor so that it looks at the gate again: what Tomcat's
	 * {@code unlockAccept} does here, without a connection.
	 */
	void wake() {
		synchronized (this.lock) {
			this.lock.notifyAll();
			Selector current = this.selector;
			if (current != null) {
				current.wakeup();
			}
		}
	}

	/**
	 * Close this worker's channel (the {@code dup}), not the inherited descriptor.
	 */
	void closeChannel() {
		ServerSocketChannel toClose;
		Selector selectorToClose;
		synchronized (this.lock) {
			this.closed = true;
			toClose = this.channel;
			selectorToClose = this.selector;
			this.channel = null;
			this.selector = null;
			this.lock.notifyAll();
		}
		if (selectorToClose != null) {
			selectorToClose.wakeup();
			closeQuietly(selectorToClose);
		}
		if (toClose != null) {
			closeQuietly(toClose);
		}
	}

	/**
	 * Close the inherited descriptor and this worker's channel: the pool is shutting
	 * down, and once every process has closed its copies the kernel refuses new
	 * connections.
	 */
	@Override
	public void closeInherited() {
		if (this.inheritedClosed.compareAndSet(false, true)) {
			posix.close(this.fd);
		}
		closeChannel();
	}

	/**
	 * Whether accept failed because the socket no longer listens: the master shuts the
	 * shared socket down at the start of a pool shutdown, and every later
	 * {@code accept(2)} fails with {@code EINVAL}.
	 * @param ex what accept threw
	 * @return whether the socket no longer listens
	 */
	static boolean isNotListening(IOException ex) {
		return ex.getMessage() != null && ex.getMessage().contains("Invalid argument");
	}

	private void waitQuietly(long millis) {
		try {
			this.lock.wait(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// Closing: nothing more to do.
		}
	}

	/**
	 * What the acceptor needs to know of Tomcat's endpoint.
	 */
	interface EndpointState {

		/**
		 * Whether the endpoint runs; once not, the acceptor ends.
		 * @return whether it runs
		 */
		boolean running();

		/**
		 * Whether Tomcat paused the endpoint (its own pause, graceful shutdown).
		 * @return whether it is paused
		 */
		boolean paused();

	}

}
