package jp.renkei.hub.sign;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The deployment's own certification authority, kept in one directory: its key and certificate
 * ({@code ca.p12}, {@code ca.crt}), the certificates it issued ({@code issued/}), its revocations
 * ({@code revoked.txt}) and its current CRL ({@code ca.crl}). It issues organisation certificates (for the
 * hub's custody seal and for organisations that sign themselves) and practitioner certificates carrying the
 * practitioner's qualification HPKI-style ({@link HealthcareRole}); every key goes out in a PKCS#12 keystore.
 *
 * <p>Keys are ECDSA P-256 (JWS ES256). This CA stands in for HPKI where HPKI certificates are not in use: a
 * deployment that has them adds the HPKI roots to the hub's trust anchors instead (docs/signatures.md).
 */
public final class DeploymentCa {

    /** The certificate and keystore of one issued identity. */
    public record Issued(X509Certificate certificate, Path keystore) {}

    private static final String KEY_ALIAS = "signer";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final PrivateKey key;
    private final X509Certificate certificate;

    private DeploymentCa(Path dir, PrivateKey key, X509Certificate certificate) {
        this.dir = dir;
        this.key = key;
        this.certificate = certificate;
    }

    /** Creates a CA in {@code dir} (which must not hold one yet), valid for {@code validity}. */
    public static DeploymentCa create(Path dir, String name, Duration validity, char[] password) throws IOException {
        if (Files.exists(dir.resolve("ca.p12"))) {
            throw new IllegalStateException("A CA already exists in " + dir + "; remove it first to start over");
        }
        Files.createDirectories(dir.resolve("issued"));
        KeyPair pair = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "JP")
                .addRDN(BCStyle.O, "Renkei")
                .addRDN(BCStyle.CN, name)
                .build();
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            subject,
                            serial(),
                            Date.from(now.minusSeconds(60)),
                            Date.from(now.plus(validity)),
                            subject,
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate certificate = certificate(builder.build(signer(pair.getPrivate())));
            writeKeystore(dir.resolve("ca.p12"), pair.getPrivate(), List.of(certificate), password);
            writePem(dir.resolve("ca.crt"), certificate);
            Files.writeString(dir.resolve("revoked.txt"), "");
            DeploymentCa ca = new DeploymentCa(dir, pair.getPrivate(), certificate);
            ca.publishCrl();
            return ca;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("Could not create the CA: " + e.getMessage(), e);
        }
    }

    /** Opens the CA kept in {@code dir}. */
    public static DeploymentCa open(Path dir, char[] password) throws IOException {
        Path keystore = dir.resolve("ca.p12");
        if (!Files.exists(keystore)) {
            throw new IllegalStateException("No CA in " + dir + " (no ca.p12); create one with 'pki init'");
        }
        KeyStore store = Keystores.load(keystore, password);
        try {
            return new DeploymentCa(dir, (PrivateKey) store.getKey(KEY_ALIAS, password), (X509Certificate)
                    store.getCertificate(KEY_ALIAS));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the CA key in " + keystore + ": " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * An organisation's certificate: subject O and CN the organisation's name, and its FHIR identity as a URI
     * subject alternative name ({@code urn:renkei:Organization/<id>}), which is how the hub ties a key to an organisation.
     */
    public Issued issueOrganization(
            String organizationId, String name, Instant notBefore, Instant notAfter, char[] password)
            throws IOException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "JP")
                .addRDN(BCStyle.O, name)
                .addRDN(BCStyle.CN, name)
                .build();
        return issue(
                "organization-" + organizationId,
                subject,
                SignatureVerifier.IDENTITY_PREFIX + "Organization/" + organizationId,
                null,
                notBefore,
                notAfter,
                password);
    }

    /**
     * The hub's audit seal: the key that seals checkpoints of the audit hash chain (docs/security.md, "Anchoring"). Its
     * subject alternative name {@code urn:renkei:audit-seal} is what the hub checks a checkpoint's signer for, so no
     * organisation's or practitioner's certificate from the same CA can seal a checkpoint, and this one names no FHIR
     * identity, so it cannot sign a document. A former audit seal's certificate is kept as {@code audit-seal-<serial>.crt}.
     */
    public Issued issueAuditSeal(String name, Instant notBefore, Instant notAfter, char[] password) throws IOException {
        Path current = dir.resolve("issued").resolve(AuditSeal.FILE_NAME + ".crt");
        if (Files.exists(current)) {
            // the hub checks what the former seal sealed against its key: keep its certificate beside the new one
            String serial =
                    TrustMaterial.certificates(current).get(0).getSerialNumber().toString(16);
            Files.copy(
                    current,
                    current.resolveSibling(AuditSeal.FILE_NAME + "-" + serial + ".crt"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "JP")
                .addRDN(BCStyle.O, "Renkei")
                .addRDN(BCStyle.CN, name)
                .build();
        return issue(
                AuditSeal.FILE_NAME,
                subject,
                SignatureVerifier.IDENTITY_PREFIX + AuditSeal.IDENTITY,
                null,
                notBefore,
                notAfter,
                password);
    }

    /**
     * A practitioner's signing certificate: subject CN their name, O their organisation, their FHIR identity as a
     * URI subject alternative name ({@code urn:renkei:Practitioner/<id>}), and their qualification as an hcRole.
     */
    public Issued issuePractitioner(
            String practitionerId,
            String name,
            String organization,
            HealthcareRole.Qualification qualification,
            Instant notBefore,
            Instant notAfter,
            char[] password)
            throws IOException {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "JP")
                .addRDN(BCStyle.O, organization)
                .addRDN(BCStyle.CN, name)
                .build();
        return issue(
                "practitioner-" + practitionerId,
                subject,
                SignatureVerifier.IDENTITY_PREFIX + "Practitioner/" + practitionerId,
                HealthcareRole.extension(HealthcareRole.RENKEI_SCHEME, qualification.value()),
                notBefore,
                notAfter,
                password);
    }

    private Issued issue(
            String fileName,
            X500Name subject,
            String identity,
            Extension role,
            Instant notBefore,
            Instant notAfter,
            char[] password)
            throws IOException {
        KeyPair pair = newKeyPair();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            certificate, serial(), Date.from(notBefore), Date.from(notAfter), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity)))
                    .addExtension(
                            Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
            if (role != null) {
                builder.addExtension(role);
            }
            X509Certificate issued = certificate(builder.build(signer(key)));
            Path keystore = dir.resolve("issued").resolve(fileName + ".p12");
            writeKeystore(keystore, pair.getPrivate(), List.of(issued, certificate), password);
            writePem(dir.resolve("issued").resolve(fileName + ".crt"), issued);
            return new Issued(issued, keystore);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("Could not issue the certificate: " + e.getMessage(), e);
        }
    }

    /** Revokes a certificate this CA issued and publishes a new CRL at once. */
    public void revoke(BigInteger serial, Instant when) throws IOException {
        Files.writeString(
                dir.resolve("revoked.txt"),
                serial.toString(16) + " " + when + "\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        publishCrl();
    }

    /** Writes {@code ca.crl}: every revocation so far, valid for a week (publish again before then). */
    public X509CRL publishCrl() throws IOException {
        Instant now = Instant.now();
        try {
            X509v2CRLBuilder builder = new X509v2CRLBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), Date.from(now));
            builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(7))));
            for (String line : Files.readAllLines(dir.resolve("revoked.txt"))) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 2) {
                    builder.addCRLEntry(
                            new BigInteger(parts[0], 16), Date.from(Instant.parse(parts[1])), CRLReason.keyCompromise);
                }
            }
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            X509CRL crl =
                    new JcaX509CRLConverter().setProvider(DetachedJws.PROVIDER).getCRL(builder.build(signer(key)));
            Path tmp = dir.resolve("ca.crl.tmp");
            writePem(tmp, crl);
            Files.move(tmp, dir.resolve("ca.crl"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return crl;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("Could not publish the CRL: " + e.getMessage(), e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA")
                .setProvider(DetachedJws.PROVIDER)
                .build(key);
    }

    private static X509Certificate certificate(X509CertificateHolder holder) throws GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .setProvider(DetachedJws.PROVIDER)
                .getCertificate(holder);
    }

    private static void writeKeystore(Path file, PrivateKey key, List<X509Certificate> chain, char[] password)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(KEY_ALIAS, key, password, chain.toArray(new Certificate[0]));
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
    }

    private static void writePem(Path file, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(object);
        }
        Files.writeString(file, text.toString());
    }

    /** Reading PKCS#12 keystores, for the CA and for signers alike. */
    public static final class Keystores {

        private Keystores() {}

        public static KeyStore load(Path file, char[] password) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(in, password);
                return store;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(
                        "Cannot open the keystore " + file + " (wrong password?): " + e.getMessage(), e);
            }
        }

        /** The signing key and its chain (signer first): the keystore's first key entry, whatever its alias. */
        public static Signer signer(Path file, char[] password) throws IOException {
            KeyStore store = load(file, password);
            try {
                String alias = java.util.Collections.list(store.aliases()).stream()
                        .filter(a -> {
                            try {
                                return store.isKeyEntry(a);
                            } catch (GeneralSecurityException e) {
                                return false;
                            }
                        })
                        .findFirst()
                        .orElseThrow(
                                () -> new IllegalArgumentException("The keystore " + file + " holds no private key"));
                List<X509Certificate> chain = new ArrayList<>();
                for (Certificate c : store.getCertificateChain(alias)) {
                    chain.add((X509Certificate) c);
                }
                return new Signer((PrivateKey) store.getKey(alias, password), List.copyOf(chain));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Cannot read the key in " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** A key that signs and the certificate chain that vouches for it (signer first). */
    public record Signer(PrivateKey key, List<X509Certificate> chain) {}
}
