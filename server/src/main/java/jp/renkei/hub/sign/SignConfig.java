package jp.renkei.hub.sign;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Path;
import java.util.List;
import jp.renkei.hub.access.LoopbackOnly;
import jp.renkei.hub.fhir.ResourceOperations;
import jp.renkei.hub.store.Labeler;
import jp.renkei.hub.store.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Signed documents: the trust anchors and CRLs signatures are checked against, the organisation seals the hub
 * holds, the check on every write ({@link DocumentSignatures}) and on every read ({@link DocumentIntegrity}), and
 * {@code $verify}. With signatures required (the default) the hub does not start without a trust anchor and its
 * own seal: it could neither accept nor keep a signed document.
 */
@Configuration(proxyBeanMethods = false)
class SignConfig {

    private static final Logger log = LoggerFactory.getLogger(SignConfig.class);

    @Bean
    TrustMaterial trustMaterial(SignProperties properties) {
        return new TrustMaterial(properties.trustAnchors(), properties.crls());
    }

    @Bean
    Seals seals(SignProperties properties) {
        return new Seals(properties.seals(), properties.sealPasswordChars());
    }

    @Bean
    AuditSeal auditSeal(Seals seals, SignatureVerifier verifier) {
        return new AuditSeal(seals, verifier);
    }

    @Bean
    PkiStatus pkiStatus(TrustMaterial trust, Seals seals) {
        return new PkiStatus(trust, seals);
    }

    @Bean
    CanonicalJson canonicalJson(FhirContext fhirContext) {
        return new CanonicalJson(fhirContext);
    }

    @Bean
    SignatureVerifier signatureVerifier(CanonicalJson canonical, TrustMaterial trust) {
        return new SignatureVerifier(canonical, trust.chainValidator());
    }

    @Bean
    DocumentSignatures documentSignatures(
            FhirContext fhirContext,
            CanonicalJson canonical,
            SignatureVerifier verifier,
            Seals seals,
            SignProperties properties,
            Records records,
            Labeler labeler,
            TrustMaterial trust,
            @Value("${server.address:}") String bindAddress) {
        if (properties.required()) {
            requireUsable(properties, trust, seals);
        } else {
            LoopbackOnly.require(bindAddress, "renkei.sign.required=false");
            log.warn(
                    "Signatures are NOT required (renkei.sign.required=false): unsigned documents are stored unsigned. "
                            + "Local tests only.");
        }
        return new DocumentSignatures(fhirContext, canonical, verifier, seals, properties, records, labeler);
    }

    @Bean
    DocumentIntegrity documentIntegrity(SignatureVerifier verifier, SignProperties properties) {
        return new DocumentIntegrity(verifier, properties.required());
    }

    @Bean
    VerifyOperation verifyOperation(ResourceOperations operations, SignatureVerifier verifier) {
        return new VerifyOperation(operations, verifier);
    }

    private static void requireUsable(SignProperties properties, TrustMaterial trust, Seals seals) {
        List<Path> missing = trust.missing();
        if (trust.anchors().isEmpty()) {
            throw new IllegalStateException(
                    "Signed documents are required (renkei.sign.required) but no trust anchor is configured"
                            + " or readable (renkei.sign.trust-anchors: " + properties.trustAnchors()
                            + "). Create the deployment CA with"
                            + " deploy/pki.sh init (docs/signatures.md), or set RENKEI_SIGN_REQUIRED=false for local tests only.");
        }
        if (seals.of(properties.hubOrganization()).isEmpty()) {
            throw new IllegalStateException(
                    "The hub's own seal " + seals.fileFor(properties.hubOrganization()) + " is missing or"
                            + " unreadable (renkei.sign.seals, renkei.sign.hub-organization, RENKEI_SEAL_PASSWORD). Issue it with"
                            + " deploy/pki.sh organization --id " + properties.hubOrganization()
                            + " --name ... (docs/signatures.md).");
        }
        if (!missing.isEmpty()) {
            log.warn("Signature trust files not found (signatures their CAs vouch for will be refused): {}", missing);
        }
    }
}
