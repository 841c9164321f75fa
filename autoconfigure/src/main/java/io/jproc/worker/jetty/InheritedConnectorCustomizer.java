package io.jproc.worker.jetty;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.jetty.JettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Makes a Jetty web server factory serve an inherited socket: its first server customizer
 * replaces Boot's connector by an {@link InheritedConnector}, so that every other
 * customizer (Boot's {@code server.jetty.*} settings, the application's own) sees and
 * configures the connector that serves.
 */
final class InheritedConnectorCustomizer implements WebServerFactoryCustomizer<JettyWebServerFactory>, Ordered {

	private final InheritedSocket socket;

	InheritedConnectorCustomizer(InheritedSocket socket) {
		this.socket = socket;
	}

	@Override
	public void customize(JettyWebServerFactory factory) {
		List<JettyServerCustomizer> customizers = new ArrayList<>();
		customizers.add(this.socket::serve);
		customizers.addAll(factory.getServerCustomizers());
		factory.setServerCustomizers(customizers);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
