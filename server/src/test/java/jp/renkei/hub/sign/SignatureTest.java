package jp.renkei.hub.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.sign.HealthcareRole.Qualification;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing and verifying with certificates from the deployment CA, as the hub does on receipt and on read:
 * round trip, tampering, canonical form, and every kind of certificate that must be refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignatureTest {

    private static final char[] PASSWORD = "test-only".toCharArray();
    private static final Set<Qualification> PHYSICIAN_ONLY = Set.of(Qualification.MEDICAL_DOCTOR);

    @TempDir
    static Path dir;

    private final FhirContext fhir = FhirContext.forR4Cached();
    private final CanonicalJson canonical = new CanonicalJson(fhir);
    private DeploymentCa ca;
    private SignatureVerifier verifier;
    private DeploymentCa.Signer doctor;
    private DeploymentCa.Signer nurse;

    @BeforeAll
    void createCa() throws IOException {
        ca = DeploymentCa.create(dir.resolve("ca"), "Renkei Test CA", Duration.ofDays(3650), PASSWORD);
        doctor = signer(ca.issuePractitioner(
                "dr-sato",
                "佐藤 一郎",
                "盛岡在宅クリニック",
                Qualification.MEDICAL_DOCTOR,
                Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(365)),
                PASSWORD));
        nurse = signer(ca.issuePractitioner(
                "ns-ito",
                "伊藤 花子",
                "岩手中央病院",
                Qualification.NURSE,
                Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(365)),
                PASSWORD));
        verifier = new SignatureVerifier(canonical, new ChainValidator(() -> List.of(ca.certificate()), this::crls));
    }

    private List<X509CRL> crls() {
        try (var in = Files.newInputStream(dir.resolve("ca").resolve("ca.crl"))) {
            return List.of((X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static DeploymentCa.Signer signer(DeploymentCa.Issued issued) throws IOException {
        return DeploymentCa.Keystores.signer(issued.keystore(), PASSWORD);
    }

    private Bundle handoff() {
        return (Bundle) CareRecords.example("Bundle-discharge-handoff-example.json", "takahashi-kiyo-example", "pt-1");
    }

    private String sign(Bundle bundle, DeploymentCa.Signer signer) {
        return DetachedJws.sign(canonical.of(bundle), signer.key(), signer.chain(), Instant.now());
    }

    @Test
    void aSignedDocumentVerifiesWithItsSignerQualificationAndTime() {
        Bundle bundle = handoff();
        String jws = sign(bundle, doctor);

        SignatureVerifier.Verified verified = verifier.verify(bundle, jws, PHYSICIAN_ONLY, Instant.now());

        assertThat(verified.signer()).contains("CN=佐藤 一郎");
        assertThat(verified.identity()).isEqualTo("Practitioner/dr-sato");
        assertThat(verified.roles()).extracting(HealthcareRole.Role::value).containsExactly("Medical Doctor");
        assertThat(verified.chain().anchor()).isEqualTo(ca.certificate());
        assertThat(verified.signingTime()).isBefore(Instant.now().plusSeconds(1));
    }

    @Test
    void storingDoesNotBreakTheSignatureButAOneByteChangeDoes() {
        Bundle bundle = handoff();
        String jws = sign(bundle, doctor);
        // what storing changes (id, meta) and the signature element itself are outside what is signed
        bundle.setId("Bundle/stored-1/_history/3");
        bundle.getMeta().setVersionId("3").setLastUpdated(new Date());
        bundle.getSignature().setData(jws.getBytes(StandardCharsets.US_ASCII));
        assertThat(verifier.verify(bundle, jws, PHYSICIAN_ONLY, Instant.now()).identity())
                .isEqualTo("Practitioner/dr-sato");

        Composition composition = (Composition) bundle.getEntryFirstRep().getResource();
        String title = composition.getTitle();
        composition.setTitle(title.substring(0, title.length() - 1) + (char) (title.charAt(title.length() - 1) + 1));

        assertThatThrownBy(() -> verifier.verify(bundle, jws, PHYSICIAN_ONLY, Instant.now()))
                .isInstanceOfSatisfying(
                        SignatureFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.CONTENT_CHANGED));
    }

    @Test
    void aChangedSignatureByteIsRefusedToo() {
        Bundle bundle = handoff();
        String jws = sign(bundle, doctor);
        int last = jws.length() - 2;
        String flipped = jws.substring(0, last) + (jws.charAt(last) == 'A' ? 'B' : 'A') + jws.substring(last + 1);

        assertThatThrownBy(() -> verifier.verify(bundle, flipped, PHYSICIAN_ONLY, Instant.now()))
                .isInstanceOfSatisfying(
                        SignatureFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.CONTENT_CHANGED));
    }

    @Test
    void theCanonicalFormIgnoresMemberOrderAndWhitespaceButKeepsDecimalsAndText() {
        String a =
                "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\",\"valueQuantity\":{\"value\":1.50,\"unit\":\"kg\"},"
                        + "\"note\":[{\"text\":\"改行\\nと \\\"引用\\\"\"}]}";
        String b =
                "{\n  \"note\" : [ { \"text\" : \"改行\\nと \\\"引用\\\"\" } ],\n  \"valueQuantity\": {\"unit\": \"kg\",  \"value\": 1.50},\n"
                        + "  \"status\": \"final\", \"resourceType\": \"Observation\", \"meta\": {\"versionId\": \"7\"}\n}";

        assertThat(CanonicalJson.of(a)).isEqualTo(CanonicalJson.of(b));
        assertThat(new String(CanonicalJson.of(a), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"note\":[{\"text\":\"改行\\nと \\\"引用\\\"\"}],\"resourceType\":\"Observation\",\"status\":\"final\","
                                + "\"valueQuantity\":{\"unit\":\"kg\",\"value\":1.50}}");
        assertThat(CanonicalJson.of(a)).isNotEqualTo(CanonicalJson.of(a.replace("1.50", "1.5")));
        assertThat(CanonicalJson.of(a)).isNotEqualTo(CanonicalJson.of(a.replace("引用", "引 用")));
    }

    @Test
    void aSignerWhoseQualificationMayNotSignIsRefused() {
        Bundle bundle = handoff();
        String jws = sign(bundle, nurse);

        assertThatThrownBy(() -> verifier.verify(bundle, jws, PHYSICIAN_ONLY, Instant.now()))
                .isInstanceOfSatisfying(SignatureFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.PROFESSION);
                    assertThat(f.getMessage()).contains("Nurse").contains("医師 (Medical Doctor)");
                });
        assertThat(verifier.verify(
                                bundle, jws, Set.of(Qualification.NURSE, Qualification.MEDICAL_DOCTOR), Instant.now())
                        .identity())
                .isEqualTo("Practitioner/ns-ito");
    }

    @Test
    void anExpiredCertificateIsRefused() throws IOException {
        DeploymentCa.Signer expired = signer(ca.issuePractitioner(
                "dr-old",
                "古川 二郎",
                "盛岡在宅クリニック",
                Qualification.MEDICAL_DOCTOR,
                Instant.now().minus(Duration.ofDays(400)),
                Instant.now().minus(Duration.ofDays(1)),
                PASSWORD));
        Bundle bundle = handoff();
        // signed while it was still valid, received now
        String jws = DetachedJws.sign(
                canonical.of(bundle),
                expired.key(),
                expired.chain(),
                Instant.now().minus(Duration.ofDays(2)));

        assertThatThrownBy(() -> verifier.verify(bundle, jws, PHYSICIAN_ONLY, Instant.now()))
                .isInstanceOfSatisfying(SignatureFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.EXPIRED);
                    assertThat(f.getMessage()).contains("古川 二郎").contains("expired");
                });
        // as of a time it was valid (a stored signature checked at its receipt) it verifies
        assertThat(verifier.verify(bundle, jws, PHYSICIAN_ONLY, Instant.now().minus(Duration.ofDays(2)))
                        .identity())
                .isEqualTo("Practitioner/dr-old");
    }

    @Test
    void aRevokedCertificateIsRefusedFromItsRevocationOn() throws IOException {
        DeploymentCa.Issued issued = ca.issuePractitioner(
                "dr-lost",
                "失効 三郎",
                "盛岡在宅クリニック",
                Qualification.MEDICAL_DOCTOR,
                Instant.now().minus(Duration.ofDays(30)),
                Instant.now().plus(Duration.ofDays(365)),
                PASSWORD);
        DeploymentCa.Signer lost = signer(issued);
        Bundle bundle = handoff();
        String jws = DetachedJws.sign(
                canonical.of(bundle), lost.key(), lost.chain(), Instant.now().minus(Duration.ofDays(10)));
        // CRLs carry whole seconds
        Instant revokedOn = Instant.now().minus(Duration.ofDays(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        ca.revoke(issued.certificate().getSerialNumber(), revokedOn);

        assertThatThrownBy(() -> verifier.verify(bundle, jws, PHYSICIAN_ONLY, Instant.now()))
                .isInstanceOfSatisfying(SignatureFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.REVOKED);
                    assertThat(f.getMessage()).contains("失効 三郎").contains(revokedOn.toString());
                });
        // received before the revocation: still valid then, and the later revocation is reported
        SignatureVerifier.Verified before =
                verifier.verify(bundle, jws, PHYSICIAN_ONLY, Instant.now().minus(Duration.ofDays(9)));
        assertThat(before.chain().revokedAfter()).isEqualTo(revokedOn);
    }

    @Test
    void selfSignedAndForeignCertificatesAreRefused() throws Exception {
        Bundle bundle = handoff();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair own = generator.generateKeyPair();
        X500Name name = new X500Name("CN=自称 医師,O=Nowhere,C=JP");
        X509Certificate selfSigned = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                name,
                                BigInteger.TEN,
                                Date.from(Instant.now().minusSeconds(60)),
                                Date.from(Instant.now().plus(Duration.ofDays(30))),
                                name,
                                own.getPublic())
                        .addExtension(HealthcareRole.extension(HealthcareRole.RENKEI_SCHEME, "Medical Doctor"))
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(own.getPrivate())));
        String selfJws = DetachedJws.sign(canonical.of(bundle), own.getPrivate(), List.of(selfSigned), Instant.now());

        assertThatThrownBy(() -> verifier.verify(bundle, selfJws, PHYSICIAN_ONLY, Instant.now()))
                .isInstanceOfSatisfying(SignatureFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.UNTRUSTED);
                    assertThat(f.getMessage()).contains("self-signed");
                });

        DeploymentCa other =
                DeploymentCa.create(dir.resolve("other-ca"), "Someone Else's CA", Duration.ofDays(365), PASSWORD);
        DeploymentCa.Signer foreign = signer(other.issuePractitioner(
                "dr-x",
                "他所 四郎",
                "他所病院",
                Qualification.MEDICAL_DOCTOR,
                Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(30)),
                PASSWORD));
        String foreignJws = sign(bundle, foreign);

        assertThatThrownBy(() -> verifier.verify(bundle, foreignJws, PHYSICIAN_ONLY, Instant.now()))
                .isInstanceOfSatisfying(SignatureFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.UNTRUSTED);
                    assertThat(f.getMessage()).contains("not issued by a CA this hub trusts");
                });
    }

    @Test
    void anAttachedOrMalformedJwsIsRefusedPrecisely() {
        Bundle bundle = handoff();
        String jws = sign(bundle, doctor);
        String attached = jws.replace("..", ".eyJ4IjoxfQ.");

        assertThatThrownBy(() -> verifier.verify(bundle, attached, Set.of(), Instant.now()))
                .isInstanceOfSatisfying(SignatureFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.MALFORMED);
                    assertThat(f.getMessage()).contains("detached");
                });
        assertThatThrownBy(() -> verifier.verify(bundle, "not-a-jws", Set.of(), Instant.now()))
                .isInstanceOfSatisfying(
                        SignatureFailure.class,
                        f -> assertThat(f.reason()).isEqualTo(SignatureFailure.Reason.MALFORMED));
    }
}
