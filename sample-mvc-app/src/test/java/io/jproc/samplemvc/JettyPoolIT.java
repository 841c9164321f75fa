package io.jproc.samplemvc;

import java.nio.file.Path;

import org.junit.jupiter.api.Disabled;

/**
 * {@link ServerPoolIT} on Jetty: {@code sample-mvc-app-jetty.jar}. Disabled until the
 * Jetty worker server ({@code io.jproc.worker.jetty}) is merged: remove the annotation
 * then.
 */
@Disabled("needs io.jproc.worker.jetty (branch jetty)")
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
