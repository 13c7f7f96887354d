package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The doctor–care-manager contact form (主治医・ケアマネジャー連絡票): the care manager's question and the
 * physician's answer are Communications held to {@code renkei-contact-form-question} and
 * {@code renkei-contact-form-answer}. The examples are accepted, a follow-up question threads on the
 * answer; each invalid variant is refused with 422 at the element at fault, and nothing is stored.
 */
class ContactFormProfileTest extends HubValidationTest {

    private static final String PART = "http://renkei.example.jp/fhir/StructureDefinition/contact-form-part";
    private static final String PART_CODES = "http://renkei.example.jp/fhir/CodeSystem/contact-form-part";
    private static final String REPLY_BY = "http://renkei.example.jp/fhir/StructureDefinition/reply-requested-by";

    /** The patient and the people the examples name: a question is sent only to and from someone the hub knows. */
    @BeforeAll
    void knowTheExamplesPeople() {
        StoreFixtures.of(hub)
                .write(List.of(
                        new WriteRequest(
                                "Patient",
                                "pat-sasaki",
                                new Patient().addName(new HumanName().setFamily("佐々木")),
                                null,
                                null),
                        new WriteRequest(
                                "PractitionerRole",
                                "role-takahashi-dr",
                                new PractitionerRole().setActive(true),
                                null,
                                null),
                        new WriteRequest(
                                "PractitionerRole",
                                "role-ito-cm",
                                new PractitionerRole().setActive(true),
                                null,
                                null)));
    }

    private Communication example(String id) {
        return ProfileExamples.load(Communication.class, "Communication-" + id + ".json");
    }

    private Communication question() {
        return example("contact-form-question-example");
    }

    private Communication answer() {
        return example("contact-form-answer-example");
    }

    private HttpResponse<String> post(Communication communication) {
        return hub.send("POST", "/Communication", "application/fhir+json", json.encodeResourceToString(communication));
    }

    private static String createdId(HttpResponse<String> created) {
        return new IdType(created.headers().firstValue("Location").orElseThrow()).getIdPart();
    }

    private int storedForms() {
        return json.parseResource(
                        Bundle.class,
                        hub.send("GET", "/Communication?subject=Patient/pat-sasaki&_summary=count", null, null)
                                .body())
                .getTotal();
    }

    private static Communication.CommunicationPayloadComponent part(String code, String text) {
        Communication.CommunicationPayloadComponent payload =
                new Communication.CommunicationPayloadComponent(new StringType(text));
        payload.addExtension(PART, new Coding(PART_CODES, code, null));
        return payload;
    }

    @Test
    void aQuestionItsAnswerAndAFollowUpQuestionThreadOnInResponseTo() {
        int before = storedForms();
        HttpResponse<String> asked = post(question());
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(201);
        String questionId = createdId(asked);

        Communication answer = answer();
        answer.getInResponseToFirstRep().setReference("Communication/" + questionId);
        HttpResponse<String> answered = post(answer);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(201);
        String answerId = createdId(answered);

        Communication followUp = question();
        followUp.getExtension().clear();
        followUp.addInResponseTo(new Reference("Communication/" + answerId));
        followUp.setSentElement(new DateTimeType("2026-11-19T09:10:00+09:00"));
        followUp.getPayload().clear();
        followUp.addPayload(
                part("consultation", "機械浴の再開について承知しました。訪問リハビリの開始日は11月25日（火）で調整中です。" + "開始前に確認しておくべき検査やお薬の変更はありますか。"));
        HttpResponse<String> followed = post(followUp);
        assertThat(followed.statusCode()).as(followed.body()).isEqualTo(201);
        assertThat(storedForms()).isEqualTo(before + 3);
    }

    @Test
    void theReplyDateAndTheCarePlanIssueAreOptional() {
        Communication question = question();
        question.getExtension().removeIf(e -> REPLY_BY.equals(e.getUrl()));
        question.getPayload()
                .removeIf(p -> p.getExtensionByUrl(PART).getValue() instanceof Coding c
                        && "care-plan-issue".equals(c.getCode()));
        HttpResponse<String> created = post(question);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    record Variant(String name, boolean isQuestion, Consumer<Communication> change, String location, String says) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Variant> invalidVariants() {
        return List.of(
                new Variant(
                        "question without 相談内容 (required part)",
                        true,
                        c -> c.getPayload().remove(0),
                        "Communication",
                        "Communication.payload:consultation"),
                new Variant(
                        "question with two 相談内容 (cardinality)",
                        true,
                        c -> c.addPayload(c.getPayloadFirstRep().copy()),
                        "Communication",
                        "Communication.payload:consultation: max allowed = 1"),
                new Variant(
                        "question with an answer's part (wrong part code)",
                        true,
                        c -> ((Coding) c.getPayload()
                                        .get(1)
                                        .getExtensionByUrl(PART)
                                        .getValue())
                                .setCode("instruction"),
                        "Communication.payload[1]",
                        "does not match any known slice"),
                new Variant(
                        "part code outside the code system",
                        true,
                        c -> ((Coding) c.getPayload()
                                        .get(1)
                                        .getExtensionByUrl(PART)
                                        .getValue())
                                .setCode("memo"),
                        "Communication.payload[1].extension[0].value.ofType(Coding)",
                        "memo"),
                new Variant(
                        "question sent by the Patient (reference type)",
                        true,
                        c -> c.setSender(new Reference("Patient/pat-sasaki")),
                        "Communication.sender",
                        "Patient"),
                new Variant(
                        "question not categorised as a contact form",
                        true,
                        c -> c.getCategory().remove(1),
                        "Communication",
                        "Communication.category:document"),
                new Variant(
                        "question without a subject",
                        true,
                        c -> c.setSubject(null),
                        "Communication",
                        "Communication.subject: minimum required = 1"),
                new Variant(
                        "question without the time sent",
                        true,
                        c -> c.setSentElement(null),
                        "Communication",
                        "Communication.sent: minimum required = 1"),
                new Variant(
                        "reply date that is not a date",
                        true,
                        c -> c.getExtensionByUrl(REPLY_BY).setValue(new StringType("来週中")),
                        "Communication.extension[0]",
                        "date"),
                new Variant(
                        "answer without inResponseTo",
                        false,
                        c -> c.getInResponseTo().clear(),
                        "Communication",
                        "Communication.inResponseTo: minimum required = 1"),
                new Variant(
                        "answer without 指示・意見 (required part)",
                        false,
                        c -> c.getPayload().remove(0),
                        "Communication",
                        "Communication.payload:instruction"),
                new Variant(
                        "answer sent by an Organization (reference type)",
                        false,
                        c -> c.setSender(new Reference("Organization/org-morioka-zaitaku")),
                        "Communication.sender",
                        "Organization"),
                new Variant(
                        "answer without a recipient",
                        false,
                        c -> c.getRecipient().clear(),
                        "Communication",
                        "Communication.recipient: minimum required = 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidVariants")
    void anInvalidContactFormIsRefusedAtTheElementAndNothingIsStored(Variant variant) {
        int before = storedForms();
        Communication communication = variant.isQuestion() ? question() : answer();
        variant.change().accept(communication);
        HttpResponse<String> refused = post(communication);
        assertRefusedAt(refused, variant.location(), variant.says());
        assertThat(storedForms()).isEqualTo(before);
    }
}
