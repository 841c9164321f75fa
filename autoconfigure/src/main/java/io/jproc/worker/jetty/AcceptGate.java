package io.jproc.worker.jetty;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.jproc.worker.WorkerServer.ConnectionCounter;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.jspecify.annotations.Nullable;

/**
 * Whether a worker's Jetty connector may accept on the inherited socket: held (a spare,
 * or a worker that warms up first) until {@link #open()}, and shut for good by
 * {@link #shut()}. Jetty registers its server channel with a selector through
 * {@code SelectorManager.acceptor(channel)}; every such registration goes through this
 * gate ({@link #register}), which passes it on to Jetty only while accepting is allowed
 * and cancels it when it no longer is.
 */
final class AcceptGate {

	private final Object lock = new Object();

	private final List<Registration> registrations = new ArrayList<>();

	private boolean held;

	private boolean shut;

	/** Set by {@link #balance(boolean)}: no accept until the balancer resumes it. */
	private volatile boolean balancedOff;

	private volatile @Nullable ConnectionCounter counter;

	/**
	 * Create a gate.
	 * @param held whether accepting is held until {@link #open()}
	 */
	AcceptGate(boolean held) {
		this.held = held;
	}

	boolean isHeld() {
		synchronized (this.lock) {
			return this.held;
		}
	}

	boolean isAccepting() {
		synchronized (this.lock) {
			return !this.held && !this.shut && this.registrations.stream().anyMatch((r) -> r.acceptor != null);
		}
	}

	/**
	 * A registration of a server channel for accepting, as Jetty asks for it: passed on
	 * to Jetty at once if accepting is allowed, otherwise when it becomes so.
	 * @param channel the server channel
	 * @param manager the selector manager that accepts on it
	 * @param register how Jetty registers it ({@code super.acceptor(channel)})
	 * @return what Jetty closes to stop accepting on the channel
	 */
	Closeable register(SelectableChannel channel, SelectorManager manager,
			Function<SelectableChannel, Closeable> register) {
		synchronized (this.lock) {
			Registration registration = new Registration(channel, manager, register);
			this.registrations.add(registration);
			if (!this.held && !this.shut) {
				registration.acceptor = register.apply(channel);
			}
			return registration;
		}
	}

	/**
	 * End the hold: every channel registered so far, and from now on, accepts. Without a
	 * hold, or once shut, it does nothing.
	 */
	void open() {
		synchronized (this.lock) {
			if (!this.held) {
				return;
			}
			this.held = false;
			if (this.shut) {
				return;
			}
			for (Registration registration : this.registrations) {
				registration.acceptor = registration.register.apply(registration.channel);
			}
		}
	}

	/**
	 * Stop accepting for good: every registration is cancelled on its selector, and no
	 * new one is passed on. The future completes once every selector involved has run an
	 * update submitted after the cancellations, so that no connection is accepted after
	 * it completes: a selector processes its updates in order, and those of one turn
	 * after the keys it selected.
	 * @return completes once no selector accepts any more
	 */
	CompletableFuture<Void> shut() {
		List<Closeable> acceptors = new ArrayList<>();
		Set<SelectorManager> managers = new LinkedHashSet<>();
		synchronized (this.lock) {
			this.shut = true;
			for (Registration registration : this.registrations) {
				if (registration.acceptor != null) {
					acceptors.add(registration.acceptor);
					managers.add(registration.manager);
					registration.acceptor = null;
				}
			}
		}
		for (Closeable acceptor : acceptors) {
			closeQuietly(acceptor);
		}
		List<CompletableFuture<Void>> caughtUp = new ArrayList<>();
		for (SelectorManager manager : managers) {
			for (ManagedSelector selector : manager.getBeans(ManagedSelector.class)) {
				if (selector.isRunning()) {
					CompletableFuture<Void> ran = new CompletableFuture<>();
					selector.submit((ignored) -> ran.complete(null));
					caughtUp.add(ran);
				}
			}
		}
		return CompletableFuture.allOf(caughtUp.toArray(CompletableFuture[]::new));
	}

	/**
	 * Stop or resume accepting to spread connections: unlike {@link #shut()} it is
	 * reversible, and it never ends a hold or a shut. Stopping takes effect at the next
	 * accept ({@link #isBalancedOff()}, asked before each) and then turns the server
	 * channel's interest in accepting off on its selector, so that the selector does not
	 * wake again and again for the connections left in the kernel's queue; resuming turns
	 * it back on. A key is changed only by an update on its own selector, never cancelled
	 * and registered again.
	 * @param accept {@code true} to accept again
	 */
	void balance(boolean accept) {
		synchronized (this.lock) {
			if (this.balancedOff == !accept) {
				return;
			}
			this.balancedOff = !accept;
		}
		refreshInterest();
	}

	/**
	 * Whether the balancer stopped accepting: then Jetty's selector takes no connection.
	 * @return {@code true} while stopped by {@link #balance(boolean)}
	 */
	boolean isBalancedOff() {
		return this.balancedOff;
	}

	/**
	 * Set the interest of every registered server channel to what the balance says, on
	 * the selectors' own threads.
	 */
	void refreshInterest() {
		List<Registration> current;
		synchronized (this.lock) {
			current = new ArrayList<>(this.registrations);
		}
		for (Registration registration : current) {
			for (ManagedSelector selector : registration.manager.getBeans(ManagedSelector.class)) {
				if (selector.isRunning()) {
					selector.submit((javaSelector) -> {
						SelectionKey key = registration.channel.keyFor(javaSelector);
						if (key != null && key.isValid()) {
							key.interestOps(this.balancedOff ? 0 : SelectionKey.OP_ACCEPT);
						}
					});
				}
			}
		}
	}

	/**
	 * Report every connection accepted through this gate.
	 * @param counter the counter
	 */
	void countConnections(ConnectionCounter counter) {
		this.counter = counter;
	}

	void opened() {
		ConnectionCounter current = this.counter;
		if (current != null) {
			current.opened();
		}
	}

	void closed() {
		ConnectionCounter current = this.counter;
		if (current != null) {
			current.closed();
		}
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException | RuntimeException ex) {
			// A selector that is stopping accepts nothing more anyway.
		}
	}

	/**
	 * One registration Jetty asked for; closing it is how Jetty stops accepting on it
	 * ({@code ServerConnector.setAccepting(false)}, a stop).
	 */
	private final class Registration implements Closeable {

		private final SelectableChannel channel;

		private final SelectorManager manager;

		private final Function<SelectableChannel, Closeable> register;

		private @Nullable Closeable acceptor;

		Registration(SelectableChannel channel, SelectorManager manager,
				Function<SelectableChannel, Closeable> register) {
			this.channel = channel;
			this.manager = manager;
			this.register = register;
		}

		@Override
		public void close() throws IOException {
			Closeable current;
			synchronized (AcceptGate.this.lock) {
				AcceptGate.this.registrations.remove(this);
				current = this.acceptor;
				this.acceptor = null;
			}
			if (current != null) {
				current.close();
			}
		}

	}

}
