package io.jproc.messaging;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.logging.LoggersEndpoint;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggerGroups;
import org.springframework.boot.logging.LoggingSystem;

/**
 * Boot's {@code loggers} endpoint whose writes apply to the whole pool: a level set in
 * the worker that served {@code POST /actuator/loggers/{name}} is sent to every other
 * worker, and the master keeps it for workers that start later. Reads still describe the
 * answering worker only (which, after a pool-wide write, agrees with the others).
 */
public class PoolLoggersEndpoint extends LoggersEndpoint {

	/** jproc's own topic for log level changes. */
	static final String TOPIC = Outgoing.RESERVED_PREFIX + "loggers";

	private final WorkerMessenger messenger;

	private final Outgoing outgoing;

	PoolLoggersEndpoint(LoggingSystem loggingSystem, LoggerGroups loggerGroups, WorkerMessenger messenger,
			Outgoing outgoing) {
		super(loggingSystem, loggerGroups);
		this.messenger = messenger;
		this.outgoing = outgoing;
	}

	@Override
	@WriteOperation
	public void configureLogLevel(@Selector String name, @Nullable LogLevel configuredLevel) {
		super.configureLogLevel(name, configuredLevel);
		this.messenger.sendInternal(TOPIC, this.outgoing.payload(new LevelChange(name, configuredLevel)),
				io.jproc.ipc.Message.AppMessage.EVERY_OTHER_WORKER);
	}

	/**
	 * A change made in another worker (or kept by the master), applied here only.
	 * @param change the change
	 */
	void applyFromPool(LevelChange change) {
		super.configureLogLevel(change.name(), change.level());
	}

	/**
	 * A log level change.
	 *
	 * @param name the logger or group
	 * @param level the level, {@code null} to reset it
	 */
	record LevelChange(String name, @Nullable LogLevel level) {
	}

}
