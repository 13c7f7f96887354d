package jp.renkei.hub.print;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DeviceRequest;
import org.hl7.fhir.r4.model.DeviceUseStatement;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * One row per record a document section refers to: a label naming what it is (病名, 薬剤, アレルギー…;
 * an Observation is labelled by its code) and the few facts a reader of the paper form needs.
 * References between records are resolved by the caller's resolver (inside the document Bundle).
 */
final class EntrySummaries {

    /** What an Encounter's class says it was (v3 ActCode), when it has no type. */
    private static final Map<String, String> ENCOUNTER_CLASSES = Map.of(
            "IMP", "入院", "ACUTE", "入院", "NONAC", "入院", "SS", "短期入院", "AMB", "外来受診", "EMER", "救急受診", "HH", "訪問（在宅）",
            "VR", "オンライン診療");

    private final Function<Reference, Resource> resolver;
    private final ZoneId zone;

    EntrySummaries(Function<Reference, Resource> resolver, ZoneId zone) {
        this.resolver = resolver;
        this.zone = zone;
    }

    PrintForm.Row summarise(Resource resource) {
        if (resource instanceof Condition c) {
            return row(
                    "病名",
                    join(
                            "　",
                            FhirText.concept(c.getCode()),
                            c.hasOnset() ? "発症 " + FhirText.value(c.getOnset(), zone) : "",
                            severity(c)),
                    FhirText.notes(c.getNote()));
        }
        if (resource instanceof MedicationStatement m) {
            return row(
                    "薬剤",
                    join(
                            "　",
                            m.hasMedicationCodeableConcept()
                                    ? FhirText.concept(m.getMedicationCodeableConcept())
                                    : display(m.getMedicationReference()),
                            m.getDosage().stream()
                                    .map(this::dosage)
                                    .filter(s -> !s.isBlank())
                                    .collect(Collectors.joining("／")),
                            labelled("情報提供", display(m.getInformationSource()))),
                    FhirText.notes(m.getNote()));
        }
        if (resource instanceof MedicationRequest m) {
            return row(
                    "処方",
                    join(
                            "　",
                            m.hasMedicationCodeableConcept()
                                    ? FhirText.concept(m.getMedicationCodeableConcept())
                                    : display(m.getMedicationReference()),
                            m.getDosageInstruction().stream()
                                    .map(this::dosage)
                                    .filter(s -> !s.isBlank())
                                    .collect(Collectors.joining("／")),
                            labelled("処方医", display(m.getRequester()))),
                    FhirText.notes(m.getNote()));
        }
        if (resource instanceof AllergyIntolerance a) {
            List<Annotation> notes = new ArrayList<>(a.getNote());
            a.getReaction().forEach(r -> notes.addAll(r.getNote()));
            return row(
                    "アレルギー",
                    join("　", FhirText.concept(a.getCode()), reactions(a), criticality(a)),
                    FhirText.notes(notes));
        }
        if (resource instanceof RelatedPerson r) {
            return row(
                    "家族・関係者",
                    join(
                            "　",
                            names(r.getName()),
                            r.hasRelationship() ? "（" + FhirText.concepts(r.getRelationship()) + "）" : "",
                            phone(FhirText.phones(r.getTelecom())),
                            labelled("住所", FhirText.addresses(r.getAddress()))));
        }
        if (resource instanceof PractitionerRole r) {
            return row(
                    "担当者",
                    join(
                            "　",
                            display(r.getPractitioner()),
                            FhirText.concepts(r.getCode()),
                            FhirText.concepts(r.getSpecialty()),
                            display(r.getOrganization()),
                            phone(FhirText.phones(r.getTelecom()))));
        }
        if (resource instanceof Practitioner p) {
            return row("担当者", join("　", names(p.getName()), phone(FhirText.phones(p.getTelecom()))));
        }
        if (resource instanceof Organization o) {
            return row(
                    "事業所・機関",
                    join(
                            "　",
                            o.getName(),
                            o.hasType() ? "（" + FhirText.concepts(o.getType()) + "）" : "",
                            phone(FhirText.phones(o.getTelecom())),
                            labelled("住所", FhirText.addresses(o.getAddress()))));
        }
        if (resource instanceof Observation o) {
            String code = FhirText.concept(o.getCode());
            return row(code.isBlank() ? "観察" : code, observation(o), FhirText.notes(o.getNote()));
        }
        if (resource instanceof Procedure p) {
            return row(
                    "処置",
                    join(
                            "　",
                            FhirText.concept(p.getCode()),
                            labelled("部位", FhirText.concepts(p.getBodySite())),
                            p.hasPerformed() ? FhirText.value(p.getPerformed(), zone) : ""),
                    FhirText.notes(p.getNote()));
        }
        if (resource instanceof DeviceUseStatement d) {
            return row(
                    "医療機器",
                    join("　", display(d.getDevice()), FhirText.concepts(d.getReasonCode())),
                    FhirText.notes(d.getNote()));
        }
        if (resource instanceof DeviceRequest d) {
            return row(
                    "福祉用具・機器",
                    join(
                            "　",
                            d.hasCodeCodeableConcept()
                                    ? FhirText.concept(d.getCodeCodeableConcept())
                                    : display(d.getCodeReference()),
                            d.hasOccurrence() ? FhirText.value(d.getOccurrence(), zone) : "",
                            labelled("依頼者", display(d.getRequester()))),
                    FhirText.notes(d.getNote()));
        }
        if (resource instanceof ServiceRequest r) {
            return row(
                    "依頼",
                    join(
                            "　",
                            FhirText.concept(r.getCode()),
                            r.hasOccurrence() ? FhirText.value(r.getOccurrence(), zone) : "",
                            labelled(
                                    "依頼先",
                                    r.getPerformer().stream()
                                            .map(this::display)
                                            .filter(s -> !s.isBlank())
                                            .collect(Collectors.joining("、"))),
                            FhirText.concepts(r.getReasonCode())),
                    FhirText.notes(r.getNote()));
        }
        if (resource instanceof CarePlan p) {
            return row(
                    "計画",
                    join("　", p.getTitle(), p.getDescription(), FhirText.period(p.getPeriod(), zone)),
                    String.join(
                            "\n",
                            p.getActivity().stream()
                                    .map(a -> join(
                                            "　",
                                            FhirText.concept(a.getDetail().getCode()),
                                            a.getDetail().getDescription()))
                                    .filter(s -> !s.isBlank())
                                    .map(s -> "・" + s)
                                    .toList()),
                    FhirText.notes(p.getNote()));
        }
        if (resource instanceof Goal g) {
            return row(
                    "目標",
                    join(
                            "　",
                            FhirText.concept(g.getDescription()),
                            g.getTarget().stream()
                                    .filter(t -> t.hasDue())
                                    .map(t -> "期日 " + FhirText.value(t.getDue(), zone))
                                    .collect(Collectors.joining("、"))),
                    FhirText.notes(g.getNote()));
        }
        if (resource instanceof DiagnosticReport r) {
            return row(
                    "検査",
                    join(
                            "　",
                            FhirText.concept(r.getCode()),
                            r.hasEffective() ? FhirText.value(r.getEffective(), zone) : "",
                            r.getConclusion(),
                            FhirText.concepts(r.getConclusionCode())),
                    r.getResult().stream()
                            .map(resolver)
                            .filter(Observation.class::isInstance)
                            .map(o -> join(
                                    " ", FhirText.concept(((Observation) o).getCode()), observation((Observation) o)))
                            .filter(s -> !s.isBlank())
                            .collect(Collectors.joining("\n")));
        }
        if (resource instanceof DocumentReference d) {
            return row(
                    "文書",
                    join(
                            "　",
                            FhirText.concept(d.getType()),
                            d.getDescription(),
                            d.getContent().stream()
                                    .map(c -> c.getAttachment().getTitle())
                                    .filter(Objects::nonNull)
                                    .collect(Collectors.joining("、")),
                            d.hasDate() ? JapaneseDates.dateTime(d.getDateElement(), zone) : ""));
        }
        if (resource instanceof Encounter e) {
            return encounter(e);
        }
        if (resource instanceof Coverage c) {
            return row(
                    "保険",
                    join(
                            "　",
                            FhirText.concept(c.getType()),
                            c.getClass_().stream()
                                    .map(k -> join(
                                            " ",
                                            k.hasName() ? k.getName() : FhirText.concept(k.getType()),
                                            k.getValue()))
                                    .collect(Collectors.joining("、")),
                            c.hasSubscriberId() ? "番号 " + c.getSubscriberId() : "",
                            labelled(
                                    "保険者",
                                    c.getPayor().stream()
                                            .map(this::display)
                                            .filter(s -> !s.isBlank())
                                            .collect(Collectors.joining("、")))));
        }
        if (resource instanceof Consent c) {
            return AdvanceDirectiveForm.isAdvanceDirective(c)
                    ? row("事前指示書", advanceDirective(c))
                    : row("同意", consent(c));
        }
        if (resource instanceof Patient p) {
            return row("本人", FhirText.kanjiName(p.getName()));
        }
        return row(
                resource.fhirType(),
                resource instanceof DomainResource d && d.hasText()
                        ? FhirText.narrative(d.getText().getDiv())
                        : "");
    }

