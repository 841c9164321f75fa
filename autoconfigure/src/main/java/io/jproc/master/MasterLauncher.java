package io.jproc.master;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import io.jproc.ipc.ByteBudget;
import io.jproc.master.launch.ListenSocket;
import io.jproc.master.lean.HandOff;
import io.jproc.master.lean.LeanExec;
import io.jproc.master.lean.PropertiesCodec;
import io.jproc.master.process.Spawner;
import io.jproc.master.process.WorkerCommand;
import io.jproc.master.systemd.SocketActivation;
import io.netty.channel.epoll.Epoll;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ansi.AnsiColor;
import org.springframework.boot.ansi.AnsiOutput;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Takes over {@code SpringApplication.run} in a process that should be a master: once the
 * Environment is prepared and logging is initialised, but before any application bean
 * exists, it binds the listening sockets, then (unless {@code jproc.master.lean=false})
 * replaces this JVM by the lean master's ({@link LeanExec}, {@link LeanMaster}), or, when
 * that cannot be done, runs the {@link Arbiter} here and exits the JVM with its exit
 * code. Anywhere else (jproc off, a worker, no epoll) it does nothing.
 */
public final class MasterLauncher implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

	private static final Log logger = LogFactory.getLog(MasterLauncher.class);

	private static final int DEFAULT_PORT = 8080;

	/**
	 * The lean master's heap beyond what the message relay may hold (twice, as bytes and
	 * frames).
	 */
	private static final long LEAN_HEAP_BASE = 32L << 20;

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
		if (properties.getMaster().isLean()) {
			String why = goLean(environment, binder, properties, server, management);
			logger.warn("jproc master: cannot become a lean JVM (" + why + "); the master stays in the "
					+ "application's JVM (set jproc.master.lean=false to say so and silence this)");
		}
		LeanMaster.runAndExit(properties, server, management);
	}

	/**
	 * Replace this JVM by the lean master's (same pid, same sockets), see
	 * {@link LeanExec}.
	 * @param environment the application's environment
	 * @param binder binds it
	 * @param properties the pool's configuration
	 * @param server the server's socket
	 * @param management the management server's, if any
	 * @return why that did not happen (it returns only then)
	 */
	private static String goLean(ConfigurableEnvironment environment, Binder binder, JprocProperties properties,
			ListenSocket server, @Nullable ListenSocket management) {
		try {
			String classPath = System.getProperty("java.class.path");
			String unusable = LeanExec.unusableClassPath(classPath, System.getProperty("jdk.module.path"));
			if (unusable != null) {
				return unusable;
			}
			List<String> command = WorkerCommand.masterCommand();
			List<HandOff.Socket> sockets = new ArrayList<>();
			sockets.add(new HandOff.Socket(server.name(), server.fd(), server.source()));
			if (management != null) {
				sockets.add(new HandOff.Socket(management.name(), management.fd(), management.source()));
			}
			HandOff handOff = new HandOff(PropertiesCodec.encode(properties), command, sockets,
					loggingSettings(environment, binder));
			boolean bootJar = MasterLauncher.class.getClassLoader()
				.getClass()
				.getName()
				.startsWith("org.springframework.boot.loader.");
			long relay = ByteBudget.wholeRelay(ByteBudget.perDestination(properties.getMessaging().getQueueCapacity(),
					properties.getMessaging().getMaxPayload().toBytes()));
			List<String> lean = LeanExec.command(System.getProperty("java.home"), Runtime.version().feature(), command,
					Objects.requireNonNull(classPath), bootJar, LEAN_HEAP_BASE + 2 * relay,
					properties.getMaster().getJvmArgs());
			logger.debug("jproc master: re-exec as a lean JVM: " + lean);
			return LeanExec.exec(handOff, lean, new Spawner());
		}
		catch (RuntimeException ex) {
			return ex.toString();
		}
	}

	/**
	 * What the lean master's log lines need from the application's logging setup.
	 * @param environment the application's environment
	 * @param binder binds it
	 * @return the settings as the hand-off carries them
	 */
	static Map<String, String> loggingSettings(ConfigurableEnvironment environment, Binder binder) {
		Map<String, String> logging = new LinkedHashMap<>();
		binder.bind("logging.level", Bindable.mapOf(String.class, String.class))
			.orElse(Map.of())
			.forEach((name, level) -> logging.put("level." + name, level));
		if (environment.getProperty("logging.include-application-name", Boolean.class, true)) {
			putIfText(logging, "name", environment.getProperty("spring.application.name"));
		}
		if (environment.getProperty("logging.include-application-group", Boolean.class, true)) {
			putIfText(logging, "group", environment.getProperty("spring.application.group"));
		}
		putIfText(logging, "level-pattern", environment.getProperty("logging.pattern.level"));
		logging.put("ansi", Boolean.toString(!AnsiOutput.toString(AnsiColor.RED, "x").equals("x")));
		logging.put("exec-at", Long.toString(System.currentTimeMillis()));
		return logging;
	}

	private static void putIfText(Map<String, String> map, String key, @Nullable String value) {
		if (value != null && !value.isBlank()) {
			map.put(key, value);
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
