package io.jproc.samplemvc;

import java.nio.file.Path;

/**
 * {@link ServerPoolIT} on Jetty: {@code sample-mvc-app-jetty.jar}.
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

}
