package io.jproc.sample;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code sample.fail-on-start=true} the application cannot start: what a broken
 * deployment looks like to jproc.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("sample.fail-on-start")
class BootFailure {

	@Bean
	Object brokenDependency() {
		throw new IllegalStateException("sample.fail-on-start is true: this application refuses to start");
	}

}
