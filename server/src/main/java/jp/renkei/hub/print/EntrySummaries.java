package jp.renkei.hub.print;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DeviceUseStatement;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Encounter;
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

/**
 * One row per record a document section refers to: a label naming what it is (病名, 薬剤, アレルギー…;
 * an Observation is labelled by its code) and the few facts a reader of the paper form needs.
 * References between records are resolved by the caller's resolver (inside the document Bundle).
 */
final class EntrySummaries {

    private final Function<Reference, Resource> resolver;
    private final ZoneId zone;

    EntrySummaries(Function<Reference, Resource> resolver, ZoneId zone) {
        this.resolver = resolver;
        this.zone = zone;
    }

    PrintForm.Row summarise(Resource resource) {
        if (resource instanceof Condition c) {
            return row("病名", join("　", FhirText.concept(c.getCode()),
                    c.hasOnset() ? "発症 " + FhirText.value(c.getOnset(), zone) : "", severity(c)));
        }
        if (resource instanceof MedicationStatement m) {
            return row("薬剤", join("　", m.hasMedicationCodeableConcept()
                            ? FhirText.concept(m.getMedicationCodeableConcept()) : display(m.getMedicationReference()),
                    m.getDosage().stream().map(this::dosage).filter(s -> !s.isBlank()).collect(Collectors.joining("／"))));
        }
        if (resource instanceof AllergyIntolerance a) {
            return row("アレルギー", join("　", FhirText.concept(a.getCode()), reactions(a), criticality(a)));
        }
        if (resource instanceof RelatedPerson r) {
            return row("家族・関係者", join("　", names(r.getName()),
                    r.hasRelationship() ? "（" + FhirText.concepts(r.getRelationship()) + "）" : "", phone(FhirText.phones(r.getTelecom()))));
        }
        if (resource instanceof PractitionerRole r) {
            return row("担当者", join("　", display(r.getPractitioner()), FhirText.concepts(r.getCode()),
                    display(r.getOrganization()), phone(FhirText.phones(r.getTelecom()))));
        }
        if (resource instanceof Practitioner p) {
            return row("担当者", join("　", names(p.getName()), phone(FhirText.phones(p.getTelecom()))));
        }
        if (resource instanceof Organization o) {
            return row("事業所・機関", join("　", o.getName(), phone(FhirText.phones(o.getTelecom()))));
        }
        if (resource instanceof Observation o) {
            String code = FhirText.concept(o.getCode());
            return row(code.isBlank() ? "観察" : code, observation(o));
        }
        if (resource instanceof Procedure p) {
            return row("処置", join("　", FhirText.concept(p.getCode()), p.hasPerformed() ? FhirText.value(p.getPerformed(), zone) : ""));
        }
        if (resource instanceof DeviceUseStatement d) {
            return row("医療機器", join("　", display(d.getDevice()), FhirText.concepts(d.getReasonCode())));
        }
        if (resource instanceof Encounter e) {
            return row("入院・受診", join("　", FhirText.period(e.getPeriod(), zone), FhirText.concepts(e.getType()),
                    e.hasReasonCode() ? "理由: " + FhirText.concepts(e.getReasonCode()) : "",
                    e.getHospitalization().hasDischargeDisposition()
                            ? "退院先: " + FhirText.concept(e.getHospitalization().getDischargeDisposition()) : ""));
        }
        if (resource instanceof Coverage c) {
            return row("保険", join("　", FhirText.concept(c.getType()), c.getClass_().stream()
                    .map(k -> join(" ", k.hasName() ? k.getName() : FhirText.concept(k.getType()), k.getValue()))
                    .collect(Collectors.joining("、")), c.hasSubscriberId() ? "番号 " + c.getSubscriberId() : ""));
        }
        if (resource instanceof Consent c) {
            return row("同意", consent(c));
        }
        if (resource instanceof Patient p) {
            return row("本人", FhirText.kanjiName(p.getName()));
        }
        return row(resource.fhirType(), resource instanceof DomainResource d && d.hasText()
                ? FhirText.narrative(d.getText().getDiv()) : "");
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
        return join(" ", dosage.getDoseAndRate().stream().filter(d -> d.hasDoseQuantity())
                .map(d -> FhirText.quantity(d.getDoseQuantity())).collect(Collectors.joining(" ")), FhirText.concept(dosage.getRoute()));
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
                .filter(s -> !s.isBlank()).collect(Collectors.joining("／"));
        return join("　", value, components, o.hasEffective() ? "（" + FhirText.value(o.getEffective(), zone) + "）" : "");
    }

    private String consent(Consent c) {
        List<String> choices = new ArrayList<>();
        for (Consent.ProvisionComponent p : c.getProvision().getProvision()) {
            if (p.hasCode()) {
                choices.add(FhirText.concepts(p.getCode()) + ": " + AdvanceDirectiveForm.wish(p.getType()));
            }
        }
        return join("　", FhirText.concept(c.getScope()), String.join("、", choices));
    }

    private static String phone(String phones) {
        return phones.isBlank() ? "" : "電話 " + phones;
    }

    private static PrintForm.Row row(String label, String value) {
        return new PrintForm.Row(label, value == null ? "" : value.strip(), 1);
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
