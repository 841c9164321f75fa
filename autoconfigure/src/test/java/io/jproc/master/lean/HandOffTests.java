package io.jproc.master.lean;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.jproc.master.launch.ListenSocket;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link HandOff}.
 */
class HandOffTests {

	@Test
	void roundTripsEveryPart() {
		HandOff handOff = new HandOff(Map.of("workers", "2", "worker.environment.v0", "a=b\nc:d\\e"),
				List.of("/usr/bin/java", "-Xmx1g", "-Dx=ü y", "-jar", "app.jar", "--server.port=8080", ""),
				List.of(new HandOff.Socket("server", 7, ListenSocket.Source.BOUND),
						new HandOff.Socket("management", 9, ListenSocket.Source.SYSTEMD)),
				Map.of("level.io.jproc", "debug", "name", "shop", "ansi", "false"));

		HandOff decoded = HandOff.decode(handOff.encode());

		assertThat(decoded).isEqualTo(handOff);
	}

	@Test
	void theCommandLineKeepsItsOrder() {
		List<String> command = List.of("java", "b", "a", "c", "1", "10", "2");
		HandOff handOff = new HandOff(Map.of(), command,
				List.of(new HandOff.Socket("server", 3, ListenSocket.Source.BOUND)), Map.of());
		assertThat(HandOff.decode(handOff.encode()).command()).isEqualTo(command);
	}

	@Test
	void aTruncatedHandOffIsRefused() {
		HandOff handOff = new HandOff(Map.of(), List.of("java", "-jar", "app.jar"),
				List.of(new HandOff.Socket("server", 3, ListenSocket.Source.BOUND)), Map.of());
		String text = new String(handOff.encode(), StandardCharsets.ISO_8859_1);
		String truncated = text.lines()
			.filter((line) -> !line.startsWith("command.2"))
			.reduce("", (a, b) -> a + b + "\n");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> HandOff.decode(truncated.getBytes(StandardCharsets.ISO_8859_1)))
			.withMessageContaining("command.2");
		assertThatIllegalArgumentException().isThrownBy(() -> HandOff.decode(new byte[0]));
	}

}
