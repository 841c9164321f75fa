package io.jproc.samplemvc;

import java.nio.file.Path;

/**
 * {@link ServerPoolIT} on Tomcat: {@code sample-mvc-app.jar}.
 */
class TomcatPoolIT extends ServerPoolIT {

	@Override
	Path jar() {
		return jarFrom("sample.mvc.jar");
	}

	@Override
	String server() {
		return "tomcat";
	}

}
