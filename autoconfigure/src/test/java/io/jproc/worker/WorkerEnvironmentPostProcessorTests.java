package io.jproc.worker;

import java.util.HashMap;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerEnvironmentPostProcessor}: the worker's identity in a property
 * source a spare's promotion changes, and a log label read on every line (Logback is on
 * the test class path).
 */
class WorkerEnvironmentPostProcessorTests {

	private String savedLabel;

	@BeforeEach
	void saveLabel() {
		this.savedLabel = LabelProperty.save();
	}

	@AfterEach
	void restoreLabel() {
		LabelProperty.restore(this.savedLabel);
	}

	private StandardEnvironment process(Map<String, Object> variables) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", variables));
		new WorkerEnvironmentPostProcessor(false).postProcessEnvironment(environment, new SpringApplication());
		return environment;
	}

	private static Map<String, Object> spare() {
		Map<String, Object> variables = new HashMap<>();
		variables.put("JPROC_ROLE", "worker");
		variables.put("JPROC_WORKER_ID", "0");
		variables.put("JPROC_WORKER_NUMBER", "7");
		return variables;
	}

	@Test
	void spareHasIdZeroItsNumberAndALabelByNumber() {
		StandardEnvironment environment = process(spare());
		assertThat(environment.getProperty(WorkerIdentity.ID_PROPERTY, Integer.class)).isZero();
		assertThat(environment.getProperty(WorkerIdentity.NUMBER_PROPERTY, Long.class)).isEqualTo(7);
		assertThat(environment.getProperty(WorkerIdentity.SPARE_PROPERTY, Boolean.class)).isTrue();
		assertThat(System.getProperty(WorkerIdentity.LABEL_PROPERTY)).isEqualTo("spare #7");
		assertThat(environment.getProperty("spring.main.banner-mode")).isEqualTo("off");
	}

	@Test
	void servletRequestThreadsFollowTheWorkersProcessorsUnlessTheUserSetThem() {
		String share = String
			.valueOf(WorkerEnvironmentPostProcessor.servletThreads(Runtime.getRuntime().availableProcessors()));
		StandardEnvironment environment = process(spare());
		assertThat(environment.getProperty("server.tomcat.threads.max")).isEqualTo(share);
		assertThat(environment.getProperty("server.jetty.threads.max")).isEqualTo(share);
		Map<String, Object> userSet = spare();
		userSet.put("server.jetty.threads.max", "321");
		assertThat(process(userSet).getProperty("server.jetty.threads.max")).isEqualTo("321");
		assertThat(WorkerEnvironmentPostProcessor.servletThreads(1)).isEqualTo(100);
		assertThat(WorkerEnvironmentPostProcessor.servletThreads(8)).isEqualTo(200);
	}

	@Test
	void workerSourceIsMutableSoThatTakingASlotShows() {
		StandardEnvironment environment = process(spare());
		PropertySource<?> source = environment.getPropertySources().get(WorkerEnvironmentPostProcessor.WORKER_SOURCE);
		assertThat(source).isInstanceOf(MapPropertySource.class);
		WorkerIdentity identity = new WorkerIdentity(0, 7, environment, (event) -> {
		});
		assertThat(identity.takeSlot(1)).isTrue();
		assertThat(environment.getProperty(WorkerIdentity.ID_PROPERTY, Integer.class)).isEqualTo(1);
		assertThat(environment.getProperty(WorkerIdentity.SPARE_PROPERTY, Boolean.class)).isFalse();
		assertThat(System.getProperty(WorkerIdentity.LABEL_PROPERTY)).isEqualTo("worker 1");
	}

	@Test
	void workerOneKeepsTheBanner() {
		Map<String, Object> variables = new HashMap<>();
		variables.put("JPROC_ROLE", "worker");
		variables.put("JPROC_WORKER_ID", "1");
		variables.put("JPROC_WORKER_NUMBER", "1");
		StandardEnvironment environment = process(variables);
		assertThat(environment.getProperty(WorkerIdentity.ID_PROPERTY, Integer.class)).isEqualTo(1);
		assertThat(environment.getProperty(WorkerIdentity.SPARE_PROPERTY, Boolean.class)).isFalse();
		assertThat(environment.getProperty("spring.main.banner-mode")).isNull();
		assertThat(System.getProperty(WorkerIdentity.LABEL_PROPERTY)).isEqualTo("worker 1");
	}

	@Test
	void levelPatternReadsTheLabelOnEveryLineWithLogback() {
		StandardEnvironment environment = process(spare());
		String pattern = environment.getProperty("logging.pattern.level");
		assertThat(pattern).isEqualTo("[%property{jproc.worker.label}] %5p");
		LoggerContext context = new LoggerContext();
		PatternLayout layout = new PatternLayout();
		layout.setContext(context);
		layout.setPattern(pattern + " %m");
		layout.start();
		try {
			assertThat(layout.doLayout(event(context))).isEqualTo("[spare #7]  INFO hello");
			System.setProperty(WorkerIdentity.LABEL_PROPERTY, "worker 2");
			assertThat(layout.doLayout(event(context))).isEqualTo("[worker 2]  INFO hello");
		}
		finally {
			layout.stop();
			context.stop();
		}
	}

	private static LoggingEvent event(LoggerContext context) {
		return new LoggingEvent("test", context.getLogger("test"), Level.INFO, "hello", null, null);
	}

	@Test
	void usersLevelPatternWins() {
		Map<String, Object> variables = spare();
		variables.put("logging.pattern.level", "%5p");
		StandardEnvironment environment = process(variables);
		assertThat(environment.getProperty("logging.pattern.level")).isEqualTo("%5p");
	}

	@Test
	void masterKeepsItsStaticLabel() {
		Map<String, Object> variables = new HashMap<>();
		variables.put("jproc.workers", "2");
		StandardEnvironment environment = process(variables);
		assertThat(environment.getProperty("logging.pattern.level")).isEqualTo("[master] %5p");
		assertThat(environment.getPropertySources().get(WorkerEnvironmentPostProcessor.WORKER_SOURCE)).isNull();
	}

}
