package jp.renkei.hub.sign;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import jp.renkei.hub.store.ReadCheck;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Signature;

/**
 * Signed records are checked on every read: the content as stored now against the signature it was accepted
 * with, and that signature's chain to a trusted anchor at the signing time. A record that fails (changed in the
 * database, its signature removed or swapped for one the hub does not trust) is refused with a
 * {@link TamperedRecordException} saying what failed, and logged by id (never by content).
 *
 * <p>Bodies that passed are remembered by their SHA-256, so reading the same version again costs a hash, not a
 * signature check; a changed body has another hash and is checked afresh.
 */
final class DocumentIntegrity implements ReadCheck {

    private static final int REMEMBERED = 20_000;

    private final SignatureVerifier verifier;
    private final boolean required;
    private final Set<String> passed = Collections.newSetFromMap(
            Collections.synchronizedMap(new LinkedHashMap<String, Boolean>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));

    public DocumentIntegrity(SignatureVerifier verifier, boolean required) {
        this.verifier = verifier;
        this.required = required;
    }

    @Override
    public void check(StoredResource stored, Resource resource) {
        Signature signature = signatureOf(resource);
        if (signature == null) {
            Optional<SignedKind> kind = required ? SignedKind.of(resource) : Optional.empty();
            if (kind.isPresent()) {
                throw tampered(stored, "it must be signed (" + kind.get().japanese() + ") but holds no signature");
            }
            return;
        }
        String key = sha256(stored.json());
        if (passed.contains(key)) {
            return;
        }
        String jws = SignatureElements.jws(signature);
        if (jws == null) {
            throw tampered(stored, "its signature holds no detached JWS");
        }
        try {
            verifier.verifyStored(stored.json(), jws);
        } catch (SignatureFailure failure) {
            throw tampered(stored, failure.getMessage() + " [" + failure.reason() + "]");
        }
        passed.add(key);
    }

    /** A Bundle's own signature, or the one the hub keeps in any other record's meta. */
    static Signature signatureOf(Resource resource) {
        if (resource instanceof Bundle bundle) {
            return bundle.hasSignature() ? bundle.getSignature() : null;
        }
        return resource instanceof DomainResource record ? SignatureElements.stored(record) : null;
    }

    private static TamperedRecordException tampered(StoredResource stored, String why) {
        return TamperedRecordException.refused(stored, why, "$verify");
    }

    private static String sha256(String json) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
