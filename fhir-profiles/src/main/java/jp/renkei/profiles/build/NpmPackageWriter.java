package jp.renkei.profiles.build;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.hl7.fhir.utilities.npm.NpmPackageIndexBuilder;

/**
 * Writes the profiles as a FHIR NPM package ({@code .tgz}, https://hl7.org/fhir/packages.html) that other
 * systems load into their validators: {@code package/package.json}, the conformance resources with their
 * snapshots in {@code package/}, the examples in {@code package/example/}, and an {@code .index.json} in
 * each folder. Entries are sorted and carry a fixed time, so the same sources give the same bytes.
 */
final class NpmPackageWriter {

    static final String NAME = "jp.renkei.fhir";
    private static final Date FIXED_TIME = new Date(1_700_000_000_000L);

    private final Map<String, byte[]> conformance = new TreeMap<>();
    private final Map<String, byte[]> examples = new TreeMap<>();

    void addConformance(String fileName, String json) {
        conformance.put(fileName, json.getBytes(StandardCharsets.UTF_8));
    }

    void addExample(String fileName, String json) {
        examples.put(fileName, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the package to {@code target} and returns its path. */
    Path write(Path target, String version, String canonical) throws IOException {
        Files.createDirectories(target.getParent());
        try (OutputStream file = Files.newOutputStream(target);
                GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            put(tar, "package/package.json", packageJson(version, canonical).getBytes(StandardCharsets.UTF_8));
            folder(tar, "package", conformance);
            folder(tar, "package/example", examples);
        }
        return target;
    }

    private static void folder(TarArchiveOutputStream tar, String folder, Map<String, byte[]> files)
            throws IOException {
        NpmPackageIndexBuilder index = new NpmPackageIndexBuilder();
        index.start(null);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            index.seeFile(f.getKey(), f.getValue());
            put(tar, folder + "/" + f.getKey(), f.getValue());
        }
        put(tar, folder + "/.index.json", index.build().getBytes(StandardCharsets.UTF_8));
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        entry.setModTime(FIXED_TIME);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static String packageJson(String version, String canonical) {
        return """
                {
                  "name": "%s",
                  "version": "%s",
                  "type": "Conformance",
                  "canonical": "%s",
                  "url": "%s",
                  "title": "Renkei 在宅医療・介護連携 FHIR profiles",
                  "description": "Profiles, code systems, value sets and examples of the Renkei care-information hub: discharge handoff, doctor-care-manager contact form, emergency contact sheet and advance directive (FHIR R4, Japanese).",
                  "author": "Renkei",
                  "license": "CC0-1.0",
                  "fhirVersions": ["4.0.1"],
                  "jurisdiction": "urn:iso:std:iso:3166#JP",
                  "language": "ja",
                  "dependencies": {"hl7.fhir.r4.core": "4.0.1"}
                }
                """.formatted(NAME, version, canonical, canonical);
    }
}
