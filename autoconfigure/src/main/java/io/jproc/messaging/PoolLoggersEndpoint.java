package io.jproc.messaging;

import io.jproc.ipc.Message;
import io.jproc.worker.MasterLink;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.logging.LoggersEndpoint;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggerGroups;
import org.springframework.boot.logging.LoggingSystem;

/**
 * Boot's {@code loggers} endpoint whose writes apply to the whole pool: a level set in
 * the worker that served {@code POST /actuator/loggers/{name}} goes to the master as a
 * {@link Message.LogLevelChange}, which passes it to every other worker and keeps it for
 * workers that start later. Reads still describe the answering worker only (which, after
 * a pool-wide write, agrees with the others).
 */
public class PoolLoggersEndpoint extends LoggersEndpoint {

	/**
	 * The application topic on which a master of an earlier build relays and keeps log
	 * levels; this worker still applies what comes on it.
	 */
	static final String EARLIER_MASTERS_TOPIC = Outgoing.RESERVED_PREFIX + "loggers";

	private final MasterLink link;

	PoolLoggersEndpoint(LoggingSystem loggingSystem, LoggerGroups loggerGroups, MasterLink link) {
		super(loggingSystem, loggerGroups);
		this.link = link;
	}

	@Override
	@WriteOperation
	public void configureLogLevel(@Selector String name, @Nullable LogLevel configuredLevel) {
		super.configureLogLevel(name, configuredLevel);
		this.link.send(new Message.LogLevelChange(name, configuredLevel));
	}

	/**
	 * A change made in another worker (or kept by the master), applied here only.
	 * @param change the change
	 */
	void applyFromPool(Message.LogLevelChange change) {
		super.configureLogLevel(change.name(), change.level());
	}

	/**
	 * A change relayed by a master of an earlier build, applied here only.
	 * @param change the change, as the payload of {@link #EARLIER_MASTERS_TOPIC}
	 */
	void applyFromEarlierMaster(LevelChange change) {
		super.configureLogLevel(change.name(), change.level());
	}

	/**
	 * A log level change as a master of an earlier build relays it.
	 *
	 * @param name the logger or group
	 * @param level the level, {@code null} to reset it
	 */
	record LevelChange(String name, @Nullable LogLevel level) {
	}

}
