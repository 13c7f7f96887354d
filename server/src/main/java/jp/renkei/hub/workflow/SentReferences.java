package jp.renkei.hub.workflow;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.context.Permission;
import jp.renkei.hub.fhir.Unprocessable;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * What a sent item points at must be there, or nobody could act on it: a recipient is an Organization,
 * PractitionerRole or Practitioner of this hub's directory; the patient it is about, its authors and every other
 * reference that is not to an entry of the document are records of this hub the sender may refer to (directory
 * entries and the patient the sender writes about: that they exist; any other record: that the sender may read it).
 * The first reference that is not is a 422 naming the element and the reference, worded the same whether the record
 * is missing or hidden from the sender, so the answer tells nothing of other people's records. The records are
 * looked up together, one read per type.
 */
final class SentReferences {

    private static final Pattern LOCAL =
            Pattern.compile("([A-Z][A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?");
    private static final Pattern RESTFUL =
            Pattern.compile("(.*/)?[A-Z][A-Za-z]+/[A-Za-z0-9\\-.]{1,64}(?:/_history/[^/]+)?");
    private static final Set<String> DIRECTORY = Set.of("Organization", "PractitionerRole", "Practitioner");

    /** How a reference is held: a recipient, the patient, an author, or any other. */
    enum Kind {
        RECIPIENT,
        SUBJECT,
        AUTHOR,
        OTHER
    }

    /** Which references of a sent item are its recipients, its patient and its authors, by their FHIRPath. */
    record Roles(String recipients, String subject, String authors) {
        Kind of(String path) {
            if (path.startsWith(recipients)) {
                return Kind.RECIPIENT;
            }
            if (path.equals(subject)) {
                return Kind.SUBJECT;
            }
            return authors != null && path.startsWith(authors + "[") ? Kind.AUTHOR : Kind.OTHER;
        }
    }

    private record Pointer(String path, String reference, String fullUrl, Kind kind) {}

    private final FhirContext fhirContext;
    private final Records records;
    private final AccessGuard guard;

    SentReferences(FhirContext fhirContext, Records records, AccessGuard guard) {
        this.fhirContext = fhirContext;
        this.records = records;
        this.guard = guard;
    }

    /** Refuses the sent item (422) at its first reference that does not resolve as its kind must. */
    void check(Resource sent, Roles roles) {
        Entries entries = Entries.of(sent);
        List<Pointer> pointers = new ArrayList<>();
        if (sent instanceof Bundle bundle) {
            for (int i = 0; i < bundle.getEntry().size(); i++) {
                Bundle.BundleEntryComponent entry = bundle.getEntry().get(i);
                if (entry.getResource() != null) {
                    walk(entry.getResource(), "Bundle.entry[" + i + "].resource", entry.getFullUrl(), roles, pointers);
                }
            }
        } else {
            walk(sent, sent.fhirType(), null, roles, pointers);
        }
        Map<Pointer, String> toLookUp = new LinkedHashMap<>();
        Map<String, Set<String>> idsByType = new LinkedHashMap<>();
        for (Pointer pointer : pointers) {
            boolean inTheDocument = entries.contains(pointer.reference(), pointer.fullUrl());
            if (inTheDocument && pointer.kind() == Kind.OTHER) {
                continue;
            }
            String key = entries.hubKey(pointer.reference(), pointer.fullUrl());
            if (key == null || !fhirContext.getResourceTypes().contains(key.substring(0, key.indexOf('/')))) {
                throw unresolved(pointer);
            }
            toLookUp.put(pointer, key);
            idsByType
                    .computeIfAbsent(key.substring(0, key.indexOf('/')), t -> new LinkedHashSet<>())
                    .add(key.substring(key.indexOf('/') + 1));
        }
        Map<String, StoredResource> found = new HashMap<>();
        idsByType.forEach((type, ids) -> records.readCurrent(type, new ArrayList<>(ids), false).stream()
                .filter(r -> !r.deleted())
                .forEach(r -> found.put(type + "/" + r.id(), r)));
        for (Map.Entry<Pointer, String> lookup : toLookUp.entrySet()) {
            Pointer pointer = lookup.getKey();
            String type = lookup.getValue().substring(0, lookup.getValue().indexOf('/'));
            StoredResource record = found.get(lookup.getValue());
            boolean existenceSuffices = DIRECTORY.contains(type) || pointer.kind() == Kind.SUBJECT;
            boolean resolves = record != null
                    && (pointer.kind() != Kind.RECIPIENT || DIRECTORY.contains(type))
                    && (existenceSuffices
                            || !guard.visible(List.of(record), Permission.READ).isEmpty());
            if (!resolves) {
                throw unresolved(pointer);
            }
        }
    }

