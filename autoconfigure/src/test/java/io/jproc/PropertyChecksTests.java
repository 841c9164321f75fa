package io.jproc;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PropertyChecks}: limits written as a user writes them, and read back
 * by Boot as the same value.
 */
class PropertyChecksTests {

	@Test
	void formatDurationShouldUseTheLargestExactUnit() {
		assertThat(PropertyChecks.format(Duration.ZERO)).isEqualTo("0s");
		assertThat(PropertyChecks.format(Duration.ofDays(1))).isEqualTo("1d");
		assertThat(PropertyChecks.format(Duration.ofHours(25))).isEqualTo("25h");
		assertThat(PropertyChecks.format(Duration.ofMinutes(5))).isEqualTo("5m");
		assertThat(PropertyChecks.format(Duration.ofSeconds(30))).isEqualTo("30s");
		assertThat(PropertyChecks.format(Duration.ofMillis(35_250))).isEqualTo("35250ms");
		assertThat(PropertyChecks.format(Duration.ofSeconds(-5))).isEqualTo("-5s");
		assertThat(PropertyChecks.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
	}

	@Test
	void formattedDurationShouldBindBackToTheSameDuration() {
		for (Duration duration : new Duration[] { Duration.ofMillis(35_250), Duration.ofDays(2), Duration.ofNanos(7),
				Duration.ofSeconds(-5) }) {
			assertThat(DurationStyle.detectAndParse(PropertyChecks.format(duration))).isEqualTo(duration);
		}
	}

	@Test
	void formatSizeShouldUseTheLargestExactUnit() {
		assertThat(PropertyChecks.format(DataSize.ofBytes(1))).isEqualTo("1B");
		assertThat(PropertyChecks.format(DataSize.ofBytes(0))).isEqualTo("0B");
		assertThat(PropertyChecks.format(DataSize.ofMegabytes(4))).isEqualTo("4MB");
		assertThat(PropertyChecks.format(DataSize.ofTerabytes(1))).isEqualTo("1TB");
		assertThat(PropertyChecks.format(DataSize.ofKilobytes(1536))).isEqualTo("1536KB");
	}

}
