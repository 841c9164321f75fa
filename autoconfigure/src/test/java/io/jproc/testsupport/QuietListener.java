package io.jproc.testsupport;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.MalformedFrameException;

/**
 * A channel listener that does nothing, for a real {@link IpcChannel} whose test only
 * looks at requests and their replies.
 */
public final class QuietListener implements IpcChannel.Listener {

	@Override
	public void onMessage(Envelope envelope) {
	}

	@Override
	public void onMalformed(MalformedFrameException error) {
	}

	@Override
	public void onClosed() {
	}

}
