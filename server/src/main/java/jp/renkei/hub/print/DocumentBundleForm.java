package jp.renkei.hub.print;

import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * A FHIR document (Bundle of type document: discharge handoff 退院時情報提供書, emergency contact sheet
 * 緊急時連絡票, …) as its paper form: 文書情報 (title, date, authors, custodian), then the Composition's
 * sections in order, each with its narrative and one row per referenced entry, resolved inside the Bundle.
 * Nested sections follow their parent, titled 親／子. Nothing here knows particular sections, so a new
 * section in a profile prints without code changes.
 */
final class DocumentBundleForm {

    static final String CARE_DOCUMENT = "http://renkei.example.jp/fhir/CodeSystem/care-document";
    /** Form titles of the care-document types that have a paper form of that name. */
    private static final Map<String, String> TITLES = Map.of(
            "discharge-summary", "退院時情報提供書",
            "emergency-sheet", "緊急時連絡票",
            "admission-info", "入院時情報提供書",
            "nursing-report", "訪問看護報告書",
            "medication-report", "服薬情報提供書",
            "contact-form", "主治医・ケアマネジャー連絡票",
            "care-plan", "居宅サービス計画書");

    private final ZoneId zone;

    DocumentBundleForm(ZoneId zone) {
        this.zone = zone;
    }

    /** Whether the Bundle is a document this renders: type document with a Composition first. */
    static boolean isDocument(Bundle bundle) {
        return bundle.getType() == Bundle.BundleType.DOCUMENT
                && bundle.hasEntry()
                && bundle.getEntryFirstRep().getResource() instanceof Composition;
    }

    PrintForm render(Bundle bundle) {
        Composition composition = (Composition) bundle.getEntryFirstRep().getResource();
        Resolver resolver = new Resolver(bundle);
        EntrySummaries summaries = new EntrySummaries(resolver::resolve, zone);
        String code = composition.getType().getCoding().stream()
                .filter(c -> CARE_DOCUMENT.equals(c.getSystem()))
                .map(Coding::getCode)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
        String title = code != null && TITLES.containsKey(code)
                ? TITLES.get(code)
                : composition.hasTitle() ? composition.getTitle() : FhirText.concept(composition.getType());
        Resource subject = resolver.resolve(composition.getSubject());
        PrintForm.PatientBox patient = FhirText.patientBox(
                subject instanceof Patient p ? p : null,
                composition.getSubject().getDisplay(),
                zone);

        PrintForm form = new PrintForm(
                title.isBlank() ? "文書" : title, patient, new java.util.ArrayList<>(), code == null ? "document" : code);
        PrintForm.Section about = new PrintForm.Section("文書情報")
                .add("文書名", composition.getTitle())
                .add("作成日", composition.hasDate() ? JapaneseDates.dateTime(composition.getDateElement(), zone) : "")
                .add(
                        "作成者",
                        composition.getAuthor().stream()
                                .map(summaries::display)
                                .filter(s -> !s.isBlank())
                                .collect(Collectors.joining("、")))
                .add("作成機関", summaries.display(composition.getCustodian()))
                .add("文書の状態", status(composition.getStatus()));
        form.sections().add(about);
        for (Composition.SectionComponent section : composition.getSection()) {
            addSection(form, section, "", resolver, summaries);
        }
        return form;
    }

    private void addSection(
            PrintForm form,
            Composition.SectionComponent section,
            String parent,
            Resolver resolver,
            EntrySummaries summaries) {
        String own = section.hasTitle() ? section.getTitle() : FhirText.concept(section.getCode());
        String title = parent.isEmpty() ? own : parent + "／" + own;
        PrintForm.Section printed = new PrintForm.Section(title.isBlank() ? "（無題）" : title);
        if (section.hasText() && section.getText().hasDiv()) {
            printed.add("", FhirText.narrative(section.getText().getDiv()));
        }
        for (Reference entry : section.getEntry()) {
            Resource target = resolver.resolve(entry);
            if (target == null) {
                printed.add("参照", entry.hasDisplay() ? entry.getDisplay() : "（文書内に見つかりません）");
            } else {
                PrintForm.Row row = summaries.summarise(target);
                printed.add(row.label(), row.value().isBlank() ? "（記載なし）" : row.value());
            }
        }
        if (printed.rows().isEmpty() && section.hasEmptyReason()) {
            printed.add("", "記載なし（" + FhirText.concept(section.getEmptyReason()) + "）");
        }
        if (!printed.rows().isEmpty() || section.getSection().isEmpty()) {
            form.sections().add(printed);
        }
        for (Composition.SectionComponent child : section.getSection()) {
            addSection(form, child, title, resolver, summaries);
        }
    }

    private static String status(Composition.CompositionStatus status) {
        if (status == null) {
            return "";
        }
        return switch (status) {
            case PRELIMINARY -> "暫定";
            case FINAL -> "確定";
            case AMENDED -> "修正済み";
            case ENTEREDINERROR -> "入力誤り";
            default -> "";
        };
    }

    /** Finds a referenced record inside the Bundle by fullUrl, or by type and id. */
    static final class Resolver {

        private final Map<String, Resource> byKey = new HashMap<>();

        Resolver(Bundle bundle) {
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                Resource resource = entry.getResource();
                if (resource == null) {
                    continue;
                }
                if (entry.hasFullUrl()) {
                    byKey.put(entry.getFullUrl(), resource);
                    String tail = typeAndId(entry.getFullUrl());
                    if (tail != null) {
                        byKey.putIfAbsent(tail, resource);
                    }
                }
                if (resource.hasIdElement() && resource.getIdElement().hasIdPart()) {
                    byKey.putIfAbsent(
                            resource.fhirType() + "/" + resource.getIdElement().getIdPart(), resource);
                }
            }
        }

        Resource resolve(Reference reference) {
            if (reference == null || !reference.hasReference()) {
                return null;
            }
            String ref = reference.getReference();
            Resource found = byKey.get(ref);
            if (found == null) {
                String tail = typeAndId(ref);
                found = tail == null ? null : byKey.get(tail);
            }
            return found;
        }

        /** "Patient/123" of an absolute or relative URL, also of one with _history; null for urn:uuid. */
        private static String typeAndId(String url) {
            if (url.startsWith("urn:")) {
                return null;
            }
            List<String> parts = List.of(url.split("/"));
            int history = parts.indexOf("_history");
            int end = history > 0 ? history : parts.size();
            return end >= 2 ? parts.get(end - 2) + "/" + parts.get(end - 1) : null;
        }
    }
}
