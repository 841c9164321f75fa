package io.jproc.messaging;

import io.jproc.ipc.Message;
import io.jproc.worker.MasterLink;

/**
 * Connects a worker's messaging to its channel: application messages to the listeners,
 * membership to the messenger, grants and revokes to the leadership state.
 */
final class WorkerMessaging {

	private static final long PID = ProcessHandle.current().pid();

	WorkerMessaging(MasterLink link, ListenerRegistry listeners, WorkerMessenger messenger, Outgoing outgoing,
			LeaderState leader, CrossWorkerEvents events) {
		leader.yielder(() -> link.send(new Message.Yield(leader.epoch())));
		link.handle(Message.Members.class, (envelope, members) -> messenger.members(members.ids()));
		link.handle(Message.Grant.class, (envelope, grant) -> leader.granted(grant.epoch()));
		link.handle(Message.Revoke.class, (envelope, revoke) -> leader.revoked(revoke.epoch(),
				(epoch) -> link.send(new Message.RevokeAck(epoch))));
		link.handle(Message.AppMessage.class, (envelope, message) -> {
			Inbound.Replier replier = (message.askTimeoutMillis() <= 0) ? null : new Inbound.Replier() {

				@Override
				public void answer(String json) {
					link.reply(envelope, new Message.AppReply(json, PID));
				}

				@Override
				public void fail(String why) {
					link.reply(envelope, new Message.Failure(why));
				}

			};
			Inbound inbound = new Inbound(message.topic(), message.payload(), message.from(), message.eventType(),
					replier);
			if (Outgoing.EVENT_TOPIC.equals(message.topic())) {
				events.received(inbound);
			}
			else {
				listeners.deliver(inbound, outgoing.json());
			}
		});
	}

}
