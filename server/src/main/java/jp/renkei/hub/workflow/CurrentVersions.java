package jp.renkei.hub.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.context.Permission;
import jp.renkei.hub.store.Labeler;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.WriteRule;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations.DocumentReferenceStatus;
import org.hl7.fhir.r4.model.Reference;

/**
 * Exactly one current version of the documents a patient has only one of at a time: the advance directive
 * (事前指示書; ACP is revisited, each revision is a new record) and the emergency contact sheet. When a new
 * one becomes current, the hub marks the previous ones superseded in the same write, and they stay
 * readable: an advance directive Consent becomes {@code inactive} with the extension {@code superseded-by}
 * naming its successor; a DocumentReference becomes {@code superseded}, and the new one {@code replaces} it
 * ({@code relatesTo}, added by the hub for those the caller may read). A DocumentReference that says it
 * replaces another of the same patient written by the same organisation supersedes that one, whatever its kind.
 * An advance directive Consent supersedes the patient's active ones whoever wrote them: the newest wishes govern.
 */
final class CurrentVersions implements WriteRule {

    public static final String SUPERSEDED_BY = "http://renkei.example.jp/fhir/StructureDefinition/superseded-by";
    /** Document kinds with one current version per patient. */
    private static final Set<String> ONE_CURRENT = Set.of("advance-directive", "emergency-sheet");

    private final Records records;
    private final Labeler labeler;
    private final SearchExecutor searches;
    private final AccessGuard guard;

    public CurrentVersions(Records records, Labeler labeler, SearchExecutor searches, AccessGuard guard) {
        this.records = records;
        this.labeler = labeler;
        this.searches = searches;
        this.guard = guard;
    }

    /** A new current document of a one-current kind replaces the current ones it does not name yet. */
    @Override
    public void apply(WriteRequest request, StoredResource before, Caller caller) {
        if (request.resource() instanceof DocumentReference document
                && document.getStatus() == DocumentReferenceStatus.CURRENT) {
            Label label = label(request);
            if (label == null || label.kind() == null || !ONE_CURRENT.contains(label.kind())) {
                return;
            }
            for (StoredResource other : searches.aboutPatient("DocumentReference", label.patient(), true)) {
                DocumentReference previous = parse(other, DocumentReference.class);
                boolean replaced = document.getRelatesTo().stream()
                        .anyMatch(r -> names(r.getTarget(), "DocumentReference", other.id()));
                // named only if the caller may read it: the answer must not reveal records the Consent hides
                if (!other.id().equals(request.id())
                        && label.kind().equals(kind(other))
                        && previous.getStatus() == DocumentReferenceStatus.CURRENT
                        && !replaced
                        && !guard.visible(List.of(other), Permission.READ).isEmpty()) {
                    document.addRelatesTo()
                            .setCode(DocumentReference.DocumentRelationshipType.REPLACES)
                            .setTarget(new Reference("DocumentReference/" + other.id()));
                }
            }
        }
    }

    @Override
    public List<WriteRequest> consequences(WriteRequest request, StoredResource before, Caller caller) {
        if (request.resource() instanceof Consent consent
                && consent.getStatus() == Consent.ConsentState.ACTIVE
                && isAdr(consent)) {
            return supersedeAdvanceDirectives(request);
        }
        if (request.resource() instanceof DocumentReference document
                && document.getStatus() == DocumentReferenceStatus.CURRENT) {
            return supersedeDocuments(request, document);
        }
        return List.of();
    }

    private List<WriteRequest> supersedeAdvanceDirectives(WriteRequest request) {
        Label label = label(request);
        if (label == null) {
            return List.of();
        }
        List<WriteRequest> writes = new ArrayList<>();
        for (StoredResource other : searches.aboutPatient("Consent", label.patient(), true)) {
            Consent previous = parse(other, Consent.class);
            if (!other.id().equals(request.id())
                    && isAdr(previous)
                    && previous.getStatus() == Consent.ConsentState.ACTIVE) {
                previous.setStatus(Consent.ConsentState.INACTIVE);
                previous.getExtension().removeIf(e -> SUPERSEDED_BY.equals(e.getUrl()));
                previous.addExtension(SUPERSEDED_BY, new Reference("Consent/" + request.id()));
                writes.add(new WriteRequest("Consent", other.id(), previous, other.version(), null));
            }
        }
        return writes;
    }

    /**
     * A new current document of a one-current kind supersedes every current one of that kind (also those the
     * caller may not read, which the answer does not name); a document that says it replaces another
     * supersedes it only when both were written by the same organisation.
     */
    private List<WriteRequest> supersedeDocuments(WriteRequest request, DocumentReference document) {
        Label label = label(request);
        if (label == null) {
            return List.of();
        }
        boolean oneCurrent = label.kind() != null && ONE_CURRENT.contains(label.kind());
        List<WriteRequest> writes = new ArrayList<>();
        for (StoredResource other : searches.aboutPatient("DocumentReference", label.patient(), true)) {
            if (other.id().equals(request.id())) {
                continue;
            }
            boolean named = document.getRelatesTo().stream()
                    .anyMatch(r -> r.getCode() == DocumentReference.DocumentRelationshipType.REPLACES
                            && names(r.getTarget(), "DocumentReference", other.id()));
            boolean sameOrganisation = request.owner() != null
                    && request.owner().equals(other.labels().owner());
            boolean supersede = (oneCurrent && label.kind().equals(kind(other))) || (named && sameOrganisation);
            DocumentReference previous = parse(other, DocumentReference.class);
            if (supersede && previous.getStatus() == DocumentReferenceStatus.CURRENT) {
                previous.setStatus(DocumentReferenceStatus.SUPERSEDED);
                writes.add(new WriteRequest("DocumentReference", other.id(), previous, other.version(), null));
            }
        }
        return writes;
    }

    private record Label(String patient, String kind) {}

    private Label label(WriteRequest request) {
        var labels = labeler.label(request.id(), request.resource());
        return labels.patients().isEmpty() ? null : new Label(labels.patients().get(0), labels.kind());
    }

    private static String kind(StoredResource stored) {
        return stored.labels().kind();
    }

    private static boolean isAdr(Consent consent) {
        return consent.getScope().getCoding().stream()
                .anyMatch(c -> "adr".equals(c.getCode())
                        && "http://terminology.hl7.org/CodeSystem/consentscope".equals(c.getSystem()));
    }

    private static boolean names(Reference reference, String type, String id) {
        return (type + "/" + id).equals(reference.getReference());
    }

    /**
     * A stored version once it passed the read check: the hub seals the superseded versions it writes, so one changed
     * in the database refuses the whole write rather than come out sealed as sound.
     */
    private <T extends org.hl7.fhir.r4.model.Resource> T parse(StoredResource stored, Class<T> type) {
        return records.resource(stored, type);
    }
}
