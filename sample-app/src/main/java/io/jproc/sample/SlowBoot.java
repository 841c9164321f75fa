package io.jproc.sample;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * With {@code sample.slow-boot=120s} one bean of the application takes that long to make,
 * like a pool that waits for its database: what a worker asked to leave in the middle of
 * its boot looks like to jproc.
 */
@Component
@ConditionalOnProperty("sample.slow-boot")
class SlowBoot {

	private static final Log logger = LogFactory.getLog(SlowBoot.class);

	SlowBoot(@Value("${sample.slow-boot}") Duration bootFor) throws InterruptedException {
		logger.info("sample: this bean takes " + bootFor.toMillis() + " ms to make");
		Thread.sleep(bootFor.toMillis());
	}

}
