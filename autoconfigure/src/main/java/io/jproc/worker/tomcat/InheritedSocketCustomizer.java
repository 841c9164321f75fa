package io.jproc.worker.tomcat;

import org.apache.catalina.connector.Connector;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Makes Boot's Tomcat serve an inherited socket: the factory's connector is created with
 * {@link InheritedHttp11NioProtocol} and given the socket. Runs last, so that the
 * protocol is jproc's whatever an earlier customizer chose.
 */
final class InheritedSocketCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

	private final InheritedAcceptor acceptor;

	InheritedSocketCustomizer(InheritedAcceptor acceptor) {
		this.acceptor = acceptor;
	}

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		factory.setProtocol(InheritedHttp11NioProtocol.class.getName());
		factory.addConnectorCustomizers(this::serve);
	}

	private void serve(Connector connector) {
		if (!(connector.getProtocolHandler() instanceof InheritedHttp11NioProtocol protocol)) {
			throw new IllegalStateException("jproc: Tomcat's connector runs " + connector.getProtocolHandlerClassName()
					+ "; a jproc worker serves the master's " + this.acceptor.name() + " socket only through "
					+ InheritedHttp11NioProtocol.class.getName());
		}
		protocol.serve(this.acceptor);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
