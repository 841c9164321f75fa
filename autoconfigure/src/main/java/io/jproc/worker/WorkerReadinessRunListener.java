package io.jproc.worker;

import java.time.Duration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;

/**
 * Lets a spare worker correct its readiness once Boot has published its own. Boot's
 * {@code EventPublishingRunListener} (order 0) publishes {@code ApplicationReadyEvent}
 * then {@code ReadinessState.ACCEPTING_TRAFFIC} in its {@code ready}; this run listener
 * comes after it, so a spare's {@code REFUSING_TRAFFIC} is the last word until it takes a
 * slot. A listener of the availability event itself could run before Boot's
 * {@code ApplicationAvailabilityBean} records it, and be overridden.
 */
final class WorkerReadinessRunListener implements SpringApplicationRunListener, Ordered {

	/**
	 * Create the listener, as Boot does for every application.
	 * @param application the application
	 * @param args its arguments
	 */
	WorkerReadinessRunListener(SpringApplication application, String[] args) {
	}

	@Override
	public void ready(ConfigurableApplicationContext context, Duration timeTaken) {
		if (!context.isActive()) {
			return;
		}
		context.getBeanProvider(WorkerReadiness.class)
			.ifAvailable((readiness) -> readiness.bootReadinessPublished(context));
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
