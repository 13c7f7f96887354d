package jp.renkei.hub.sign;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Signature;

/**
 * FHIR {@code Signature} elements holding a detached JWS: what kind of signature it is (ASTM E1762 signature
 * types), who and when, in which form the content was signed. Also where a signature lives on a stored record
 * that has no {@code signature} element of its own.
 */
final class SignatureElements {

    public static final String SIGNATURE_TYPES = "urn:iso-astm:E1762-95:2013";
    /** The author signs what they wrote. */
    public static final String AUTHOR = "1.2.840.10065.1.12.1.1";
    /** A witness attests the patient's (or proxy's) consent: the physician witnessing an advance directive. */
    public static final String CONSENT_WITNESS = "1.2.840.10065.1.12.1.11";
    /** The source vouches for what it passes on: the hub's custody seal on an organisation's behalf. */
    public static final String SOURCE = "1.2.840.10065.1.12.1.14";

    public static final String TARGET_FORMAT =
            "application/fhir+json;canonicalization=http://hl7.org/fhir/canonicalization/json";
    public static final String JOSE = "application/jose";
    /**
     * The signature of a stored record that is not a Bundle (a Consent, a Communication), kept in its {@code meta},
     * which is outside what is signed, so the record can be checked on every read without looking elsewhere.
     */
    public static final String STORED_SIGNATURE = "http://renkei.example.jp/fhir/StructureDefinition/stored-signature";

    private SignatureElements() {}

    /** Signs the resource as it is now (its canonical JSON) with the signer's key: a Signature element of this type. */
    public static Signature sign(
            CanonicalJson canonical,
            org.hl7.fhir.r4.model.Resource resource,
            DeploymentCa.Signer signer,
            String type,
            Instant when) {
        String jws = DetachedJws.sign(canonical.of(resource), signer.key(), signer.chain(), when);
        return of(type, signer.chain().get(0), jws, when);
    }

    public static Signature of(String type, X509Certificate signer, String jws, Instant when) {
        Signature signature = new Signature();
        signature.addType(new Coding(SIGNATURE_TYPES, type, display(type)));
        signature.setWhen(Date.from(when));
        String identity = SignatureVerifier.identity(signer);
        signature.setWho(
                identity != null
                        ? new Reference(identity).setDisplay(ChainValidator.commonName(signer))
                        : new Reference().setDisplay(ChainValidator.subject(signer)));
        signature.setTargetFormat(TARGET_FORMAT);
        signature.setSigFormat(JOSE);
        signature.setData(jws.getBytes(StandardCharsets.US_ASCII));
        return signature;
    }

    public static String display(String type) {
        return switch (type) {
            case AUTHOR -> "Author's Signature";
            case CONSENT_WITNESS -> "Consent Witness Signature";
            case SOURCE -> "Source Signature";
            default -> null;
        };
    }

    /** Whether the element says it is a signature of this type. */
    public static boolean isOfType(Signature signature, String type) {
        return signature.getType().stream()
                .anyMatch(c -> SIGNATURE_TYPES.equals(c.getSystem()) && type.equals(c.getCode()));
    }

    /** The JWS the element holds, or null when it holds none or one in another format. */
    public static String jws(Signature signature) {
        if (signature == null
                || !signature.hasData()
                || (signature.hasSigFormat() && !JOSE.equals(signature.getSigFormat()))) {
            return null;
        }
        return new String(signature.getData(), StandardCharsets.US_ASCII);
    }

    /** The signature kept on a stored record that is not a Bundle, or null. */
    public static Signature stored(DomainResource resource) {
        var extension = resource.getMeta().getExtensionByUrl(STORED_SIGNATURE);
        return extension != null && extension.getValue() instanceof Signature s ? s : null;
    }

    public static void store(DomainResource resource, Signature signature) {
        resource.getMeta().getExtension().removeIf(e -> STORED_SIGNATURE.equals(e.getUrl()));
        if (signature != null) {
            resource.getMeta().addExtension(STORED_SIGNATURE, signature);
        }
    }
}
