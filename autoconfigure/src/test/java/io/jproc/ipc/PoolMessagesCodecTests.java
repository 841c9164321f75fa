package io.jproc.ipc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.jproc.PoolState;
import io.jproc.SlotState;
import io.jproc.testsupport.QuietListener;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.logging.LogLevel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for the pool status and pool scrape messages on the wire.
 */
class PoolMessagesCodecTests {

	private static final Instant NOW = Instant.parse("2025-01-02T03:04:05.678Z");

	@Test
	void poolStatusRequestWithoutFieldsRoundTrips() throws Exception {
		assertThat(roundTrip(new Message.PoolStatusRequest())).isEqualTo(new Message.PoolStatusRequest());
	}

	@Test
	void poolStatusWithEmptySlotAndFiguresRoundTrips() throws Exception {
		PoolStatus status = status();
		assertThat(roundTrip(status)).isEqualTo(status);
	}

	@Test
	void poolScrapeRoundTripsWithTextsAndErrors() throws Exception {
		Message.PoolScrape scrape = new Message.PoolScrape(status(),
				List.of(new Message.PoolScrape.WorkerScrape(2, 202, "up{a=\"b\"} 1\n", null),
						new Message.PoolScrape.WorkerScrape(3, 203, null, "did not answer within 2000 ms")));
		assertThat(roundTrip(scrape)).isEqualTo(scrape);
		assertThat(roundTrip(new Message.ScrapeRequest("openmetrics", null)))
			.isEqualTo(new Message.ScrapeRequest("openmetrics", null));
		assertThat(roundTrip(new Message.PoolScrapeRequest("prometheus", List.of("up"))))
			.isEqualTo(new Message.PoolScrapeRequest("prometheus", List.of("up")));
	}

	@ParameterizedTest
	@EnumSource(Message.Command.Action.class)
	void commandActionTravelsByItsWireName(Message.Command.Action action) throws Exception {
		Message.Command command = new Message.Command(action, 2, 1);
		assertThat(roundTrip(command)).isEqualTo(command);
		assertThat(json(command)).contains("\"action\":\"" + action.name().toLowerCase(Locale.ROOT) + "\"");
	}

	@ParameterizedTest
	@EnumSource(Message.CommandResult.Refusal.class)
	void refusalTravelsByItsWireName(Message.CommandResult.Refusal refusal) throws Exception {
		Message.CommandResult result = new Message.CommandResult(false, refusal, "no");
		assertThat(roundTrip(result)).isEqualTo(result);
		assertThat(json(result)).contains("\"refusal\":\"" + refusal.wireName() + "\"");
		assertThat(Message.CommandResult.Refusal.NOT_FOUND.wireName()).isEqualTo("not-found");
	}

	@Test
	void acceptedCommandHasNoRefusal() throws Exception {
		Message.CommandResult result = new Message.CommandResult(true, null, "reloading");
		assertThat(roundTrip(result)).isEqualTo(result);
		assertThat(json(result)).contains("\"refusal\":null");
	}

	@ParameterizedTest
	@EnumSource(PoolStatus.Operation.State.class)
	void operationStateTravelsByItsWireName(PoolStatus.Operation.State state) throws Exception {
		PoolStatus.Operation operation = new PoolStatus.Operation(Message.Command.Action.SCALE, "actuator", state, 0, 0,
				NOW, NOW, "scaled");
		PoolStatus status = new PoolStatus(NOW,
				new PoolStatus.Master(100, PoolState.RUNNING, NOW, List.of(), 1, operation), List.of());
		assertThat(roundTrip(status)).isEqualTo(status);
		assertThat(json(status)).contains("\"action\":\"scale\"")
			.contains("\"state\":\"" + state.name().toLowerCase(Locale.ROOT) + "\"");
	}

	@ParameterizedTest
	@EnumSource(Message.Gathered.Status.class)
	void gatherOutcomeTravelsByItsWireName(Message.Gathered.Status status) throws Exception {
		Message.Gathered gathered = new Message.Gathered(
				List.of(new Message.Gathered.Outcome(1, 101, status, null, null)));
		assertThat(roundTrip(gathered)).isEqualTo(gathered);
		assertThat(json(gathered)).contains("\"status\":\"" + status.wireName() + "\"");
		assertThat(Message.Gathered.Status.LEFT_OUT.wireName()).isEqualTo("left-out");
	}

	@ParameterizedTest
	@EnumSource(PoolState.class)
	void poolStateTravelsByItsWireName(PoolState state) throws Exception {
		PoolStatus status = new PoolStatus(NOW, new PoolStatus.Master(100, state, NOW, List.of(), 1, null), List.of());
		assertThat(roundTrip(status)).isEqualTo(status);
		assertThat(json(status))
			.contains("\"state\":\"" + state.name().toLowerCase(Locale.ROOT).replace('_', '-') + "\"");
	}

	@ParameterizedTest
	@EnumSource(SlotState.class)
	void slotStateTravelsByItsWireName(SlotState state) throws Exception {
		PoolStatus status = new PoolStatus(NOW, new PoolStatus.Master(100, PoolState.RUNNING, NOW, List.of(), 1, null),
				List.of(new PoolStatus.Slot(1, null, state, null, null, 0, Map.of(), null, null, null, null, null)));
		assertThat(roundTrip(status)).isEqualTo(status);
		assertThat(json(status))
			.contains("\"state\":\"" + state.name().toLowerCase(Locale.ROOT).replace('_', '-') + "\"");
	}

