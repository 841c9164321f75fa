package io.jproc.actuate.metrics;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import io.jproc.worker.PoolStatusClient;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;

/**
 * Makes {@code /actuator/prometheus} show the whole pool, whichever worker the scrape
 * lands on: the worker asks the master, which asks every other ready worker for its
 * metrics (each within {@code jproc.ipc.scrape-timeout}); the answers are merged with a
 * {@code worker} label on every series. A worker that is late or answers garbage is left
 * out of that scrape, which says so; if the master itself does not answer, the scrape
 * holds this worker's metrics alone.
 * <p>
 * Concurrent scrapes for the same format and names share one gathering
 * ({@link SharedScrapes}); past {@link SharedScrapes#MAX_GATHERINGS} different ones at
 * once, a scrape is answered 503 with {@code Retry-After: 1} at once.
 */
@EndpointWebExtension(endpoint = PrometheusScrapeEndpoint.class)
public class PoolPrometheusScrapeEndpointExtension {

	private static final Log logger = LogFactory.getLog(PoolPrometheusScrapeEndpointExtension.class);

	/** What a refused scrape is told to wait, in seconds. */
	static final int RETRY_AFTER_SECONDS = 1;

	private final PrometheusScrapeEndpoint delegate;

	private final PoolStatusClient client;

	private final long pid = ProcessHandle.current().pid();

	private final SharedScrapes scrapes = new SharedScrapes(this::gather);

	/**
	 * Create the extension.
	 * @param delegate the Spring Boot endpoint, which renders this worker's own metrics
	 * @param client asks the master
	 */
	public PoolPrometheusScrapeEndpointExtension(PrometheusScrapeEndpoint delegate, PoolStatusClient client) {
		this.delegate = delegate;
		this.client = client;
	}

	/**
	 * Scrape the pool.
	 * @param format the format the scraper accepts; protobuf is answered in text
	 * @param includedNames only these series, {@code null} for all
	 * @return the merged exposition text; a 503 with {@code Retry-After: 1} when this
	 * worker already gathers {@link SharedScrapes#MAX_GATHERINGS} different scrapes
	 */
	@ReadOperation(producesFrom = PrometheusOutputFormat.class)
	public Mono<WebEndpointResponse<byte[]>> scrape(PrometheusOutputFormat format,
			@Nullable Set<String> includedNames) {
		PrometheusOutputFormat text = LocalScrape.textFormat(format);
		return this.scrapes.scrape(SharedScrapes.Key.of(LocalScrape.wireName(text), includedNames))
			.map((merged) -> new WebEndpointResponse<>(merged, text))
			.onErrorResume(SharedScrapes.Busy.class, (busy) -> Mono.deferContextual((context) -> {
				RetryAfterHeader.set(context, RETRY_AFTER_SECONDS);
				return Mono.just(new WebEndpointResponse<>((busy.getMessage() + "\n").getBytes(StandardCharsets.UTF_8),
						WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE));
			}));
	}

	/**
	 * One gathering: the other workers' metrics through the master, then, on a worker
	 * thread (scraping is CPU work), this worker's own and the merge. Cancelled when
	 * every caller has left, before the merge if it has not begun.
	 * @param key the format and names
	 * @return the merged text
	 */
	private CompletableFuture<byte[]> gather(SharedScrapes.Key key) {
		PrometheusOutputFormat text = LocalScrape.outputFormat(key.format());
		Set<String> included = (key.names() != null) ? Set.copyOf(key.names()) : null;
		return this.client.scrape(key.format(), key.names())
			.handle((pool, failure) -> (failure != null) ? new Gathered(null, message(failure))
					: new Gathered(pool, null))
			// the answer arrives on the channel's reader thread
			.thenApplyAsync((gathered) -> merge(text, included, gathered),
					(task) -> Schedulers.boundedElastic().schedule(task));
	}

	private byte[] merge(PrometheusOutputFormat format, @Nullable Set<String> includedNames, Gathered gathered) {
		List<PrometheusScrapeMerger.Part> parts = new ArrayList<>();
		parts.add(new PrometheusScrapeMerger.Part(this.client.workerId(), this.pid,
				LocalScrape.text(this.delegate, LocalScrape.wireName(format), includedNames), null));
		if (gathered.pool() != null) {
			gathered.pool()
				.workers()
				.stream()
				.sorted(Comparator.comparingInt(Message.PoolScrape.WorkerScrape::id))
				.forEach((worker) -> parts
					.add(new PrometheusScrapeMerger.Part(worker.id(), worker.pid(), worker.text(), worker.error())));
		}
		PrometheusScrapeMerger.Merged result = PrometheusScrapeMerger.merge(parts,
				format == PrometheusOutputFormat.CONTENT_TYPE_OPENMETRICS_100);
		result.errors().forEach((error) -> logger.warn("Prometheus scrape: " + error));
		String merged = result.text();
		if (gathered.error() != null) {
			logger.warn("Prometheus scrape holds worker " + this.client.workerId() + " only: " + gathered.error());
			if (format != PrometheusOutputFormat.CONTENT_TYPE_OPENMETRICS_100) {
				merged = "# jproc: only worker " + this.client.workerId() + " in this scrape: " + gathered.error()
						+ "\n" + merged;
			}
		}
		return merged.getBytes(StandardCharsets.UTF_8);
	}

	private static String message(Throwable failure) {
		return String.valueOf(IpcChannel.causeOf(failure).getMessage());
	}

	private record Gathered(Message.@Nullable PoolScrape pool, @Nullable String error) {
	}

}