    /**
     * An encounter is labelled by what it was: its type (退院前カンファレンス) when it has one, else its class (入院,
     * 外来受診, 訪問（在宅）…); then when, where, why, how the patient came and where they went, and who took part.
     */
    private PrintForm.Row encounter(Encounter e) {
        String type = FhirText.concepts(e.getType());
        String label = !type.isBlank()
                ? type
                : ENCOUNTER_CLASSES.getOrDefault(e.getClass_().getCode(), "入院・受診");
        Encounter.EncounterHospitalizationComponent stay = e.getHospitalization();
        return row(
                label,
                join(
                        "　",
                        FhirText.period(e.getPeriod(), zone),
                        labelled(
                                "場所",
                                e.getLocation().stream()
                                        .map(l -> display(l.getLocation()))
                                        .filter(s -> !s.isBlank())
                                        .collect(Collectors.joining("、"))),
                        labelled("理由", FhirText.concepts(e.getReasonCode())),
                        labelled("入院経路", stay.hasAdmitSource() ? FhirText.concept(stay.getAdmitSource()) : ""),
                        labelled(
                                "退院先",
                                stay.hasDischargeDisposition()
                                        ? FhirText.concept(stay.getDischargeDisposition())
                                        : "")),
                labelled(
                        "参加者",
                        e.getParticipant().stream()
                                .map(p -> join(
                                        "",
                                        display(p.getIndividual()),
                                        p.hasType() ? "（" + FhirText.concepts(p.getType()) + "）" : ""))
                                .filter(s -> !s.isBlank())
                                .collect(Collectors.joining("、"))));
    }

