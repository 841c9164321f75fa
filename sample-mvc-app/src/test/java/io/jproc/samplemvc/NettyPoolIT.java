package io.jproc.samplemvc;

import java.nio.file.Path;

/**
 * {@link ServerPoolIT} on Reactor Netty: the WebFlux sample's {@code sample-app.jar}, so
 * that the same checks run on all three servers.
 */
class NettyPoolIT extends ServerPoolIT {

	@Override
	Path jar() {
		return jarFrom("sample.jar");
	}

	@Override
	String server() {
		return "netty";
	}

}
