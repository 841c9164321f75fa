package io.jproc.master;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.WebApplicationType;
import org.springframework.util.ClassUtils;

/**
 * Which web server the application's workers would run, as Spring Boot chooses it from
 * the class path, and whether jproc can serve it: the master refuses to start workers
 * that would each bind the port themselves (they would fail with "port in use", be
 * restarted, and fail again until the master gives up). Boot's order: a servlet
 * application runs Tomcat, else Jetty; a reactive one Reactor Netty, else Tomcat, else
 * Jetty. jproc serves a server once its worker package is on the class path.
 */
final class ServerSupport {

	/** Tomcat's worker package, servlet applications. */
	static final String TOMCAT_WORKER = "io.jproc.worker.tomcat.JprocTomcatWorkerAutoConfiguration";

	/** Jetty's worker package, servlet applications. */
	static final String JETTY_WORKER = "io.jproc.worker.jetty.JprocJettyWorkerAutoConfiguration";

	/** Reactor Netty's worker package, reactive applications. */
	static final String NETTY_WORKER = "io.jproc.worker.netty.JprocNettyWorkerAutoConfiguration";

	private static final String TOMCAT = "org.apache.catalina.startup.Tomcat";

	private static final String JETTY = "org.eclipse.jetty.server.Server";

	private static final String NETTY = "reactor.netty.http.server.HttpServer";

	private ServerSupport() {
	}

	/**
	 * Why jproc cannot serve this application, if it cannot.
	 * @param type the application's web application type
	 * @param configuredType {@code spring.main.web-application-type}, if set
	 * @param classLoader the application's class loader
	 * @return a message naming the server and what to do, or {@code null} when jproc
	 * serves it
	 */
	static @Nullable String problem(WebApplicationType type, @Nullable String configuredType,
			@Nullable ClassLoader classLoader) {
		WebApplicationType effective = (configuredType != null)
				? WebApplicationType.valueOf(configuredType.trim().toUpperCase(Locale.ROOT).replace('-', '_')) : type;
		if (effective == WebApplicationType.NONE) {
			return "jproc: jproc.workers is set but this is not a web application (web application type NONE): "
					+ "workers serve a web server's socket; unset jproc.workers or add a web server";
		}
		String server = server(effective, classLoader);
		if (server == null) {
			return "jproc: jproc.workers is set but no web server jproc knows is on the class path of this "
					+ effective.name().toLowerCase(Locale.ROOT) + " application; unset jproc.workers";
		}
		String worker = switch (server) {
			case TOMCAT -> (effective == WebApplicationType.SERVLET) ? TOMCAT_WORKER : null;
			case JETTY -> (effective == WebApplicationType.SERVLET) ? JETTY_WORKER : null;
			default -> NETTY_WORKER;
		};
		if (worker == null || !ClassUtils.isPresent(worker, classLoader)) {
			return "jproc: jproc.workers is set but this " + effective.name().toLowerCase(Locale.ROOT)
					+ " application runs on " + name(server) + ", which jproc does not serve "
					+ ((effective == WebApplicationType.SERVLET) ? "yet" : "for reactive applications")
					+ "; its workers would each bind the port themselves. jproc serves Spring MVC on Tomcat"
					+ (ClassUtils.isPresent(JETTY_WORKER, classLoader) ? " and Jetty" : "")
					+ " and WebFlux on Reactor Netty; unset jproc.workers or change the server";
		}
		return null;
	}

	private static @Nullable String server(WebApplicationType type, @Nullable ClassLoader classLoader) {
		String[] order = (type == WebApplicationType.SERVLET) ? new String[] { TOMCAT, JETTY }
				: new String[] { NETTY, TOMCAT, JETTY };
		for (String server : order) {
			if (ClassUtils.isPresent(server, classLoader)) {
				return server;
			}
		}
		return null;
	}

	private static String name(String server) {
		return switch (server) {
			case TOMCAT -> "Tomcat";
			case JETTY -> "Jetty";
			default -> "Reactor Netty";
		};
	}

}