    /**
     * An advance directive in a document: the wishes per treatment, the place for the last days, the proxy, when
     * and by whom the wishes were expressed, the original.
     */
    private String advanceDirective(Consent c) {
        List<String> lines = new ArrayList<>();
        lines.add(consent(c));
        lines.add(labelled("最期を過ごしたい場所", AdvanceDirectiveForm.endOfLifePlace(c, zone)));
        lines.add(labelled("代理人", String.join("、", AdvanceDirectiveForm.proxies(c, this::display))));
        lines.add(labelled(
                "意思表明",
                join(
                        "　",
                        c.hasDateTime() ? JapaneseDates.dateTime(c.getDateTimeElement(), zone) : "",
                        c.getPerformer().stream()
                                .map(this::display)
                                .filter(s -> !s.isBlank())
                                .collect(Collectors.joining("、")))));
        lines.add(labelled(
                "原本",
                c.hasSourceReference()
                        ? display(c.getSourceReference())
                        : c.hasSourceAttachment()
                                ? Objects.toString(c.getSourceAttachment().getTitle(), "")
                                : ""));
        return lines.stream().filter(s -> !s.isBlank()).collect(Collectors.joining("\n"));
    }

    /** The readable name of a referenced record: its display, else the resolved record's name. */
    String display(Reference reference) {
        if (reference == null || reference.isEmpty()) {
            return "";
        }
        if (reference.hasDisplay()) {
            return reference.getDisplay();
        }
        Resource target = resolver.apply(reference);
        if (target instanceof Practitioner p) {
            return names(p.getName());
        }
        if (target instanceof RelatedPerson r) {
            return names(r.getName());
        }
        if (target instanceof Patient p) {
            return FhirText.kanjiName(p.getName());
        }
        if (target instanceof Organization o) {
            return Objects.toString(o.getName(), "");
        }
        if (target instanceof PractitionerRole r) {
            return join("　", display(r.getPractitioner()), display(r.getOrganization()));
        }
        return "";
    }

