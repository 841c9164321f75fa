package io.jproc.worker.netty;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.jproc.worker.InheritedSocketPair;
import io.jproc.worker.WorkerServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.LoopResources;

import org.springframework.beans.factory.DisposableBean;

/**
 * A listening socket this worker inherited from its master, served by Reactor Netty in
 * place of a socket of its own. It also pauses and resumes accepting on this worker's
 * copy only: the other workers keep accepting and queued connections stay queued.
 * <p>
 * A spare worker's socket is {@link #hold() held}: its server channel is created with
 * auto-read off and a first handler that drops every {@code read()} while held, so epoll
 * is never asked to accept on it, whoever calls {@code read()} (Netty's
 * {@code channelActive}, a server option, Reactor Netty's acceptor after an error).
 * {@link #startAccepting()} ends the hold, whether the server channel exists yet, is
 * being registered, or runs.
 * <p>
 * Internal to jproc: public as the type of {@link InheritedSockets}' components.
 */
public final class InheritedSocket implements InheritedSocketPair.Socket, DisposableBean {

	private static final POSIX posix = POSIXFactory.getNativePOSIX();

	private final String name;

	private final int fd;

	private final InheritedLoopResources loops;

	private volatile @Nullable EpollServerSocketChannel channel;

	/** Guards {@link #held}, {@link #channel} and {@link #registered} together. */
	private final Object holdLock = new Object();

	private volatile boolean held;

	/** Whether the held channel has been registered with its event loop. */
	private boolean registered;

	private final AtomicBoolean inheritedClosed = new AtomicBoolean();

	/** Set by {@link #pauseAccepting()}: accepting never resumes for the balance. */
	private volatile boolean stopped;

	/**
	 * The balancer's latest word, see {@link #balanceAccepting(boolean)}: what the event
	 * loop applies, whatever the order its calls reach the loop in.
	 */
	private volatile boolean balancedOff;

	private volatile WorkerServer.@Nullable ConnectionCounter counter;

	/**
	 * Wrap an inherited file descriptor.
	 * @param name what the socket is for, such as {@code server}
	 * @param fd the inherited descriptor of a listening, non-blocking TCP socket
	 */
	public InheritedSocket(String name, int fd) {
		this.name = name;
		this.fd = fd;
		this.loops = new InheritedLoopResources(LoopResources.create("jproc-" + name), this);
	}

	/**
	 * Hold accepting, for a spare worker: the server channel, once created, takes no
	 * connection until {@link #startAccepting()}. Call before the server starts.
	 * @return this socket
	 * @throws IllegalStateException if the server channel exists already
	 */
	public InheritedSocket hold() {
		synchronized (this.holdLock) {
			if (this.channel != null) {
				throw new IllegalStateException(
						"jproc: the inherited " + this.name + " socket is served already; hold it before it starts");
			}
			this.held = true;
		}
		return this;
	}

	/**
	 * Whether accepting is held, see {@link #hold()}.
	 * @return {@code true} until {@link #startAccepting()}
	 */
	@Override
	public boolean isHeld() {
		return this.held;
	}

	/**
	 * End the hold: accept at once if the server channel runs, or as soon as it is
	 * registered, or from its creation on if the server has not started yet. Without a
	 * hold, or called again, it does nothing. Not meant to follow
	 * {@link #pauseAccepting()}.
	 */
	@Override
	public void startAccepting() {
		EpollServerSocketChannel current;
		boolean onLoop;
		synchronized (this.holdLock) {
			if (!this.held) {
				return;
			}
			this.held = false;
			current = this.channel;
			onLoop = current != null && this.registered;
		}
		// Otherwise the channel does not exist (newChannel sees the hold ended) or is not
		// registered yet (HoldAccept.channelRegistered sees it ended).
		if (onLoop) {
			try {
				current.eventLoop().execute(() -> accept(current));
			}
			catch (RuntimeException ex) {
				// The loop is shutting down: the server is stopping, nothing to accept.
			}
		}
	}

	/**
	 * Start reading (accepting) on a server channel, on its event loop, unless the
	 * balancer stopped it meanwhile. The explicit {@code read()} covers a channel whose
	 * auto-read was already on, whose reads the hold dropped.
	 * @param channel the server channel
	 */
	private void accept(Channel channel) {
		if (channel.isOpen() && !this.balancedOff) {
			channel.config().setAutoRead(true);
			channel.read();
		}
	}

