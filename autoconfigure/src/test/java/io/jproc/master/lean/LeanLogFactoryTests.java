package io.jproc.master.lean;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeanLogFactory}'s lines, against Spring Boot's default console
 * pattern.
 */
class LeanLogFactoryTests {

	private static final ZonedDateTime WHEN = ZonedDateTime.of(2026, 12, 5, 14, 52, 42, 123_000_000, ZoneOffset.UTC);

	@Test
	void lineHasBootsConsoleLayout() {
		// As Boot's Logback pattern prints it, from a worker's log of the same run.
		assertThat(LeanLogFactory.format(WHEN, 2, 6088, "main", "io.jproc.master.Arbiter", "all 2 workers ready", "",
				false, "[master] %5p"))
			.isEqualTo("2026-12-05T14:52:42.123Z [master]  INFO 6088 --- [           main] io.jproc.master.Arbiter"
					+ "                  : all 2 workers ready");
	}

	@Test
	void applicationNameAndLongNamesAreShortenedAsLogbackDoes() {
		String line = LeanLogFactory.format(WHEN, 3, 1, "a-thread-name-longer-than-15",
				"io.jproc.master.bootcache.BootCacheTraining", "m", "[shop] ", false, "%5p");
		assertThat(line).isEqualTo("2026-12-05T14:52:42.123Z  WARN 1 --- [shop] [-longer-than-15] "
				+ "i.j.master.bootcache.BootCacheTraining   : m");
		assertThat(LeanLogFactory.abbreviate("org.springframework.boot.reactor.netty.NettyWebServer", 39))
			.isEqualTo("o.s.boot.reactor.netty.NettyWebServer");
		assertThat(LeanLogFactory.abbreviate("Short", 39)).isEqualTo("Short");
	}

	@Test
	void levelsFollowTheClosestConfiguredAncestor() {
		Map<String, Integer> levels = Map.of("", 3, "io.jproc", 1, "io.jproc.master.relay", 4);
		assertThat(LeanLogFactory.effectiveLevel(levels, "io.jproc.master.Arbiter")).isEqualTo(1);
		assertThat(LeanLogFactory.effectiveLevel(levels, "io.jproc.master.relay.MessageRelay")).isEqualTo(4);
		assertThat(LeanLogFactory.effectiveLevel(levels, "io.netty.Foo")).isEqualTo(3);
		assertThat(LeanLogFactory.effectiveLevel(Map.of(), "x")).isEqualTo(2);
	}

}
