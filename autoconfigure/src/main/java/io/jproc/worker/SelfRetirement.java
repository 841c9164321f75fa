package io.jproc.worker;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.jproc.ExitCodes;
import io.jproc.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationListener;

/**
 * Suicide-first respawn, the worker's half: the worker asks its master for a replacement
 * before it leaves. Urgent reasons (a fatal error, {@link LivenessState#BROKEN}) stop
 * accepting at once, because the worker may be corrupt, and drain; planned reasons
 * (recycling, the application's request) keep serving until the master reports the
 * replacement ready, so the pool never has fewer ready workers than configured.
 */
final class SelfRetirement implements ApplicationListener<AvailabilityChangeEvent<?>> {

	private static final Log logger = LogFactory.getLog(SelfRetirement.class);

	private final WorkerIdentity identity;

	private final MasterLink link;

	private final WorkerDeparture departure;

	private final AtomicReference<String> planned = new AtomicReference<>();

	private final AtomicBoolean urgent = new AtomicBoolean();

	SelfRetirement(WorkerIdentity identity, MasterLink link, WorkerDeparture departure) {
		this.identity = identity;
		this.link = link;
		this.departure = departure;
		link.handle(Message.ReplacementReady.class, (envelope, ready) -> onReplacementReady(ready));
	}

	/**
	 * Ask for a replacement and keep serving until it is ready. Only the first call has
	 * an effect.
	 * @param reason why, for the logs
	 * @return whether this call asked (false if this worker already retires or leaves)
	 */
	boolean retire(String reason) {
		if (this.departure.isLeaving() || this.urgent.get() || !this.planned.compareAndSet(null, reason)) {
			return false;
		}
		logger.info(this.identity.label() + " asks to be replaced (" + reason
				+ "); it keeps serving until its replacement is ready");
		// A failed send means the master is gone: the channel's end of stream makes us
		// leave.
		this.link.send(new Message.Retire(reason, false));
		return true;
	}

	/**
	 * Ask for a replacement and leave at once: stop accepting, drain, exit 0. Only the
	 * first call has an effect; it overrides a planned retirement still waiting.
	 * @param reason why, for the logs
	 */
	void retireNow(String reason) {
		if (!this.urgent.compareAndSet(false, true)) {
			return;
		}
		// Tell the master first, so that the replacement boots while this worker drains.
		this.link.send(new Message.Retire(reason, true));
		this.departure.leave("retiring at once: " + reason, ExitCodes.OK);
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		if (event.getState() == LivenessState.BROKEN) {
			logger.warn(this.identity.label() + ": liveness state BROKEN published by "
					+ event.getSource().getClass().getSimpleName() + "; asking the master for a replacement");
			retireNow("liveness state BROKEN");
		}
	}

	private void onReplacementReady(Message.ReplacementReady ready) {
		String why = (ready.replacementPid() > 0) ? "its replacement (pid " + ready.replacementPid() + ") is ready"
				: "its replacement was not ready within jproc.replace-timeout";
		this.departure.leave("retiring (" + this.planned.get() + "), " + why, ExitCodes.OK);
	}

}
