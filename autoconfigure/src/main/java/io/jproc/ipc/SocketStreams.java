package io.jproc.ipc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

import jnr.unixsocket.UnixSocketChannel;

/**
 * Streams over a jnr Unix socket. Not {@code Channels.newInputStream/newOutputStream}:
 * for a selectable channel both hold its blocking lock, so a reader blocked in
 * {@code read} would stall every writer.
 */
final class SocketStreams {

	private SocketStreams() {
	}

	/** Reads a blocking jnr socket without its channel lock. */
	static final class Input extends InputStream {

		private final UnixSocketChannel socket;

		private final ByteBuffer direct = ByteBuffer.allocateDirect(64 * 1024);

		Input(UnixSocketChannel socket) {
			this.socket = socket;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (length == 0) {
				return 0;
			}
			// Through a direct buffer: jnr does not honour the position of a heap
			// buffer that wraps part of an array (IpcChannelTests, order across batches).
			this.direct.clear().limit(Math.min(length, this.direct.capacity()));
			int count;
			do {
				count = this.socket.read(this.direct);
			}
			while (count == 0);
			if (count > 0) {
				this.direct.flip();
				this.direct.get(buffer, offset, count);
			}
			return count;
		}

	}

	/**
	 * Writes a blocking jnr socket without its channel lock; reports each write that took
	 * bytes.
	 */
	static final class Output extends OutputStream {

		private final UnixSocketChannel socket;

		private final ByteBuffer direct = ByteBuffer.allocateDirect(64 * 1024);

		private final Runnable progressed;

		Output(UnixSocketChannel socket, Runnable progressed) {
			this.socket = socket;
			this.progressed = progressed;
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			// Through a direct buffer, a chunk at a time: see Input.read.
			int done = 0;
			while (done < length) {
				int chunk = Math.min(length - done, this.direct.capacity());
				this.direct.clear();
				this.direct.put(bytes, offset + done, chunk).flip();
				while (this.direct.hasRemaining()) {
					int written = this.socket.write(this.direct);
					if (written < 0) {
						throw new IOException("channel closed");
					}
					if (written > 0) {
						this.progressed.run();
					}
				}
				done += chunk;
			}
		}

	}

}