	@ParameterizedTest
	@EnumSource(LogLevel.class)
	void logLevelChangeTravelsByTheLevelsName(LogLevel level) throws Exception {
		Message.LogLevelChange change = new Message.LogLevelChange("com.example", level);
		assertThat(roundTrip(change)).isEqualTo(change);
		assertThat(json(change)).contains("\"type\":\"log-level-change\"")
			.contains("\"name\":\"com.example\",\"level\":\"" + level.name() + "\"");
	}

	@Test
	void logLevelChangeWithoutLevelResetsIt() throws Exception {
		Message.LogLevelChange reset = new Message.LogLevelChange("com.example", null);
		assertThat(roundTrip(reset)).isEqualTo(reset);
	}

	@Test
	void wireEnumParsesOnlyItsWireNames() {
		assertThat(WireEnum.parse(SlotState.class, "given-up")).isEqualTo(SlotState.GIVEN_UP);
		assertThat(WireEnum.find(SlotState.class, "GIVEN_UP")).isNull();
		assertThatThrownBy(() -> WireEnum.parse(Message.Command.Action.class, "launch"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("unknown Action 'launch'; expected reload, scale, restart");
	}

	@Test
	void takeSlotRoundTrips() throws Exception {
		assertThat(roundTrip(new Message.TakeSlot(2))).isEqualTo(new Message.TakeSlot(2));
		assertThat(MessageTypes.wireName("TakeSlot")).isEqualTo("take-slot");
	}

	@Test
	void wireNamesAreKebabCase() {
		assertThat(MessageTypes.nameOf(new Message.PoolStatusRequest())).isEqualTo("pool-status-request");
		assertThat(MessageTypes.nameOf(new Message.Scrape(""))).isEqualTo("scrape");
	}

	@Test
	void replyWithBadBodyNamesTheRequestItAnswers() {
		byte[] json = "{\"v\":1,\"seq\":9,\"re\":4,\"type\":\"pool-status\",\"body\":{\"slots\":\"nope\"}}"
			.getBytes(StandardCharsets.UTF_8);
		assertThatThrownBy(() -> FrameCodec.decode(json)).isInstanceOfSatisfying(MalformedFrameException.class,
				(ex) -> {
					assertThat(ex.isFatal()).isFalse();
					assertThat(ex.replyTo()).isEqualTo(4);
					assertThat(ex.getMessage()).contains("bad body for 'pool-status'");
				});
	}

	@Test
	void malformedReplyFailsTheWaitingRequestAtOnce() throws Exception {
		UnixSocketChannel[] pair = UnixSocketChannel.pair();
		try (IpcChannel asker = IpcChannel.of(pair[0], "asker")) {
			asker.start(new QuietListener());
			long start = System.nanoTime();
			CompletableFuture<Message> reply = asker.request(new Message.PoolStatusRequest(), Duration.ofSeconds(30));
			Envelope request = FrameCodec.read(java.nio.channels.Channels.newInputStream(pair[1]));
			byte[] bad = ("{\"v\":1,\"seq\":1,\"re\":" + request.seq()
					+ ",\"type\":\"pool-status\",\"body\":{\"slots\":7}}")
				.getBytes(StandardCharsets.UTF_8);
			pair[1].write(ByteBuffer.allocate(4 + bad.length).putInt(bad.length).put(bad).flip());
			assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
				.hasCauseInstanceOf(MalformedFrameException.class);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		}
		finally {
			pair[1].close();
		}
	}

	static PoolStatus status() {
		PoolStatus.Master master = new PoolStatus.Master(100, PoolState.RUNNING, NOW.minusSeconds(60),
				List.of("127.0.0.1:8080 (server)"), 2,
				new PoolStatus.Operation(Message.Command.Action.RELOAD, "SIGHUP", PoolStatus.Operation.State.RUNNING, 1,
						2, NOW.minusSeconds(5), null, "replacing"),
				List.of(new PoolStatus.Listener("server", "127.0.0.1:8080", "bound")), List.of(),
				new PoolStatus.BootCache("training", "aot", "/tmp/jproc/app-0123", "training the aot archive"), 1,
				null);
		PoolStatus.Slot ready = new PoolStatus.Slot(1, 101L, SlotState.READY, NOW.minusSeconds(50),
				NOW.minusSeconds(46), 0, Map.of(), null, NOW.minusSeconds(2),
				new Message.Heartbeat(10, 20, 30, 40, 1, 0, -1), null, null, null, List.of(), true);
		PoolStatus.Slot empty = new PoolStatus.Slot(2, null, SlotState.BACKOFF, null, null, 3, Map.of("crash", 3),
				new PoolStatus.LastExit(-1, "KILL", "exited unexpectedly", NOW.minusSeconds(1)), null, null,
				NOW.plusSeconds(1), null);
		return new PoolStatus(NOW, master, List.of(ready, empty), null, List.of(new PoolStatus.Spare(103, 7, "ready",
				NOW.minusSeconds(20), NOW.minusSeconds(15), true, NOW.minusSeconds(1))));
	}

	private static String json(Message message) {
		byte[] frame = FrameCodec.encode(new Envelope(1, 0, message));
		return new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8);
	}

	private static Message roundTrip(Message message) throws IOException, MalformedFrameException {
		byte[] frame = FrameCodec.encode(new Envelope(1, 0, message));
		return FrameCodec.read(new ByteArrayInputStream(frame)).message();
	}

}
