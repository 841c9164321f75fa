package io.jproc.actuate.metrics;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.jproc.ipc.Message;
import io.jproc.worker.MasterLink;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;

/**
 * Answers the master's {@link Message.ScrapeRequest} with this worker's own metrics, so
 * that a scrape landing on another worker can show them. The scrape runs on its own
 * thread, never on the channel's reader, one at a time; identical requests share one
 * scrape, at most {@link ScrapeAnswers#MAX_PENDING} different ones wait (another is
 * refused as busy), and one the master stopped waiting for is dropped unanswered (see
 * {@link ScrapeAnswers}).
 */
public class WorkerScrapeResponder implements DisposableBean {

	private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
			new ArrayBlockingQueue<>(ScrapeAnswers.MAX_PENDING), (task) -> {
				Thread thread = new Thread(task, "jproc-scrape");
				thread.setDaemon(true);
				return thread;
			});

	private final ScrapeAnswers answers;

	/**
	 * Start answering.
	 * @param link the channel to the master
	 * @param endpoint the Spring Boot Prometheus endpoint, which renders this worker's
	 * metrics
	 * @param scrapeTimeout how long the master waits for this worker's answer
	 * ({@code jproc.ipc.scrape-timeout})
	 */
	public WorkerScrapeResponder(MasterLink link, PrometheusScrapeEndpoint endpoint, Duration scrapeTimeout) {
		this.answers = new ScrapeAnswers(
				(request) -> LocalScrape.text(endpoint, request.format(), request.includedNames()), this.executor,
				System::nanoTime, scrapeTimeout);
		link.answer(Message.ScrapeRequest.class, this.answers::answer);
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
