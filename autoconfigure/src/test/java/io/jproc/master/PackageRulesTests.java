package io.jproc.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's packages import only what their {@code package-info.java} and
 * {@code docs/ARCHITECTURE.md} allow: arrows point down, never back up at the loop.
 */
class PackageRulesTests {

	private static final Path MASTER = Path.of("src/main/java/io/jproc/master");

	private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.jproc\\.master\\.(\\w+)",
			Pattern.MULTILINE);

	/** What each sub-package may import of the master, besides itself. */
	private static final Map<String, Set<String>> ALLOWED = Map.of("process", Set.of(), "pool", Set.of("process"),
			"flows", Set.of("pool", "process"), "bootcache", Set.of("process"), "launch",
			Set.of("process", "pool", "bootcache"), "systemd", Set.of("process", "launch"), "relay", Set.of("process"),
			"lean", Set.of("process", "launch"));

	@Test
	void subPackagesImportOnlyWhatTheyMayAndNeverTheLoop() throws IOException {
		Map<String, Set<String>> found = new LinkedHashMap<>();
		try (Stream<Path> files = Files.walk(MASTER)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
				Path relative = MASTER.relativize(file);
				if (relative.getNameCount() < 2) {
					continue; // the loop's own package may import every sub-package
				}
				String pkg = relative.getName(0).toString();
				Matcher matcher = IMPORT.matcher(Files.readString(file));
				while (matcher.find()) {
					String target = matcher.group(1);
					if (!target.equals(pkg) && !ALLOWED.getOrDefault(pkg, Set.of()).contains(target)) {
						found.computeIfAbsent(relative.toString(), (key) -> new TreeSet<>())
							.add(Character.isUpperCase(target.charAt(0)) ? "the loop (" + target + ")" : target);
					}
				}
			}
		}
		assertThat(found).as("imports against the package rules (docs/ARCHITECTURE.md, Packages)").isEmpty();
	}

	@Test
	void everySubPackageHasItsRule() throws IOException {
		try (Stream<Path> entries = Files.list(MASTER)) {
			assertThat(entries.filter(Files::isDirectory).map((dir) -> dir.getFileName().toString()))
				.as("a new package needs its line in ALLOWED and in docs/ARCHITECTURE.md")
				.allMatch(ALLOWED::containsKey);
		}
	}

}
