package jp.renkei.hub.print;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;

/**
 * An advance directive (Consent with scope adr) as the 事前指示書（人生会議） form: a table 治療 | 希望
 * from the nested provisions (permit 希望する, deny 希望しない), where the patient wishes to spend their
 * last days (extension end-of-life-place), the proxies (actors with role HPOWATT), and when and by whom
 * the wishes were expressed and recorded.
 */
final class AdvanceDirectiveForm {

    static final String END_OF_LIFE_PLACE = "http://renkei.example.jp/fhir/StructureDefinition/end-of-life-place";
    static final String RECORDING = "http://renkei.example.jp/fhir/StructureDefinition/consent-recording";
    static final String PROXY_ROLE = "HPOWATT";

    private final ZoneId zone;

    AdvanceDirectiveForm(ZoneId zone) {
        this.zone = zone;
    }

    /** Whether the Consent is an advance directive (scope adr). */
    static boolean isAdvanceDirective(Consent consent) {
        return consent.getScope().getCoding().stream().anyMatch(c -> "adr".equals(c.getCode()));
    }

    static String wish(Consent.ConsentProvisionType type) {
        if (type == Consent.ConsentProvisionType.PERMIT) {
            return "希望する";
        }
        return type == Consent.ConsentProvisionType.DENY ? "希望しない" : "";
    }

    /** {@code display} names a referenced person or organisation (the operation reads it as the caller). */
    PrintForm render(Consent consent, Patient patient, Function<Reference, String> display) {
        PrintForm form = new PrintForm(
                "事前指示書（人生会議）",
                FhirText.patientBox(patient, consent.getPatient().getDisplay(), zone),
                new ArrayList<>(),
                "advance-directive");

        PrintForm.Section treatments = new PrintForm.Section("医療・ケアについての希望", "治療", "希望");
        List<Consent.ProvisionComponent> provisions = new ArrayList<>();
        collect(consent.getProvision().getProvision(), provisions);
        for (Consent.ProvisionComponent p : provisions) {
            if (p.hasCode()) {
                treatments.add(FhirText.concepts(p.getCode()), wish(p.getType()));
            }
        }
        form.sections().add(treatments);

        PrintForm.Section place = new PrintForm.Section("最期を過ごしたい場所");
        place.add("希望する場所", endOfLifePlace(consent, zone));
        form.sections().add(place);

        PrintForm.Section proxies = new PrintForm.Section("代理人（本人の意思を代弁する人）");
        proxies(consent, display).forEach(name -> proxies.add("代理人", name));
        form.sections().add(proxies);

        PrintForm.Section record = new PrintForm.Section("記録");
        record.add("意思表明日", consent.hasDateTime() ? JapaneseDates.dateTime(consent.getDateTimeElement(), zone) : "")
                .add(
                        "意思を表明した人",
                        consent.getPerformer().stream()
                                .map(display)
                                .filter(s -> !s.isBlank())
                                .collect(Collectors.joining("、")))
                .add("状態", status(consent.getStatus()))
                .add(
                        "原本",
                        consent.hasSourceReference()
                                ? display.apply(consent.getSourceReference())
                                : consent.hasSourceAttachment()
                                        ? consent.getSourceAttachment().getTitle()
                                        : "");
        Extension stamp = consent.getExtensionByUrl(RECORDING);
        if (stamp != null) {
            Extension agent = stamp.getExtensionByUrl("agent");
            Extension recorded = stamp.getExtensionByUrl("recorded");
            record.add("記録者", agent != null && agent.getValue() instanceof Reference r ? display.apply(r) : "")
                    .add("記録日時", recorded != null ? FhirText.value(recorded.getValue(), zone) : "");
        }
        form.sections().add(record);
        return form;
    }

    private static void collect(List<Consent.ProvisionComponent> provisions, List<Consent.ProvisionComponent> out) {
        for (Consent.ProvisionComponent p : provisions) {
            out.add(p);
            collect(p.getProvision(), out);
        }
    }

    private static boolean isProxy(Consent.provisionActorComponent actor) {
        return actor.getRole().getCoding().stream().anyMatch(c -> PROXY_ROLE.equals(c.getCode()));
    }

    /** The proxy decision-makers (actors with role HPOWATT anywhere in the provisions), with the role's own words. */
    static List<String> proxies(Consent consent, Function<Reference, String> display) {
        List<Consent.provisionActorComponent> actors =
                new ArrayList<>(consent.getProvision().getActor());
        List<Consent.ProvisionComponent> provisions = new ArrayList<>();
        collect(consent.getProvision().getProvision(), provisions);
        provisions.forEach(p -> actors.addAll(p.getActor()));
        return actors.stream()
                .filter(AdvanceDirectiveForm::isProxy)
                .map(a -> EntrySummaries.join(
                        "　", display.apply(a.getReference()), a.getRole().getText()))
                .filter(s -> !s.isBlank())
                .distinct()
                .toList();
    }

    /** Where the patient wishes to spend their last days (extension end-of-life-place on the Consent or its root provision). */
    static String endOfLifePlace(Consent consent, ZoneId zone) {
        Extension place = consent.getExtensionByUrl(END_OF_LIFE_PLACE);
        if (place == null) {
            place = consent.getProvision().getExtensionByUrl(END_OF_LIFE_PLACE);
        }
        if (place == null || place.getValue() == null) {
            return "";
        }
        return place.getValue() instanceof CodeableConcept c
                ? FhirText.concept(c)
                : FhirText.value(place.getValue(), zone);
    }

    private static String status(Consent.ConsentState state) {
        if (state == null) {
            return "";
        }
        return switch (state) {
            case DRAFT -> "下書き";
            case PROPOSED -> "提案";
            case ACTIVE -> "有効";
            case REJECTED -> "拒否";
            case INACTIVE -> "無効（撤回・失効）";
            case ENTEREDINERROR -> "入力誤り";
            default -> "";
        };
    }
}
