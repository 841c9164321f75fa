package io.jproc.worker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.TaskManagementConfigUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TrainingRun}.
 */
class TrainingRunTests {

	@Test
	void aTrainingRunSchedulesNothing() throws InterruptedException {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			context.register(Scheduling.class);
			context.addBeanFactoryPostProcessor(TrainingRun::removeScheduling);
			context.refresh();
			assertThat(context.containsBean(TaskManagementConfigUtils.SCHEDULED_ANNOTATION_PROCESSOR_BEAN_NAME))
				.isFalse();
			Thread.sleep(300);
			assertThat(context.getBean(Scheduling.class).runs).isEmpty();
		}
	}

	@Test
	void withoutItTheSameContextSchedules() throws InterruptedException {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			context.register(Scheduling.class);
			context.refresh();
			long end = System.nanoTime() + 5_000_000_000L;
			while (context.getBean(Scheduling.class).runs.size() < 2 && System.nanoTime() < end) {
				Thread.sleep(10);
			}
			assertThat(context.getBean(Scheduling.class).runs).contains("scheduled", "configurer");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class Scheduling implements SchedulingConfigurer {

		final List<String> runs = new CopyOnWriteArrayList<>();

		@Scheduled(fixedDelay = 3_600_000)
		void scheduled() {
			this.runs.add("scheduled");
		}

		@Override
		public void configureTasks(org.springframework.scheduling.config.ScheduledTaskRegistrar registrar) {
			registrar.addFixedDelayTask(() -> this.runs.add("configurer"), java.time.Duration.ofHours(1));
		}

		@Bean
		String unrelated() {
			return "unrelated";
		}

	}

}
