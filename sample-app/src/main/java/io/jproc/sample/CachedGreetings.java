package io.jproc.sample;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A cached value per worker, to show that {@code DELETE /actuator/caches/greetings}
 * clears it in every worker.
 */
@RestController
class CachedGreetings {

	private final Greetings greetings;

	private final int workerId;

	private final long pid = ProcessHandle.current().pid();

	CachedGreetings(Greetings greetings, @Value("${jproc.worker.id:1}") int workerId) {
		this.greetings = greetings;
		this.workerId = workerId;
	}

	/**
	 * The cached greeting for {@code name}: {@code name#N}, N counting computations.
	 * @param name the name to greet
	 * @return the worker id, pid and the greeting
	 */
	@GetMapping("/sample/cached/{name}")
	Map<String, Object> cached(@PathVariable String name) {
		return Map.of("worker", this.workerId, "pid", this.pid, "value", this.greetings.greet(name));
	}

	@Service
	public static class Greetings {

		private final AtomicInteger computed = new AtomicInteger();

		@Cacheable("greetings")
		public String greet(String name) {
			return name + "#" + this.computed.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class Caching {

	}

}
