package jp.renkei.hub.emergency;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.fhir.ResourceOperations;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;

/**
 * {@code GET /fhir/Patient/{id}/$emergency-summary}: what an on-call doctor or an ambulance crew needs
 * first, in one Bundle (type {@code collection}): the patient, the current emergency contact sheet
 * (緊急時連絡票: the newest final document Bundle or Composition of that kind, and the current
 * DocumentReference of that kind, e.g. a scanned sheet), the current
 * advance directive (the newest active Consent with scope adr, and the signed original's
 * DocumentReference), active medications and allergies. Each entry is shown only if the caller may read
 * it: under break-glass that is exactly this set; a care worker gets the sheet and allergies but no
 * medications. Everything is found by point lookups on the patient's search keys, and audited like a read.
 */
public final class EmergencySummary implements OperationProvider {

    private final ResourceOperations operations;
    private final SearchExecutor searches;

    public EmergencySummary(ResourceOperations operations, SearchExecutor searches) {
        this.operations = operations;
        this.searches = searches;
    }

    @Operation(name = "$emergency-summary", type = Patient.class, idempotent = true)
    public Bundle summary(@IdParam IdType id) {
        String patient = id.getIdPart();
        StoredResource person = operations.readCurrent("Patient", patient);
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION).setTimestamp(new Date());
        add(bundle, person);
        List<StoredResource> documents = visible("DocumentReference", patient);
        // the structured sheet: a document Bundle or a Composition, whichever is newer
        Optional<StoredResource> sheetComposition = newest(visible("Composition", patient), Composition.class,
                c -> "emergency-sheet".equals(c.kind()) && isFinal(c.resource()));
        Optional<StoredResource> sheetDocument = newest(visible("Bundle", patient), Bundle.class,
                c -> "emergency-sheet".equals(c.kind()) && c.resource().getEntryFirstRep().getResource() instanceof Composition composition
                        && isFinal(composition));
        Stream.of(sheetComposition, sheetDocument).flatMap(Optional::stream)
                .max(Comparator.comparingLong(StoredResource::lastUpdated)).ifPresent(r -> add(bundle, r));
        newest(documents, DocumentReference.class,
                c -> "emergency-sheet".equals(c.kind()) && isCurrent(c.resource())).ifPresent(r -> add(bundle, r));
        newest(visible("Consent", patient), Consent.class,
                c -> "adr".equals(c.kind()) && c.resource().getStatus() == Consent.ConsentState.ACTIVE).ifPresent(r -> add(bundle, r));
        newest(documents, DocumentReference.class,
                c -> "advance-directive".equals(c.kind()) && isCurrent(c.resource())).ifPresent(r -> add(bundle, r));
        for (StoredResource r : visible("MedicationStatement", patient)) {
            if ("active".equals(r.labels().kind())) {
                add(bundle, r);
            }
        }
        for (StoredResource r : visible("AllergyIntolerance", patient)) {
            AllergyIntolerance allergy = (AllergyIntolerance) operations.toResource(r);
            boolean resolved = allergy.getClinicalStatus().getCoding().stream()
                    .anyMatch(c -> "resolved".equals(c.getCode()) || "inactive".equals(c.getCode()));
            boolean refuted = allergy.getVerificationStatus().getCoding().stream()
                    .anyMatch(c -> "refuted".equals(c.getCode()) || "entered-in-error".equals(c.getCode()));
            if (!resolved && !refuted) {
                add(bundle, r);
            }
        }
        bundle.setTotal(bundle.getEntry().size());
        return bundle;
    }

    /** The patient's current records of a type that the caller may read. */
    private List<StoredResource> visible(String type, String patient) {
        return operations.readable(searches.aboutPatient(type, patient, true), 'r');
    }

    private record Candidate<T extends Resource>(StoredResource stored, T resource) {
        String kind() {
            return stored.labels() == null ? null : stored.labels().kind();
        }
    }

    private <T extends Resource> Optional<StoredResource> newest(List<StoredResource> records, Class<T> type,
                                                                 java.util.function.Predicate<Candidate<T>> wanted) {
        List<Candidate<T>> candidates = new ArrayList<>();
        for (StoredResource r : records) {
            candidates.add(new Candidate<>(r, type.cast(operations.toResource(r))));
        }
        return candidates.stream().filter(wanted).max(Comparator.comparingLong(c -> c.stored().lastUpdated()))
                .map(Candidate::stored);
    }

    private static boolean isFinal(Composition c) {
        return c.getStatus() == Composition.CompositionStatus.FINAL || c.getStatus() == Composition.CompositionStatus.AMENDED;
    }

    private static boolean isCurrent(DocumentReference d) {
        return d.getStatus() == Enumerations.DocumentReferenceStatus.CURRENT;
    }

    /** Adds a record the caller may read; only what is shown is recorded in the audit event. */
    private void add(Bundle bundle, StoredResource stored) {
        operations.visible(List.of(stored), 'r');
        Resource resource = operations.toResource(stored);
        bundle.addEntry().setFullUrl(stored.type() + "/" + stored.id()).setResource(resource);
    }
}
