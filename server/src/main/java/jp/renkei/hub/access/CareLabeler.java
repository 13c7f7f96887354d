package jp.renkei.hub.access;

import java.util.ArrayList;
import java.util.List;
import jp.renkei.hub.search.IndexExtractor;
import jp.renkei.hub.store.AccessLabels;
import jp.renkei.hub.store.Labeler;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.CommunicationRequest;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;
import org.springframework.stereotype.Component;

/**
 * Says which patients a resource is about (its {@code patient} search parameter; a Patient is
 * about itself) and its kind under the policy's classification schemes (a document's type, a care
 * topic, a medication's status, a consent's scope). A document Bundle is about the subject of its
 * Composition (the hub's Bundle {@code patient} parameter) and of the kind of its Composition's type;
 * a Binary is about the patient in its {@code securityContext}.
 */
@Component
class CareLabeler implements Labeler {

    private final IndexExtractor extractor;
    private final AccessPolicy policy;

    public CareLabeler(IndexExtractor extractor, AccessPolicy policy) {
        this.extractor = extractor;
        this.policy = policy;
    }

    @Override
    public AccessLabels label(String id, Resource resource) {
        return new AccessLabels(patients(id, resource), kind(resource), null, null, addressees(resource));
    }

    /** Whom a Task is addressed to (its owner), for the relation {@code addressee}. */
    private static List<String> addressees(Resource resource) {
        if (resource instanceof Task task && task.getOwner().getReference() != null) {
            return List.of(task.getOwner().getReference());
        }
        return List.of();
    }

    private List<String> patients(String id, Resource resource) {
        List<String> out = new ArrayList<>();
        if (resource.fhirType().equals("Patient")) {
            out.add(id);
        } else if (resource instanceof Binary binary) {
            String ref = binary.getSecurityContext().getReference();
            if (ref != null && ref.startsWith("Patient/")) {
                out.add(ref.substring("Patient/".length()));
            }
        } else {
            for (String ref : extractor.references(resource, "patient")) {
                if (ref.startsWith("Patient/")) {
                    out.add(ref.substring("Patient/".length()));
                }
            }
        }
        return out;
    }

    /**
     * The record's kind under its type's scheme, decided by {@link AccessPolicy.KindScheme#kindOf} from the codes
     * of its classifying elements in order (the policy's {@code kindMapping}); null for types without a scheme.
     */
    private String kind(Resource resource) {
        AccessPolicy.KindScheme scheme = policy.scheme(resource.fhirType());
        if (scheme == null) {
            return null;
        }
        List<Coding> codings = new ArrayList<>();
        classifying(resource).forEach(concept -> codings.addAll(concept.getCoding()));
        return scheme.kindOf(resource.fhirType(), codings);
    }

    private static List<CodeableConcept> classifying(Resource resource) {
        if (resource instanceof Composition c) {
            return List.of(c.getType());
        }
        if (resource instanceof DocumentReference d) {
            return List.of(d.getType());
        }
        if (resource instanceof Bundle b) {
            // a document is of its Composition's type; any other Bundle is unclassified
            return b.getType() == Bundle.BundleType.DOCUMENT
                            && b.hasEntry()
                            && b.getEntryFirstRep().getResource() instanceof Composition c
                    ? List.of(c.getType())
                    : List.of();
        }
        if (resource instanceof Observation o) {
            // the category first; a client that sends no category still names a vital sign by its LOINC code
            List<CodeableConcept> out = new ArrayList<>(o.getCategory());
            out.add(o.getCode());
            return out;
        }
        if (resource instanceof Communication c) {
            return c.getCategory();
        }
        if (resource instanceof CommunicationRequest c) {
            return c.getCategory();
        }
        if (resource instanceof Consent c) {
            return List.of(c.getScope());
        }
        if (resource instanceof MedicationStatement m) {
            return m.getStatus() != null
                    ? List.of(new CodeableConcept(
                            new Coding(m.getStatus().getSystem(), m.getStatus().toCode(), null)))
                    : List.of();
        }
        throw new IllegalStateException("No classifying element known for " + resource.fhirType());
    }
}