	/**
	 * The loop resources to hand to {@code HttpServer.runOn}.
	 * @return loop resources whose server channel is this socket
	 */
	public LoopResources loopResources() {
		return this.loops;
	}

	/**
	 * A new Netty server channel on a duplicate of the inherited descriptor. Netty's bind
	 * is turned into a no-op: the socket is bound and listening already.
	 * @return the channel
	 */
	EpollServerSocketChannel newChannel() {
		if (this.inheritedClosed.get()) {
			throw new IllegalStateException("jproc: the inherited " + this.name + " socket (fd " + this.fd
					+ ") was closed because the pool is shutting down");
		}
		int copy = posix.dup(this.fd);
		if (copy < 0) {
			throw new IllegalStateException("jproc: dup of inherited " + this.name + " socket (fd " + this.fd
					+ ") failed, errno " + posix.errno());
		}
		EpollServerSocketChannel created = new EpollServerSocketChannel(copy);
		created.pipeline().addFirst("jproc.inheritedBind", new AlreadyBound());
		created.pipeline().addFirst("jproc.countConnections", new CountConnections());
		synchronized (this.holdLock) {
			if (this.held) {
				// Not registered yet: only the flags change, epoll never sees EPOLLIN.
				created.config().setAutoRead(false);
				created.pipeline().addFirst("jproc.holdAccept", new HoldAccept());
			}
			this.registered = false;
			this.channel = created;
		}
		return created;
	}

	/**
	 * Stop accepting on this worker's copy of the socket. Runs on the channel's event
	 * loop, which is the only place where no connection can slip in after the call.
	 * @return completes once accepting has stopped
	 */
	@Override
	public CompletableFuture<Void> pauseAccepting() {
		this.stopped = true;
		return setAutoRead(false).thenCompose((paused) -> catchUp()).thenCompose((caughtUp) -> catchUp());
	}

	/**
	 * Completes once every loop that serves this socket's connections has run a task
	 * submitted now. Twice in a row, it means each loop has polled its connections at
	 * least once since: a connection accepted just before the pause, even on a loop far
	 * behind under load, has had its first request read and counted as in flight, so
	 * Boot's graceful shutdown waits for it instead of closing it as idle.
	 * @return completes once every such loop has run a task
	 */
	private CompletableFuture<Void> catchUp() {
		List<CompletableFuture<Void>> all = new ArrayList<>();
		for (EventExecutor loop : this.loops.onServer(true)) {
			CompletableFuture<Void> ran = new CompletableFuture<>();
			try {
				loop.execute(() -> ran.complete(null));
			}
			catch (RuntimeException ex) {
				// A loop shutting down runs nothing more: nothing to wait for.
				ran.complete(null);
			}
			all.add(ran);
		}
		return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
	}

	/**
	 * Report every accepted connection to a counter, see
	 * {@link WorkerServer#countConnections}.
	 * @param counter the counter
	 */
	@Override
	public void countConnections(WorkerServer.ConnectionCounter counter) {
		this.counter = counter;
	}

	/**
	 * Stop or resume accepting to spread connections, see
	 * {@link WorkerServer#balanceAccepting}. On the channel's event loop, called from the
	 * accept itself, it takes effect before the next accept of the same read; from
	 * another thread, the loop applies it soon after.
	 * <p>
	 * The word is recorded first and the loop applies whatever the latest word is when it
	 * gets there, never the word of the call that scheduled it: a stop decided on the
	 * balancer's ticker and queued on the loop, overtaken by a resume decided on the loop
	 * itself (which applies at once), must not land last and leave this worker not
	 * accepting while the balancer believes it accepts. The other workers, seeing it
	 * accept with few connections, could then all stop too, and new connections would
	 * wait in the kernel's queue with no one to take them.
	 * @param accept {@code true} to accept again
	 */
	@Override
	public void balanceAccepting(boolean accept) {
		this.balancedOff = !accept;
		EpollServerSocketChannel current = this.channel;
		if (current == null || this.held || this.stopped || !current.isOpen() || !current.isRegistered()) {
			return;
		}
		if (current.eventLoop().inEventLoop()) {
			balance(current);
			return;
		}
		try {
			current.eventLoop().execute(() -> balance(current));
		}
		catch (RuntimeException ex) {
			// The loop is shutting down: nothing to accept any more.
		}
	}

