package jp.renkei.hub.sign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The organisation keys the hub holds in custody to seal documents their staff could not sign themselves:
 * {@code <seals>/organization-<id>.p12}, as {@code deploy/pki.sh organization} issues them. A keystore is read
 * when first needed and again when its file changes (a renewed seal needs no restart).
 */
final class Seals {

    private static final Pattern ORGANIZATION_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

    private final Path dir;
    private final char[] password;
    private final FileCache<DeploymentCa.Signer> loaded = new FileCache<>();

    public Seals(Path dir, char[] password) {
        this.dir = dir;
        this.password = password.clone();
    }

    /** The seal of the organisation with this FHIR id, if the hub holds one. */
    public Optional<DeploymentCa.Signer> of(String organizationId) {
        if (dir == null
                || organizationId == null
                || !ORGANIZATION_ID.matcher(organizationId).matches()) {
            return Optional.empty();
        }
        Path file = fileFor(organizationId);
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            return Optional.of(loaded.get(file, keystore -> DeploymentCa.Keystores.signer(keystore, password)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the seal " + file, e);
        }
    }

    /** The hub's audit seal ({@code <seals>/audit-seal.p12}, {@code deploy/pki.sh audit-seal}), if the hub holds it. */
    public Optional<DeploymentCa.Signer> auditSeal() {
        Path file = auditSealFile();
        try {
            if (dir == null || !Files.isRegularFile(file)) {
                return Optional.empty();
            }
            return Optional.of(loaded.get(file, keystore -> DeploymentCa.Keystores.signer(keystore, password)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the audit seal " + file, e);
        }
    }

    /**
     * The certificates of the hub's audit seals, whose keys alone may seal its audit checkpoints: the current one and
     * every former one kept beside it as {@code audit-seal-<serial>.crt} (what they sealed stays checkable).
     */
    List<X509Certificate> auditSealCertificates() {
        List<X509Certificate> certificates = new ArrayList<>();
        auditSeal().ifPresent(signer -> certificates.add(signer.chain().get(0)));
        if (dir == null || !Files.isDirectory(dir)) {
            return certificates;
        }
        try (DirectoryStream<Path> former = Files.newDirectoryStream(dir, AuditSeal.FILE_NAME + "-*.crt")) {
            for (Path file : former) {
                certificates.addAll(TrustMaterial.certificates(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the former audit seals in " + dir, e);
        }
        return certificates;
    }

    /** The ids of the organisations whose seals the hub holds ({@code organization-<id>.p12} in the directory). */
    public List<String> organizations() {
        List<String> ids = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "organization-*.p12")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring("organization-".length(), name.length() - ".p12".length());
                if (ORGANIZATION_ID.matcher(id).matches()) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the seals in " + dir, e);
        }
        ids.sort(null);
        return ids;
    }

    public Path auditSealFile() {
        Path name = Path.of(AuditSeal.FILE_NAME + ".p12");
        return dir == null ? name : dir.resolve(name);
    }

    /** Where an organisation's seal is (or would be: messages name it to tell the operator what to issue). */
    public Path fileFor(String organizationId) {
        Path name = Path.of("organization-" + organizationId + ".p12");
        return dir == null ? name : dir.resolve(name);
    }
}
