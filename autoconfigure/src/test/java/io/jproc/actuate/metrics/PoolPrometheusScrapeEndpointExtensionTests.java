package io.jproc.actuate.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.jproc.actuate.PoolStatuses;
import io.jproc.ipc.Message;
import io.jproc.worker.MasterLink;
import io.jproc.worker.PoolStatusClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusOutputFormat;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusScrapeEndpoint;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;

/**
 * Tests for {@link PoolPrometheusScrapeEndpointExtension}: a master the test answers by
 * hand.
 */
class PoolPrometheusScrapeEndpointExtensionTests {

	private final MasterLink link = mock(MasterLink.class);

	private final List<CompletableFuture<Message>> asks = new ArrayList<>();

	private final PoolPrometheusScrapeEndpointExtension extension;

	PoolPrometheusScrapeEndpointExtensionTests() {
		given(this.link.request(any())).willAnswer((invocation) -> {
			CompletableFuture<Message> answer = new CompletableFuture<>();
			this.asks.add(answer);
			return answer;
		});
		this.extension = new PoolPrometheusScrapeEndpointExtension(
				new PrometheusScrapeEndpoint(new PrometheusRegistry(), null),
				new PoolStatusClient(this.link, 1, Duration.ofSeconds(5)));
	}

	@Test
	void concurrentScrapesAskTheMasterOnce() {
		List<CompletableFuture<WebEndpointResponse<byte[]>>> scrapes = new ArrayList<>();
		for (int i = 0; i < 64; i++) {
			scrapes.add(this.extension.scrape(PrometheusOutputFormat.CONTENT_TYPE_004, null).toFuture());
		}
		then(this.link).should(times(1)).request(any());
		this.asks.get(0)
			.complete(new Message.PoolScrape(PoolStatuses.pool("running", "ready", "ready"),
					List.of(new Message.PoolScrape.WorkerScrape(2, 102, "# TYPE up gauge\nup 1\n", null))));
		for (CompletableFuture<WebEndpointResponse<byte[]>> scrape : scrapes) {
			WebEndpointResponse<byte[]> response = scrape.join();
			assertThat(response.getStatus()).isEqualTo(200);
			assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).contains("up{worker=\"2\"} 1");
		}
		this.extension.scrape(PrometheusOutputFormat.CONTENT_TYPE_004, null).toFuture();
		then(this.link).should(times(2)).request(any());
	}

	@Test
	void tooManyDifferentScrapesAreAnswered503WithRetryAfter() {
		for (int i = 0; i < SharedScrapes.MAX_GATHERINGS; i++) {
			this.extension.scrape(PrometheusOutputFormat.CONTENT_TYPE_004, Set.of("m" + i)).toFuture();
		}
		MockServerWebExchange exchange = MockServerWebExchange
			.from(MockServerHttpRequest.get("/actuator/prometheus").build());
		List<WebEndpointResponse<byte[]>> answered = new ArrayList<>();
		new RetryAfterHeader()
			.filter(exchange,
					(served) -> this.extension.scrape(PrometheusOutputFormat.CONTENT_TYPE_004, null)
						.doOnNext(answered::add)
						.then())
			.block(Duration.ofSeconds(5));
		assertThat(answered).hasSize(1);
		assertThat(answered.get(0).getStatus()).isEqualTo(503);
		assertThat(new String(answered.get(0).getBody(), StandardCharsets.UTF_8)).contains("retry in a second");
		assertThat(exchange.getResponse().getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
	}

	@Test
	void otherPathsPassTheFilterUntouched() {
		MockServerWebExchange exchange = MockServerWebExchange
			.from(MockServerHttpRequest.get("/actuator/health").build());
		new RetryAfterHeader().filter(exchange, (served) -> Mono.deferContextual((context) -> {
			RetryAfterHeader.set(context, 1);
			return Mono.empty();
		})).block(Duration.ofSeconds(5));
		assertThat(exchange.getResponse().getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
	}

}