    /** Refuses (422 at {@code path}) an addressee that is not an Organization, PractitionerRole or Practitioner of the directory. */
    void checkAddressee(String path, String reference) {
        Matcher local = LOCAL.matcher(reference);
        StoredResource record = local.matches() && DIRECTORY.contains(local.group(1))
                ? records.read(local.group(1), local.group(2))
                : null;
        if (record == null || record.deleted()) {
            throw unresolved(new Pointer(path, reference, null, Kind.RECIPIENT));
        }
    }

    private RuntimeException unresolved(Pointer pointer) {
        String ref = pointer.reference();
        String message = pointer.kind() == Kind.RECIPIENT
                ? "送付先 " + ref + " はこのハブの名簿（Organization / PractitionerRole / Practitioner）にありません (the recipient " + ref
                        + " is not an Organization, PractitionerRole or Practitioner in this hub's directory)"
                : "参照先 " + ref + " は、文書の中にも、このハブであなたが参照できる記録の中にも見つかりません (" + ref
                        + " is neither an entry of the document nor a record of this hub you may refer to)";
        return Unprocessable.at(fhirContext, pointer.path(), OperationOutcome.IssueType.NOTFOUND, message);
    }

    /**
     * Every Reference under {@code element} with its FHIRPath: a repeating element by index, an extension by its url and
     * its index among those ({@code extension('…')[0]}), a choice by its name ({@code value}).
     */
    private void walk(Base element, String path, String fullUrl, Roles roles, List<Pointer> out) {
        for (Property property : element.children()) {
            List<Base> values = property.getValues();
            String name = property.getName().replace("[x]", "");
            Map<String, Integer> byUrl = new HashMap<>();
            for (int i = 0; i < values.size(); i++) {
                Base value = values.get(i);
                String at;
                if (value instanceof Extension extension
                        && (name.equals("extension") || name.equals("modifierExtension"))) {
                    int nth = byUrl.merge(String.valueOf(extension.getUrl()), 1, Integer::sum) - 1;
                    at = path + "." + name + "('" + extension.getUrl() + "')[" + nth + "]";
                } else {
                    at = path + "." + name + (property.getMaxCardinality() > 1 ? "[" + i + "]" : "");
                }
                if (value instanceof Reference reference
                        && reference.hasReference()
                        && !reference.getReference().startsWith("#")) {
                    out.add(new Pointer(at, reference.getReference(), fullUrl, roles.of(at)));
                }
                walk(value, at, fullUrl, roles, out);
            }
        }
    }

    /**
     * The entries of a document by {@code fullUrl}, for FHIR's rules on references inside a Bundle: a reference that is
     * an entry's fullUrl is that entry; a relative one ({@code Type/id}) from an entry with a RESTful fullUrl is the
     * entry at the same base, if there is one. Anything else is a record of this hub ({@code Type/id}) or nothing.
     */
    record Entries(Map<String, Resource> byFullUrl) {

        static Entries of(Resource sent) {
            Map<String, Resource> byFullUrl = new HashMap<>();
            if (sent instanceof Bundle bundle) {
                for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                    if (entry.hasFullUrl() && entry.getResource() != null) {
                        byFullUrl.put(entry.getFullUrl(), entry.getResource());
                    }
                }
            }
            return new Entries(byFullUrl);
        }

        /** The entry a reference from the entry at {@code fromFullUrl} points at, or null. */
        Resource resolve(String reference, String fromFullUrl) {
            if (reference == null) {
                return null;
            }
            Resource direct = byFullUrl.get(reference);
            if (direct != null) {
                return direct;
            }
            if (fromFullUrl != null && LOCAL.matcher(reference).matches()) {
                Matcher restful = RESTFUL.matcher(fromFullUrl);
                if (restful.matches() && restful.group(1) != null) {
                    return byFullUrl.get(restful.group(1) + reference.replaceFirst("/_history/.*", ""));
                }
            }
            return null;
        }

        boolean contains(String reference, String fromFullUrl) {
            return resolve(reference, fromFullUrl) != null;
        }

        /**
         * The record of this hub a reference names ({@code Type/id}), or null: a relative reference names it itself; a
         * {@code urn:} reference to an entry names the record whose id the entry's resource has (as the labels take it).
         */
        String hubKey(String reference, String fromFullUrl) {
            Matcher local = LOCAL.matcher(reference);
            if (local.matches()) {
                return local.group(1) + "/" + local.group(2);
            }
            Resource entry = reference.startsWith("urn:") ? resolve(reference, fromFullUrl) : null;
            return entry != null && entry.getIdElement().hasIdPart()
                    ? entry.fhirType() + "/" + entry.getIdElement().getIdPart()
                    : null;
        }
    }
}