	private void balance(EpollServerSocketChannel current) {
		boolean accept = !this.balancedOff;
		if (this.held || this.stopped || !current.isOpen() || current.config().isAutoRead() == accept) {
			return;
		}
		current.config().setAutoRead(accept);
		if (accept) {
			current.read();
		}
	}

	/**
	 * The event loop this worker accepts on, for tests that interleave with it.
	 * @return the loop, or {@code null} before the server channel is registered
	 */
	@Nullable EventExecutor acceptLoop() {
		EpollServerSocketChannel current = this.channel;
		return (current != null && current.isRegistered()) ? current.eventLoop() : null;
	}

	/**
	 * Accept again after {@link #pauseAccepting()}.
	 * @return completes once accepting has resumed
	 */
	public CompletableFuture<Void> resumeAccepting() {
		return setAutoRead(true);
	}

	private CompletableFuture<Void> setAutoRead(boolean autoRead) {
		EpollServerSocketChannel current = this.channel;
		CompletableFuture<Void> done = new CompletableFuture<>();
		if (current == null || !current.isOpen() || !current.isRegistered()) {
			done.complete(null);
			return done;
		}
		current.eventLoop().execute(() -> {
			current.config().setAutoRead(autoRead);
			done.complete(null);
		});
		return done;
	}

	/**
	 * Close the inherited descriptor itself (not the server channel's duplicate, which
	 * Boot's graceful shutdown closes when it stops accepting). Once the master and every
	 * worker have closed their copies, the kernel refuses new connections at once.
	 */
	@Override
	public void closeInherited() {
		if (this.inheritedClosed.compareAndSet(false, true)) {
			posix.close(this.fd);
		}
	}

	/**
	 * Whether this worker accepts connections on the socket now.
	 * @return {@code true} while serving, not held and not paused
	 */
	public boolean isAccepting() {
		EpollServerSocketChannel current = this.channel;
		return !this.held && current != null && current.isOpen() && current.config().isAutoRead();
	}

	/**
	 * The address the socket listens on.
	 * @return the address, or {@code null} before the server has started
	 */
	public @Nullable InetSocketAddress address() {
		EpollServerSocketChannel current = this.channel;
		return (current != null) ? current.localAddress() : null;
	}

	public String name() {
		return this.name;
	}

	public int fd() {
		return this.fd;
	}

	@Override
	public void destroy() {
		// Reactor Netty never disposes loops it was handed; the server has stopped by
		// now.
		this.loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
	}

	/**
	 * First handler of a held server channel: drops {@code read()} while the hold lasts,
	 * and starts accepting at registration when the hold ended before it.
	 */
	private final class HoldAccept extends ChannelDuplexHandler {

		@Override
		public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
			boolean accept;
			synchronized (InheritedSocket.this.holdLock) {
				InheritedSocket.this.registered = true;
				accept = !InheritedSocket.this.held;
			}
			ctx.fireChannelRegistered();
			if (accept) {
				accept(ctx.channel());
			}
		}

		@Override
		public void read(ChannelHandlerContext ctx) {
			if (!InheritedSocket.this.held) {
				ctx.read();
			}
		}

	}

	/**
	 * First handler of the server channel: every message it reads is an accepted
	 * connection, counted until it closes.
	 */
	private final class CountConnections extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			WorkerServer.ConnectionCounter current = InheritedSocket.this.counter;
			if (current != null && msg instanceof Channel child) {
				current.opened();
				child.closeFuture().addListener((closed) -> current.closed());
			}
			ctx.fireChannelRead(msg);
		}

	}

	private static final class AlreadyBound extends ChannelOutboundHandlerAdapter {

		@Override
		public void bind(ChannelHandlerContext ctx, java.net.SocketAddress localAddress, ChannelPromise promise) {
			ctx.pipeline().remove(this);
			promise.setSuccess();
		}

	}

}
