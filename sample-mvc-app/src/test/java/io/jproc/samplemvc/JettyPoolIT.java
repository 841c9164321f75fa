package io.jproc.samplemvc;

import java.nio.file.Path;

/**
 * {@link ServerPoolIT} on Jetty: {@code sample-mvc-app-jetty.jar}, served by
 * {@code io.jproc.worker.jetty}.
 */
class JettyPoolIT extends ServerPoolIT {

	@Override
	Path jar() {
		return jarFrom("sample.mvc.jetty.jar");
	}

	@Override
	String server() {
		return "jetty";
	}

	@Override
	boolean http2() {
		return false;
	}

}
