package io.jproc.worker;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's entries in {@code META-INF/spring.factories} can be made as Boot makes
 * them, although their classes are not public.
 */
class WorkerSpringFactoriesTests {

	/**
	 * Boot's own factories need arguments this test does not give: only jproc's count.
	 */
	private static final FailureHandler ONLY_JPROC = (type, name, failure) -> {
		if (name.startsWith("io.jproc.")) {
			throw new AssertionError("Boot cannot make " + name, failure);
		}
	};

	private final SpringFactoriesLoader loader = SpringFactoriesLoader.forDefaultResourceLocation();

	@Test
	void bootCanMakeEveryWorkerFactory() {
		List<ApplicationListener> listeners = this.loader.load(ApplicationListener.class, ONLY_JPROC);
		assertThat(listeners).hasAtLeastOneElementOfType(WorkerFailureListener.class)
			.hasAtLeastOneElementOfType(TrainingRun.class);
		assertThat(this.loader.load(ApplicationContextInitializer.class, ONLY_JPROC))
			.hasAtLeastOneElementOfType(MasterLinkInitializer.class);
		assertThat(this.loader.load(EnvironmentPostProcessor.class, ONLY_JPROC))
			.hasAtLeastOneElementOfType(WorkerEnvironmentPostProcessor.class);
		ArgumentResolver arguments = ArgumentResolver.of(SpringApplication.class, new SpringApplication())
			.and(String[].class, new String[0]);
		assertThat(this.loader.load(SpringApplicationRunListener.class, arguments, ONLY_JPROC))
			.hasAtLeastOneElementOfType(WorkerReadinessRunListener.class);
	}

}
