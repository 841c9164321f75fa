package io.jproc.sample.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * A "new build" of the sample app made from the packaged jar: the same entries (nested
 * jars stay stored, as Spring Boot's launcher needs) plus a
 * {@code META-INF/build-info.properties} with a version of our choosing, which the app
 * shows under {@code /actuator/info}.
 */
public final class JarVariant {

	private JarVariant() {
	}

	/**
	 * Write a copy of a Boot jar that reports a build version.
	 * @param source the packaged jar
	 * @param target where to write the new build
	 * @param version the build version it reports
	 * @throws IOException on a read or write failure
	 */
	public static void withBuildVersion(Path source, Path target, String version) throws IOException {
		byte[] buildInfo = ("build.version=" + version + "\n").getBytes(StandardCharsets.ISO_8859_1);
		try (JarFile jar = new JarFile(source.toFile());
				JarOutputStream out = new JarOutputStream(Files.newOutputStream(target))) {
			Enumeration<JarEntry> entries = jar.entries();
			while (entries.hasMoreElements()) {
				JarEntry entry = entries.nextElement();
				JarEntry copy = new JarEntry(entry.getName());
				copy.setTime(entry.getTime());
				if (entry.getMethod() == ZipEntry.STORED) {
					copy.setMethod(ZipEntry.STORED);
					copy.setSize(entry.getSize());
					copy.setCompressedSize(entry.getSize());
					copy.setCrc(entry.getCrc());
				}
				out.putNextEntry(copy);
				try (InputStream in = jar.getInputStream(entry)) {
					in.transferTo(out);
				}
				out.closeEntry();
			}
			JarEntry info = new JarEntry("BOOT-INF/classes/META-INF/build-info.properties");
			info.setMethod(ZipEntry.STORED);
			info.setSize(buildInfo.length);
			info.setCompressedSize(buildInfo.length);
			CRC32 crc = new CRC32();
			crc.update(buildInfo);
			info.setCrc(crc.getValue());
			out.putNextEntry(info);
			out.write(buildInfo);
			out.closeEntry();
		}
	}

	/**
	 * Write a jar that no JVM can start: the first half of a real one.
	 * @param source the packaged jar
	 * @param target where to write the broken build
	 * @throws IOException on a read or write failure
	 */
	public static void broken(Path source, Path target) throws IOException {
		byte[] bytes = Files.readAllBytes(source);
		try (OutputStream out = Files.newOutputStream(target)) {
			out.write(bytes, 0, bytes.length / 2);
		}
	}

}
