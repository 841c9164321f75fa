package io.jproc.sample;

import java.time.Duration;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;

/**
 * Long-lived connections: a WebSocket at {@code /ws} that greets with the worker that
 * holds it and echoes every text message, and an event stream at {@code /events} that
 * sends that worker every 500 ms.
 */
@Configuration(proxyBeanMethods = false)
@RestController
class LongLivedRoutes {

	private final Environment environment;

	private final long pid = ProcessHandle.current().pid();

	LongLivedRoutes(Environment environment) {
		this.environment = environment;
	}

	/**
	 * An event stream of this worker's id and pid, every 500 ms until the client leaves.
	 * @return the events
	 */
	@GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Flux<ServerSentEvent<String>> events() {
		return Flux.interval(Duration.ZERO, Duration.ofMillis(500))
			.map((tick) -> ServerSentEvent.builder(holder()).id(Long.toString(tick)).build());
	}

	@Bean
	HandlerMapping webSocketMapping() {
		WebSocketHandler echo = (session) -> session
			.send(Flux.concat(Mono.fromSupplier(() -> session.textMessage(holder())),
					session.receive().map((message) -> session.textMessage("echo " + message.getPayloadAsText()))));
		return new SimpleUrlHandlerMapping(Map.of("/ws", echo), -1);
	}

	private String holder() {
		return "worker=" + this.environment.getProperty("jproc.worker.id", "0") + " pid=" + this.pid;
	}

}
