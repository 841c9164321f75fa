package io.jproc.messaging;

import org.jspecify.annotations.Nullable;

/**
 * What one worker made of a {@link JprocMessenger#gather gather}.
 *
 * @param <T> the answer's type
 * @param worker the worker (slot) id
 * @param pid the worker's pid, {@code -1} when the slot had no worker taking traffic
 * @param status what happened
 * @param value the answer when {@link Status#ANSWERED}
 * @param error what went wrong otherwise
 */
public record GatherOutcome<T>(int worker, long pid, Status status, @Nullable T value, @Nullable String error) {

	/**
	 * What happened to one worker's part.
	 */
	public enum Status {

		/** It answered in time. */
		ANSWERED,

		/** It did not answer within the timeout. */
		LATE,

		/** It refused, failed, had no listener, or left before answering. */
		FAILED,

		/** Its slot had no worker taking traffic: nobody was asked. */
		LEFT_OUT

	}

}
