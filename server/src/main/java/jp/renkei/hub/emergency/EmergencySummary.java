package jp.renkei.hub.emergency;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import jp.renkei.hub.context.Permission;
import jp.renkei.hub.fhir.OperationProvider;
import jp.renkei.hub.fhir.ResourceOperations;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;

/**
 * {@code GET /fhir/Patient/{id}/$emergency-summary}: what an on-call doctor or an ambulance crew needs
 * first, in one Bundle (type {@code collection}): the patient, the current emergency contact sheet
 * (緊急時連絡票: the newest final document Bundle or Composition of that kind, and the current
 * DocumentReference of that kind, e.g. a scanned sheet), the current advance directive (the newest active
 * Consent with scope adr, and the signed original's DocumentReference), active medications and
 * allergies. Each entry is shown only if the caller may read it: under break-glass that is exactly this
 * set; a care worker gets the sheet and allergies but no medications. Everything is found by point lookups
 * on the patient's search keys; candidates are chosen by their labels (kind, time) and only the chosen
 * bodies are read, and what is shown is audited like a read.
 */
public final class EmergencySummary implements OperationProvider {

    private static final Comparator<StoredResource> NEWEST_FIRST =
            Comparator.comparingLong(StoredResource::lastUpdated).reversed();
    private static final List<String> TYPES = List.of(
            "Bundle", "Composition", "DocumentReference", "Consent", "MedicationStatement", "AllergyIntolerance");

    private final ResourceOperations operations;
    private final SearchExecutor searches;
    private final Records records;

    public EmergencySummary(ResourceOperations operations, SearchExecutor searches, Records records) {
        this.operations = operations;
        this.searches = searches;
        this.records = records;
    }

    @Operation(name = "$emergency-summary", type = Patient.class, idempotent = true)
    public Bundle summary(@IdParam IdType id) {
        Lookup lookup = new Lookup(id.getIdPart());
        StoredResource person = operations.readCurrent("Patient", lookup.patient);
        Map<StoredResource, Resource> shown = new LinkedHashMap<>();
        shown.put(person, operations.records().resource(person));
        lookup.newest(List.of("Bundle", "Composition"), "emergency-sheet", EmergencySummary::isFinalSheet)
                .ifPresent(shown::putAll);
        lookup.newest(List.of("DocumentReference"), "emergency-sheet", EmergencySummary::isCurrent)
                .ifPresent(shown::putAll);
        lookup.newest(List.of("Consent"), "adr", r -> ((Consent) r).getStatus() == Consent.ConsentState.ACTIVE)
                .ifPresent(shown::putAll);
        lookup.newest(List.of("DocumentReference"), "advance-directive", EmergencySummary::isCurrent)
                .ifPresent(shown::putAll);
        shown.putAll(lookup.all("MedicationStatement", "active", r -> true));
        shown.putAll(lookup.all("AllergyIntolerance", null, EmergencySummary::isRelevantAllergy));

        // recorded as shown (and checked once more) only now, so the audit names exactly what is in the Bundle
        List<StoredResource> entries = new ArrayList<>(List.of(person));
        entries.addAll(operations.visible(new ArrayList<>(shown.keySet()).subList(1, shown.size()), Permission.READ));
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION).setTimestamp(new Date());
        for (StoredResource stored : entries) {
            Resource resource = shown.get(stored);
            if (resource instanceof OperationOutcome refused) {
                bundle.addEntry().setResource(refused); // in place of a record that failed its integrity check
            } else {
                bundle.addEntry().setFullUrl(stored.type() + "/" + stored.id()).setResource(resource);
            }
        }
        bundle.setTotal(bundle.getEntry().size());
        return bundle;
    }

    /** One request's look at the patient's records: labels first, bodies only of the candidates. */
    private final class Lookup {
        private final String patient;
        private final Map<String, List<StoredResource>> readable = new HashMap<>();

        Lookup(String patient) {
            this.patient = patient;
        }

        /** The patient's current records of a type that the caller may read, without bodies. */
        private List<StoredResource> readable(String type) {
            if (readable.isEmpty()) {
                searches.aboutPatient(TYPES, patient)
                        .forEach((t, records) -> readable.put(t, operations.readable(records, Permission.READ)));
            }
            return readable.get(type);
        }

        /** The newest record of the kind among the types that passes {@code wanted}, with its body. */
        Optional<Map<StoredResource, Resource>> newest(List<String> types, String kind, Predicate<Resource> wanted) {
            List<StoredResource> candidates = new ArrayList<>();
            types.forEach(type ->
                    readable(type).stream().filter(r -> kind.equals(kindOf(r))).forEach(candidates::add));
            candidates.sort(NEWEST_FIRST);
            for (StoredResource candidate : candidates) {
                StoredResource withBody = body(candidate);
                Resource resource = withBody == null ? null : operations.toResourceOrRefusal(withBody);
                if (resource instanceof OperationOutcome) {
                    // the newest one cannot be trusted: say so rather than show an older one as if it were current
                    return Optional.of(Map.of(withBody, resource));
                }
                if (resource != null && wanted.test(resource)) {
                    return Optional.of(Map.of(withBody, resource));
                }
            }
            return Optional.empty();
        }

        /** Every record of the type (and kind, unless null) that passes {@code wanted}, with bodies. */
        Map<StoredResource, Resource> all(String type, String kind, Predicate<Resource> wanted) {
            List<String> ids = readable(type).stream()
                    .filter(r -> kind == null || kind.equals(kindOf(r)))
                    .sorted(NEWEST_FIRST)
                    .map(StoredResource::id)
                    .toList();
            Map<StoredResource, Resource> found = new LinkedHashMap<>();
            if (ids.isEmpty()) {
                return found;
            }
            for (StoredResource r : records.readCurrent(type, new ArrayList<>(ids), true)) {
                Resource resource = r.deleted() ? null : operations.toResourceOrRefusal(r);
                if (resource != null && (resource instanceof OperationOutcome || wanted.test(resource))) {
                    found.put(r, resource);
                }
            }
            return found;
        }

        private StoredResource body(StoredResource labelsOnly) {
            List<StoredResource> read =
                    records.readCurrent(labelsOnly.type(), new ArrayList<>(List.of(labelsOnly.id())), true);
            return read.isEmpty() || read.get(0).deleted() ? null : read.get(0);
        }
    }

    private static String kindOf(StoredResource stored) {
        return stored.labels().kind();
    }

    private static boolean isFinalSheet(Resource resource) {
        Composition composition = resource instanceof Bundle document
                        && document.getEntryFirstRep().getResource() instanceof Composition c
                ? c
                : resource instanceof Composition c ? c : null;
        return composition != null
                && (composition.getStatus() == Composition.CompositionStatus.FINAL
                        || composition.getStatus() == Composition.CompositionStatus.AMENDED);
    }

    private static boolean isCurrent(Resource resource) {
        return ((DocumentReference) resource).getStatus() == Enumerations.DocumentReferenceStatus.CURRENT;
    }

    private static boolean isRelevantAllergy(Resource resource) {
        AllergyIntolerance allergy = (AllergyIntolerance) resource;
        boolean resolved = allergy.getClinicalStatus().getCoding().stream()
                .anyMatch(c -> "resolved".equals(c.getCode()) || "inactive".equals(c.getCode()));
        boolean refuted = allergy.getVerificationStatus().getCoding().stream()
                .anyMatch(c -> "refuted".equals(c.getCode()) || "entered-in-error".equals(c.getCode()));
        return !resolved && !refuted;
    }
}