    private static String names(List<org.hl7.fhir.r4.model.HumanName> names) {
        return FhirText.kanjiName(names);
    }

    private String dosage(Dosage dosage) {
        if (dosage.hasText()) {
            return dosage.getText();
        }
        return join(
                " ",
                dosage.getDoseAndRate().stream()
                        .filter(d -> d.hasDoseQuantity())
                        .map(d -> FhirText.quantity(d.getDoseQuantity()))
                        .collect(Collectors.joining(" ")),
                FhirText.concept(dosage.getRoute()));
    }

    private static String severity(Condition c) {
        return c.hasSeverity() ? "重症度: " + FhirText.concept(c.getSeverity()) : "";
    }

    private static String reactions(AllergyIntolerance a) {
        List<String> manifestations = new ArrayList<>();
        a.getReaction().forEach(r -> manifestations.add(FhirText.concepts(r.getManifestation())));
        String text = manifestations.stream().filter(s -> !s.isBlank()).collect(Collectors.joining("、"));
        return text.isBlank() ? "" : "反応: " + text;
    }

    private static String criticality(AllergyIntolerance a) {
        if (!a.hasCriticality() || a.getCriticality() == null) {
            return "";
        }
        String level = switch (a.getCriticality()) {
            case HIGH -> "高";
            case LOW -> "低";
            case UNABLETOASSESS -> "評価不能";
            default -> "";
        };
        return "危険度: " + level;
    }

    private String observation(Observation o) {
        String value = o.hasValue() ? FhirText.value(o.getValue(), zone) : "";
        String components = o.getComponent().stream()
                .map(c -> join(" ", FhirText.concept(c.getCode()), FhirText.value(c.getValue(), zone)))
                .filter(s -> !s.isBlank())
                .collect(Collectors.joining("／"));
        return join("　", value, components, o.hasEffective() ? "（" + FhirText.value(o.getEffective(), zone) + "）" : "");
    }

    private String consent(Consent c) {
        List<String> choices = new ArrayList<>();
        for (Consent.ProvisionComponent p : c.getProvision().getProvision()) {
            if (p.hasCode()) {
                choices.add(FhirText.concepts(p.getCode()) + ": " + AdvanceDirectiveForm.wish(p.getType()));
            }
        }
        return join(
                "　",
                AdvanceDirectiveForm.isAdvanceDirective(c) ? "" : FhirText.concept(c.getScope()),
                String.join("、", choices));
    }

    private static String phone(String phones) {
        return phones.isBlank() ? "" : "電話 " + phones;
    }

    private static PrintForm.Row row(String label, String value) {
        return new PrintForm.Row(label, value == null ? "" : value.strip(), 1);
    }

    /** A row whose facts are followed by further lines (notes, activities, participants). */
    private static PrintForm.Row row(String label, String value, String... more) {
        List<String> lines = new ArrayList<>();
        lines.add(value);
        lines.addAll(List.of(more));
        return row(
                label,
                lines.stream()
                        .filter(s -> s != null && !s.isBlank())
                        .map(String::strip)
                        .collect(Collectors.joining("\n")));
    }

    /** {@code 名: value}, or nothing when there is no value. */
    private static String labelled(String name, String value) {
        return value == null || value.isBlank() ? "" : name + ": " + value.strip();
    }

    static String join(String separator, String... parts) {
        List<String> kept = new ArrayList<>();
        for (String p : parts) {
            if (p != null && !p.isBlank()) {
                kept.add(p.strip());
            }
        }
        return String.join(separator, kept);
    }
}
