package jp.renkei.hub.sign;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The trust anchors and revocation lists the hub checks signatures against, read from files (PEM or DER) and
 * read again whenever a file changes, so a new CRL from {@code deploy/pki.sh revoke} takes effect without a restart.
 */
public final class TrustMaterial {

    private final List<Path> anchorFiles;
    private final List<Path> crlFiles;
    private final FileCache<List<X509Certificate>> loadedAnchors = new FileCache<>();
    private final FileCache<List<X509CRL>> loadedCrls = new FileCache<>();

    public TrustMaterial(List<Path> anchorFiles, List<Path> crlFiles) {
        this.anchorFiles = List.copyOf(anchorFiles);
        this.crlFiles = List.copyOf(crlFiles);
    }

    public ChainValidator chainValidator() {
        return new ChainValidator(this::anchors, this::crls);
    }

    /** The configured anchors; a missing file is no anchor (so nothing it would have vouched for is trusted). */
    public List<X509Certificate> anchors() {
        return all(anchorFiles, loadedAnchors, TrustMaterial::certificates);
    }

    public List<X509CRL> crls() {
        return all(crlFiles, loadedCrls, TrustMaterial::crls);
    }

    /** Files named but absent, for the hub to say at start-up what it cannot check. */
    public List<Path> missing() {
        List<Path> missing = new ArrayList<>();
        anchorFiles.stream().filter(f -> !Files.isRegularFile(f)).forEach(missing::add);
        crlFiles.stream().filter(f -> !Files.isRegularFile(f)).forEach(missing::add);
        return missing;
    }

    private static <T> List<T> all(List<Path> files, FileCache<List<T>> loaded, FileCache.Reader<List<T>> reader) {
        List<T> out = new ArrayList<>();
        for (Path file : files) {
            try {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                out.addAll(loaded.get(file, reader));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file, e);
            }
        }
        return out;
    }

    /** Every certificate in a PEM or DER file. */
    public static List<X509Certificate> certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(c -> (X509Certificate) c)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("Not a certificate file: " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static List<X509CRL> crls(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCRLs(in).stream()
                    .map(c -> (X509CRL) c)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        } catch (CertificateException | CRLException e) {
            throw new IllegalArgumentException("Not a CRL file: " + file + " (" + e.getMessage() + ")", e);
        }
    }
}
