package jp.renkei.hub.print;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;

/**
 * The doctor–care-manager contact form (主治医・ケアマネジャー連絡票) from a question Communication and,
 * when there is one, its answer (a Communication whose {@code inResponseTo} names the question). Each
 * payload part is printed with its label when it carries one (an extension with a string, Coding or
 * CodeableConcept value); unlabelled parts take the form's remaining fields in order
 * (相談内容, ケアプラン上の課題 for the question; 指示・意見, 留意事項 for the answer). Without an answer
 * the 回答 box is printed empty, for the doctor to answer by hand and send back by FAX.
 */
final class ContactFormForm {

    static final String REPLY_REQUESTED_BY = "http://renkei.example.jp/fhir/StructureDefinition/reply-requested-by";
    private static final List<String> QUESTION_FIELDS = List.of("相談内容", "ケアプラン上の課題");
    private static final List<String> ANSWER_FIELDS = List.of("指示・意見", "留意事項");

    private final ZoneId zone;

    ContactFormForm(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * @param question     the question, or null when the caller may not read it (the answer is printed alone)
     * @param answer       the answer, or null
     * @param patient      the patient, or null when not readable (the subject's display is printed)
     * @param display      names a referenced person or organisation
     */
    PrintForm render(
            Communication question, Communication answer, Patient patient, Function<Reference, String> display) {
        Communication any = question != null ? question : answer;
        PrintForm form = new PrintForm(
                "主治医・ケアマネジャー連絡票",
                FhirText.patientBox(patient, any.getSubject().getDisplay(), zone),
                new ArrayList<>(),
                "contact-form");

        PrintForm.Section asked = new PrintForm.Section("照会（相談）");
        if (question == null) {
            asked.add("", "照会元の連絡票は閲覧できないため印刷していません (the question is not shown to you)");
        } else {
            asked.add(
                    "利用者",
                    patient != null
                            ? FhirText.kanjiName(patient.getName())
                            : question.getSubject().getDisplay());
            addHeader(asked, question, display, "差出人");
            asked.add("返信希望日", replyRequestedBy(question));
            addPayload(asked, question, QUESTION_FIELDS);
        }
        form.sections().add(asked);

        PrintForm.Section answered = new PrintForm.Section("回答");
        if (answer == null) {
            answered.blank(ANSWER_FIELDS.get(0), 8)
                    .blank(ANSWER_FIELDS.get(1), 4)
                    .blank("回答日", 1)
                    .blank("主治医署名", 2);
        } else {
            addHeader(answered, answer, display, "回答者");
            addPayload(answered, answer, ANSWER_FIELDS);
        }
        form.sections().add(answered);
        return form;
    }

    private void addHeader(
            PrintForm.Section section, Communication c, Function<Reference, String> display, String senderLabel) {
        section.add("件名", FhirText.concept(c.getTopic()))
                .add(senderLabel, display.apply(c.getSender()))
                .add(
                        "宛先",
                        c.getRecipient().stream()
                                .map(display)
                                .filter(s -> !s.isBlank())
                                .collect(Collectors.joining("、")))
                .add("送信日時", c.hasSent() ? JapaneseDates.dateTime(c.getSentElement(), zone) : "");
    }

    private String replyRequestedBy(Communication c) {
        Extension e = c.getExtensionByUrl(REPLY_REQUESTED_BY);
        return e == null || e.getValue() == null ? "" : FhirText.value(e.getValue(), zone);
    }

    private void addPayload(PrintForm.Section section, Communication c, List<String> formFields) {
        List<String> fields = new ArrayList<>(formFields);
        c.getPayload().forEach(part -> fields.remove(label(part)));
        int unlabelled = 0;
        for (Communication.CommunicationPayloadComponent part : c.getPayload()) {
            String label = label(part);
            if (label.isBlank()) {
                label = unlabelled < fields.size() ? fields.get(unlabelled) : "追記";
                unlabelled++;
            }
            section.add(label, content(part));
        }
    }

    /** A label carried by the part itself: an extension's string, Coding or CodeableConcept value. */
    static String label(Communication.CommunicationPayloadComponent part) {
        for (Extension e : part.getExtension()) {
            if (e.getValue() instanceof CodeableConcept cc
                    && !FhirText.concept(cc).isBlank()) {
                return FhirText.concept(cc);
            }
            if (e.getValue() instanceof Coding coding
                    && !FhirText.coding(coding).isBlank()) {
                return FhirText.coding(coding);
            }
            if (e.getValue() instanceof org.hl7.fhir.r4.model.StringType s && s.hasValue()) {
                return s.getValue();
            }
        }
        return "";
    }

    private static String content(Communication.CommunicationPayloadComponent part) {
        if (part.hasContentStringType()) {
            return part.getContentStringType().getValue();
        }
        if (part.hasContentAttachment()) {
            return "添付: "
                    + (part.getContentAttachment().hasTitle()
                            ? part.getContentAttachment().getTitle()
                            : "（無題）");
        }
        if (part.hasContentReference()) {
            return "参照: "
                    + (part.getContentReference().hasDisplay()
                            ? part.getContentReference().getDisplay()
                            : "");
        }
        return "";
    }
}
