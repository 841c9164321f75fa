package io.jproc.master;

import java.net.InetAddress;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MasterLauncher}.
 */
class MasterLauncherTests {

	@Test
	void managementAddressNotSetListensOnEveryInterfaceAsBootDoes() {
		Binder binder = new Binder(new MapConfigurationPropertySource(
				Map.of("server.address", "127.0.0.1", "management.server.port", "8081")));
		assertThat(MasterLauncher.managementAddress(binder)).isNull();
	}

	@Test
	void managementAddressSetIsUsed() throws Exception {
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of("server.address", "0.0.0.0",
				"management.server.port", "8081", "management.server.address", "127.0.0.1")));
		assertThat(MasterLauncher.managementAddress(binder)).isEqualTo(InetAddress.getByName("127.0.0.1"));
	}

}
