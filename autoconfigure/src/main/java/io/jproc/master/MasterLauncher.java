package io.jproc.master;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import io.jproc.ExitCodes;
import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.master.launch.ListenSocket;
import io.jproc.master.process.Spawner;
import io.jproc.master.systemd.SocketActivation;
import io.netty.channel.epoll.Epoll;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Takes over {@code SpringApplication.run} in a process that should be a master: once the
 * Environment is prepared and logging is initialised, but before any application bean
 * exists, it binds the listening sockets, runs the {@link Arbiter} and exits the JVM with
 * its exit code. Anywhere else (jproc off, a worker, no epoll) it does nothing.
 */
public final class MasterLauncher implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

	private static final Log logger = LogFactory.getLog(MasterLauncher.class);

	private static final int DEFAULT_PORT = 8080;

	@Override
	public int getOrder() {
		return LoggingApplicationListener.DEFAULT_ORDER + 1;
	}

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		if (WorkerEnvironment.current().isWorker() || WorkerEnvironment.current().isTraining()) {
			return;
		}
		ConfigurableEnvironment environment = event.getEnvironment();
		UnseenArguments.warnIfAny(environment::getProperty);
		JprocProperties properties = bind(environment);
		if (properties == null) {
			return;
		}
		String unserved = ServerSupport.problem(event.getSpringApplication().getWebApplicationType(),
				environment.getProperty("spring.main.web-application-type"),
				event.getSpringApplication().getClassLoader());
		if (unserved != null) {
			// Refused here, once: workers on a server jproc cannot serve would each bind
			// the port, fail, and be restarted until the master gave up.
			throw new IllegalStateException(unserved);
		}
		if (!Epoll.isAvailable()) {
			logger.warn("jproc: epoll is not available here (" + Epoll.unavailabilityCause() + "); jproc.workers="
					+ properties.getWorkers() + " is ignored and the application runs " + "single-process");
			return;
		}
		Binder binder = Binder.get(environment);
		Map<String, Integer> activated = SocketActivation.descriptors(System.getenv(), ProcessHandle.current().pid());
		ListenSocket server;
		ListenSocket management = null;
		Integer managementPort = binder.bind("management.server.port", Integer.class).orElse(null);
		if (activated != null) {
			List<ListenSocket> adopted = SocketActivation.adoptAll(activated);
			server = adopted.get(0);
			management = (adopted.size() > 1) ? adopted.get(1) : null;
			if (management == null && managementPort != null && managementPort >= 0
					&& managementPort != server.address().getPort()) {
				server.close();
				throw new IllegalStateException("jproc: socket activation passed one socket but management.server.port="
						+ managementPort + " is set; add a second ListenStream= (FileDescriptorName=management) to "
						+ "the .socket unit, or unset management.server.port");
			}
			logger.info("jproc master: socket activation: serving on the sockets systemd passed (" + activated.keySet()
					+ "); server.port=" + binder.bind("server.port", Integer.class).orElse(null) + " is not bound");
		}
		else {
			server = listen("server", binder.bind("server.address", InetAddress.class).orElse(null),
					binder.bind("server.port", Integer.class).orElse(DEFAULT_PORT), properties.getBacklog());
			if (managementPort != null && managementPort >= 0 && managementPort != server.address().getPort()) {
				try {
					management = listen("management", managementAddress(binder), managementPort,
							properties.getBacklog());
				}
				catch (RuntimeException ex) {
					server.close();
					throw ex;
				}
			}
		}
		int exitCode = new Arbiter(properties, server, management, new Spawner()).run();
		if (exitCode == ExitCodes.MASTER_FAILED) {
			haltLater(exitCode);
		}
		System.exit(exitCode);
	}

	/**
	 * A master whose loop failed must end: if the shutdown hooks of {@code System.exit}
	 * do not finish within 10 s (out of memory, a hook that waits for something that
	 * never comes), halt.
	 * @param exitCode the code to halt with
	 */
	private static void haltLater(int exitCode) {
		try {
			Thread halt = new Thread(() -> {
				try {
					Thread.sleep(10_000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				Runtime.getRuntime().halt(exitCode);
			}, "jproc-halt");
			halt.setDaemon(true);
			halt.start();
		}
		catch (Throwable ex) {
			Runtime.getRuntime().halt(exitCode);
		}
	}

	/**
	 * Bind and check {@code jproc.*} the way a worker will.
	 * @param environment the application's environment
	 * @return the properties when this process should be a master, else {@code null}
	 */
	static @Nullable JprocProperties bind(ConfigurableEnvironment environment) {
		JprocProperties properties = Binder.get(environment)
			.bindOrCreate(JprocProperties.PREFIX, JprocProperties.class);
		if (!properties.getWorkers().enabled()) {
			return null;
		}
		properties.validate();
		return properties;
	}

	/**
	 * The management server's address, as Spring Boot chooses it: {@code
	 * management.server.address}, else every interface (not {@code server.address}).
	 * @param binder binds the application's environment
	 * @return the configured management address, {@code null} for every interface
	 */
	static @Nullable InetAddress managementAddress(Binder binder) {
		InetAddress address = binder.bind("management.server.address", InetAddress.class).orElse(null);
		InetAddress serverAddress = binder.bind("server.address", InetAddress.class).orElse(null);
		if (address == null && serverAddress != null && !serverAddress.isAnyLocalAddress()) {
			logger.info("jproc master: management.server.address is not set, so the management port listens on "
					+ "every interface, as Spring Boot does (server.address=" + serverAddress.getHostAddress()
					+ " applies to the server port only); set management.server.address to narrow it");
		}
		return address;
	}

	private static ListenSocket listen(String name, @Nullable InetAddress address, int port, int backlog) {
		try {
			return ListenSocket.open(name, address, port, backlog);
		}
		catch (IOException ex) {
			if (String.valueOf(ex.getMessage()).contains("Address already in use")) {
				throw new PortInUseException(port, ex);
			}
			throw new IllegalStateException("jproc: cannot listen on " + ((address != null) ? address : "*") + ":"
					+ port + " for " + name + ": " + ex.getMessage(), ex);
		}
	}

}
