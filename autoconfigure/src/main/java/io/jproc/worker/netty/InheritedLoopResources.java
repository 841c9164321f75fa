package io.jproc.worker.netty;

import java.time.Duration;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.ServerSocketChannel;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * Loop resources that serve the inherited socket: native epoll event loops, and for the
 * server channel a channel on the inherited descriptor. Everything else is delegated.
 */
final class InheritedLoopResources implements LoopResources {

	private final LoopResources delegate;

	private final InheritedSocket socket;

	InheritedLoopResources(LoopResources delegate, InheritedSocket socket) {
		this.delegate = delegate;
		this.socket = socket;
	}

	@Override
	public <CHANNEL extends Channel> CHANNEL onChannel(Class<CHANNEL> channelType, EventLoopGroup group) {
		if (channelType == ServerSocketChannel.class) {
			return channelType.cast(this.socket.newChannel());
		}
		return this.delegate.onChannel(channelType, group);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <CHANNEL extends Channel> Class<? extends CHANNEL> onChannelClass(Class<CHANNEL> channelType,
			EventLoopGroup group) {
		if (channelType == ServerSocketChannel.class) {
			return (Class<? extends CHANNEL>) EpollServerSocketChannel.class;
		}
		return this.delegate.onChannelClass(channelType, group);
	}

	@Override
	public EventLoopGroup onServer(boolean useNative) {
		// The inherited socket is an epoll channel: its loops must be epoll loops.
		return this.delegate.onServer(true);
	}

	@Override
	public EventLoopGroup onServerSelect(boolean useNative) {
		return this.delegate.onServerSelect(true);
	}

	@Override
	public EventLoopGroup onClient(boolean useNative) {
		return this.delegate.onClient(useNative);
	}

	@Override
	public boolean daemon() {
		return this.delegate.daemon();
	}

	@Override
	public void dispose() {
		this.delegate.dispose();
	}

	@Override
	public Mono<Void> disposeLater() {
		return this.delegate.disposeLater();
	}

	@Override
	public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
		return this.delegate.disposeLater(quietPeriod, timeout);
	}

	@Override
	public boolean isDisposed() {
		return this.delegate.isDisposed();
	}

}
