package jp.renkei.hub.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.access.CareRecords;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment CA's command line as an operator and a sender use it: create, issue, sign, revoke. */
class PkiCommandTest {

    @TempDir
    Path dir;

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final Map<String, String> environment =
            Map.of("RENKEI_PKI_PASSWORD", "test-only-ca", "RENKEI_SIGNER_PASSWORD", "test-only-ca");

    private String run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = new PkiCommand(new PrintStream(out, true, StandardCharsets.UTF_8), environment::get).run(args);
        assertThat(status).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private <T> T read(Path file, Class<T> type) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return type.cast(type == X509CRL.class ? factory.generateCRL(in) : factory.generateCertificate(in));
        }
    }

    @Test
    void anOperatorIssuesASenderSignsAndARevocationTakesEffect() throws Exception {
        String ca = dir.resolve("ca").toString();
        assertThat(run("init", "--dir", ca, "--name", "Iwate Renkei CA")).contains("CN=Iwate Renkei CA");
        assertThat(run(
                        "practitioner",
                        "--dir",
                        ca,
                        "--id",
                        "dr-sato",
                        "--name",
                        "佐藤 一郎",
                        "--organization",
                        "盛岡在宅クリニック",
                        "--profession",
                        "physician"))
                .contains("CN=佐藤 一郎");
        assertThat(run("organization", "--dir", ca, "--id", "org-iwate", "--name", "岩手中央病院"))
                .contains("CN=岩手中央病院");

        Path unsigned = dir.resolve("handoff.json");
        Files.writeString(
                unsigned,
                fhir.newJsonParser()
                        .encodeResourceToString(CareRecords.example(
                                "Bundle-discharge-handoff-example.json", "takahashi-kiyo-example", "pt-1")));
        Path signed = dir.resolve("handoff-signed.json");
        run(
                "sign",
                "--dir",
                ca,
                "--key",
                dir.resolve("ca/issued/practitioner-dr-sato.p12").toString(),
                "--in",
                unsigned.toString(),
                "--out",
                signed.toString());

        Bundle bundle = fhir.newJsonParser().parseResource(Bundle.class, Files.readString(signed));
        assertThat(bundle.getSignature().getWho().getReference()).isEqualTo("Practitioner/dr-sato");
        assertThat(bundle.getSignature().getSigFormat()).isEqualTo("application/jose");
        String jws = new String(bundle.getSignature().getData(), StandardCharsets.US_ASCII);
        X509Certificate anchor = read(dir.resolve("ca/ca.crt"), X509Certificate.class);
        SignatureVerifier verifier =
                new SignatureVerifier(new CanonicalJson(fhir), new ChainValidator(() -> List.of(anchor), () -> {
                    try {
                        return List.of(read(dir.resolve("ca/ca.crl"), X509CRL.class));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
        SignatureVerifier.Verified verified =
                verifier.verify(bundle, jws, Set.of(HealthcareRole.Qualification.MEDICAL_DOCTOR), Instant.now());
        assertThat(verified.roles()).extracting(HealthcareRole.Role::value).containsExactly("Medical Doctor");

        assertThat(run(
                        "revoke",
                        "--dir",
                        ca,
                        "--cert",
                        dir.resolve("ca/issued/practitioner-dr-sato.crt").toString()))
                .contains("Revoked");
        assertThatThrownBy(() ->
                        verifier.verify(bundle, jws, Set.of(), Instant.now().plusSeconds(1)))
                .isInstanceOfSatisfying(
                        SignatureFailure.class, f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.REVOKED));
    }

    private AuditSeal auditSeal(Path seals, X509Certificate anchor) {
        return new AuditSeal(
                new Seals(seals, "test-only-ca".toCharArray()),
                new SignatureVerifier(new CanonicalJson(fhir), new ChainValidator(() -> List.of(anchor), List::of)));
    }

    @Test
    void theAuditSealSealsAuditCheckpointsAndNoOtherKeyOfTheCaDoes() throws Exception {
        String ca = dir.resolve("ca").toString();
        run("init", "--dir", ca);
        assertThat(run("audit-seal", "--dir", ca)).contains("CN=Renkei hub audit seal");
        run("organization", "--dir", ca, "--id", "renkei-hub", "--name", "Renkei ハブ");
        X509Certificate anchor = read(dir.resolve("ca/ca.crt"), X509Certificate.class);
        AuditSeal seal = auditSeal(dir.resolve("ca/issued"), anchor);
        byte[] checkpoint =
                "renkei-audit-checkpoint/2\ndeployment renkei\nblock 0\nto 12\n...".getBytes(StandardCharsets.US_ASCII);
        String jws = seal.seal(checkpoint);
        assertThat(seal.check(checkpoint, jws)).isBeforeOrEqualTo(Instant.now());
        assertThatThrownBy(() -> seal.check(
                        "renkei-audit-checkpoint/2\ndeployment renkei\nblock 0\nto 13\n..."
                                .getBytes(StandardCharsets.US_ASCII),
                        jws))
                .isInstanceOfSatisfying(
                        SignatureFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.CONTENT_CHANGED));
        DeploymentCa.Signer organization = DeploymentCa.Keystores.signer(
                dir.resolve("ca/issued/organization-renkei-hub.p12"), "test-only-ca".toCharArray());
        String byOrganization = DetachedJws.sign(checkpoint, organization.key(), organization.chain(), Instant.now());
        assertThatThrownBy(() -> seal.check(checkpoint, byOrganization))
                .isInstanceOfSatisfying(
                        SignatureFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.UNTRUSTED))
                .hasMessageContaining("not by an audit seal");
        // a seal dated ahead of the clock is refused, as a document signature is on receipt
        DeploymentCa.Signer audit =
                DeploymentCa.Keystores.signer(dir.resolve("ca/issued/audit-seal.p12"), "test-only-ca".toCharArray());
        String ahead = DetachedJws.sign(
                checkpoint,
                audit.key(),
                List.of(audit.chain().get(0)),
                Instant.now().plusSeconds(3600));
        assertThatThrownBy(() -> seal.check(checkpoint, ahead))
                .isInstanceOfSatisfying(
                        SignatureFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.MALFORMED))
                .hasMessageContaining("in the future");
    }

    @Test
    void onlyThisHubsAuditSealsArePinnedAndARenewedSealStillChecksWhatTheFormerSealed() throws Exception {
        Path ca = dir.resolve("ca");
        run("init", "--dir", ca.toString());
        X509Certificate anchor = read(ca.resolve("ca.crt"), X509Certificate.class);
        // another deployment's hub with an audit seal of the same CA (staging): its seal is not this hub's
        run("audit-seal", "--dir", ca.toString(), "--name", "Staging audit seal");
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Files.move(ca.resolve("issued/audit-seal.p12"), staging.resolve("audit-seal.p12"));
        Files.delete(ca.resolve("issued/audit-seal.crt"));
        run("audit-seal", "--dir", ca.toString());
        AuditSeal production = auditSeal(ca.resolve("issued"), anchor);
        byte[] checkpoint =
                "renkei-audit-checkpoint/2\ndeployment renkei\nblock 0\nto 1\n...".getBytes(StandardCharsets.US_ASCII);
        String fromStaging = auditSeal(staging, anchor).seal(checkpoint);
        assertThatThrownBy(() -> production.check(checkpoint, fromStaging))
                .isInstanceOfSatisfying(
                        SignatureFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.UNTRUSTED))
                .hasMessageContaining("not of this hub");

        String beforeRenewal = production.seal(checkpoint);
        String formerSerial = production.certificate().getSerialNumber().toString(16);
        run("audit-seal", "--dir", ca.toString());
        assertThat(ca.resolve("issued/audit-seal-" + formerSerial + ".crt")).exists();
        assertThat(production.certificate().getSerialNumber().toString(16)).isNotEqualTo(formerSerial);
        assertThat(production.check(checkpoint, beforeRenewal)).isBeforeOrEqualTo(Instant.now());
        assertThat(production.check(checkpoint, production.seal(checkpoint))).isBeforeOrEqualTo(Instant.now());

        // an expired audit seal seals nothing (what it sealed while valid still checks)
        DeploymentCa.open(ca, "test-only-ca".toCharArray())
                .issueAuditSeal(
                        "Expired",
                        Instant.now().minusSeconds(7200),
                        Instant.now().minusSeconds(3600),
                        "test-only-ca".toCharArray());
        assertThatThrownBy(() -> production.seal(checkpoint))
                .isInstanceOfSatisfying(
                        SignatureFailure.class, f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.EXPIRED))
                .hasMessageContaining("deploy/pki.sh audit-seal");
        assertThat(production.check(checkpoint, beforeRenewal)).isBeforeOrEqualTo(Instant.now());
    }

    @Test
    void mistakesAreExplainedAndPasswordsAreNeverArguments() {
        PkiCommand command = new PkiCommand(new PrintStream(new ByteArrayOutputStream()), name -> null);
        assertThatThrownBy(() -> command.run(
                        new String[] {"init", "--dir", dir.resolve("x").toString()}))
                .hasMessageContaining("Set RENKEI_PKI_PASSWORD");
        PkiCommand withPassword = new PkiCommand(new PrintStream(new ByteArrayOutputStream()), environment::get);
        assertThatThrownBy(() -> withPassword.run(new String[] {
                    "practitioner", "--dir", dir.resolve("none").toString(), "--id", "a"
                }))
                .hasMessageContaining("No CA in");
        assertThatThrownBy(() -> withPassword.run(new String[] {"frobnicate"}))
                .hasMessageContaining("Unknown command 'frobnicate'");
    }
}
