package io.jproc.worker.netty;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Makes a Netty web server factory serve an inherited socket. It runs last, because
 * {@code NettyWebServer} would otherwise call {@code runOn} with the shared resource
 * factory's loops after every server customizer and bind a socket of its own.
 */
final class InheritedSocketCustomizer implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

	private final InheritedSocket socket;

	InheritedSocketCustomizer(InheritedSocket socket) {
		this.socket = socket;
	}

	@Override
	public void customize(NettyReactiveWebServerFactory factory) {
		factory.setResourceFactory(null);
		factory.addServerCustomizers((server) -> server.runOn(this.socket.loopResources()));
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
