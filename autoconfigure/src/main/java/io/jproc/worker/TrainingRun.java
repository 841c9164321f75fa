package io.jproc.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.jproc.JprocProperties;
import io.jproc.WorkerEnvironment;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The boot cache's training run, in the application process the master started for it
 * (never a worker): once the application is ready, request the training paths on its own
 * ephemeral loopback port so that the request path's classes (and on JDK 25 their
 * profiles) go into the archive, then exit, which writes the archive. Leaves at once,
 * without writing anything useful, when the master is gone.
 */
public final class TrainingRun implements ApplicationListener<ApplicationReadyEvent> {

	private static final Log logger = LogFactory.getLog(TrainingRun.class);

	private static final int TIMEOUT_MILLIS = 10_000;

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		WorkerEnvironment environment = WorkerEnvironment.current();
		if (!environment.isTraining()) {
			return;
		}
		ConfigurableApplicationContext context = event.getApplicationContext();
		watchMaster(environment.masterPid());
		JprocProperties.BootCache properties = Binder.get(context.getEnvironment())
			.bindOrCreate(JprocProperties.PREFIX, JprocProperties.class)
			.getBootCache();
		int port = context.getEnvironment().getProperty("local.server.port", Integer.class, -1);
		Thread thread = new Thread(() -> {
			if (port > 0) {
				train(port, properties.getTrainingPaths(), properties.getTrainingRequests());
			}
			System.exit(SpringApplication.exit(context));
		}, "jproc-training");
		thread.start();
	}

	private static void train(int port, List<String> paths, int requests) {
		int failed = 0;
		for (String path : paths) {
			for (int i = 0; i < requests; i++) {
				if (!get(port, path)) {
					failed++;
				}
			}
		}
		logger.info("jproc boot cache training: " + requests + " requests to each of " + paths + " on port " + port
				+ ", " + failed + " failed");
	}

	private static boolean get(int port, String path) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			OutputStream out = socket.getOutputStream();
			out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[8192];
			while (in.read(buffer) >= 0) {
				// Read the whole answer so the server does its whole work.
			}
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static void watchMaster(long masterPid) {
		if (masterPid <= 0) {
			return;
		}
		Thread watcher = new Thread(() -> {
			while (ProcessHandle.of(masterPid).map(ProcessHandle::isAlive).orElse(false)) {
				try {
					Thread.sleep(1000);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
			// An archive of a run whose master is gone is never published: leave now.
			Runtime.getRuntime().halt(1);
		}, "jproc-training-master-watch");
		watcher.setDaemon(true);
		watcher.start();
	}

}
