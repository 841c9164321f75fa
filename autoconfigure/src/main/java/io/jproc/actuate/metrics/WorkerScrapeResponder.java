package io.jproc.actuate.metrics;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.jproc.ipc.Message;
import io.jproc.worker.MasterLink;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;

/**
 * Answers the master's {@link Message.ScrapeRequest} with this worker's own metrics, so
 * that a scrape landing on another worker can show them. The scrape runs on its own
 * thread, never on the channel's reader.
 */
public class WorkerScrapeResponder implements DisposableBean {

	private final ExecutorService executor = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "jproc-scrape");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Start answering.
	 * @param link the channel to the master
	 * @param endpoint the Spring Boot Prometheus endpoint, which renders this worker's
	 * metrics
	 *
	 */
	public WorkerScrapeResponder(MasterLink link, PrometheusScrapeEndpoint endpoint) {
		link.answer(Message.ScrapeRequest.class,
				(request) -> CompletableFuture.supplyAsync(
						() -> new Message.Scrape(LocalScrape.text(endpoint, request.format(), request.includedNames())),
						this.executor));
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
