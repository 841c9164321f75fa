package io.jproc.actuate.metrics;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

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
 */
@EndpointWebExtension(endpoint = PrometheusScrapeEndpoint.class)
public class PoolPrometheusScrapeEndpointExtension {

	private static final Log logger = LogFactory.getLog(PoolPrometheusScrapeEndpointExtension.class);

	private final PrometheusScrapeEndpoint delegate;

	private final PoolStatusClient client;

	private final long pid = ProcessHandle.current().pid();

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
	 * @return the merged exposition text
	 */
	@ReadOperation(producesFrom = PrometheusOutputFormat.class)
	public Mono<WebEndpointResponse<byte[]>> scrape(PrometheusOutputFormat format,
			@Nullable Set<String> includedNames) {
		PrometheusOutputFormat text = LocalScrape.textFormat(format);
		List<String> names = (includedNames != null) ? List.copyOf(includedNames) : null;
		return Mono.fromFuture(() -> this.client.scrape(LocalScrape.wireName(text), names))
			.map((pool) -> new Gathered(pool, null))
			.onErrorResume((failure) -> Mono.just(new Gathered(null, message(failure))))
			// the answer arrives on the channel's reader thread; scraping is CPU work
			.publishOn(Schedulers.boundedElastic())
			.map((gathered) -> new WebEndpointResponse<>(merge(text, includedNames, gathered), text));
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
