package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link PrecompiledBaseRules} may send a resource to the full validator when it need not, never accept one the full
 * validator refuses. Held to that over a corpus of the records the hub's users write (each valid against base R4) and
 * every mutation of each: every element removed, every value replaced by wrong ones (bad formats, unknown codes,
 * codes of another value set, references to the wrong type, empty and id-only elements, doubled single values). And
 * the corpus itself is taken by the fast path: otherwise it would be correct and useless.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrecompiledBaseRulesTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final ObjectMapper JSON = new ObjectMapper();
    private ProfileValidation validation;

    /** Records as clients write them, valid against base R4, claiming no profile. */
    static final Map<String, String> CORPUS = new LinkedHashMap<>();

    static {
        CORPUS.put("body temperature", """
                {"resourceType":"Observation","status":"final",
                 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
                 "code":{"coding":[{"system":"http://loinc.org","code":"8310-5","display":"Body temperature"}],"text":"体温"},
                 "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-12-01T10:00:00+09:00",
                 "performer":[{"reference":"PractitionerRole/role-nurse"}],
                 "valueQuantity":{"value":36.5,"unit":"℃","system":"http://unitsofmeasure.org","code":"Cel"},
                 "note":[{"text":"訪問看護時に測定。"}]}""");
        CORPUS.put("blood pressure", """
                {"resourceType":"Observation","status":"final",
                 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
                 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"血圧"},
                 "subject":{"reference":"Patient/p1"},"effectivePeriod":{"start":"2026-12-01T10:00:00+09:00","end":"2026-12-01T10:05:00+09:00"},
                 "interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"H"}]}],
                 "component":[
                  {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":142,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
                  {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":88,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}""");
        CORPUS.put("condition", """
                {"resourceType":"Condition",
                 "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
                 "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},
                 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"problem-list-item"}]}],
                 "code":{"coding":[{"system":"http://jpfhir.jp/fhir/core/CodeSystem/JP_ICD10","code":"I50.9"}],"text":"心不全"},
                 "subject":{"reference":"Patient/p1"},"onsetDateTime":"2024-04","recordedDate":"2026-11-30",
                 "recorder":{"reference":"PractitionerRole/role-dr"},"note":[{"text":"利尿剤で管理"}]}""");
        CORPUS.put("allergy", """
                {"resourceType":"AllergyIntolerance",
                 "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
                 "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification","code":"confirmed"}]},
                 "type":"allergy","category":["medication"],"criticality":"high",
                 "code":{"text":"ペニシリン系抗菌薬"},"patient":{"reference":"Patient/p1"},"recordedDate":"2026-11-30",
                 "reaction":[{"manifestation":[{"text":"発疹"}],"severity":"moderate"}]}""");
        CORPUS.put("medication statement", """
                {"resourceType":"MedicationStatement","status":"active",
                 "medicationCodeableConcept":{"coding":[{"system":"urn:oid:1.2.392.100495.20.2.74","code":"105271807"}],"text":"フロセミド錠20mg"},
                 "subject":{"reference":"Patient/p1"},"effectivePeriod":{"start":"2026-11-01"},"dateAsserted":"2026-12-01T09:00:00+09:00",
                 "informationSource":{"reference":"PractitionerRole/role-pharmacist"},
                 "dosage":[{"text":"1日1回朝食後 1錠","timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},
                  "route":{"text":"経口"},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"錠"}}]}]}""");
        CORPUS.put("task", """
                {"resourceType":"Task","status":"requested","intent":"order","priority":"urgent",
                 "code":{"coding":[{"system":"http://hl7.org/fhir/CodeSystem/task-code","code":"fulfill"}]},
                 "description":"退院時情報の確認","for":{"reference":"Patient/p1"},"authoredOn":"2026-12-01T09:00:00+09:00",
                 "requester":{"reference":"PractitionerRole/role-msw"},"owner":{"reference":"PractitionerRole/role-cm"},
                 "restriction":{"period":{"end":"2026-12-04T23:59:59+09:00"}}}""");
        CORPUS.put("communication", """
                {"resourceType":"Communication","status":"completed","subject":{"reference":"Patient/p1"},
                 "sent":"2026-12-01T11:00:00+09:00","sender":{"reference":"PractitionerRole/role-nurse"},
                 "recipient":[{"reference":"PractitionerRole/role-cm"}],
                 "payload":[{"contentString":"本日の訪問で浮腫の増悪あり。主治医に報告済み。"}]}""");
        CORPUS.put("care team", """
                {"resourceType":"CareTeam","status":"active","name":"山田花子さんのチーム","subject":{"reference":"Patient/p1"},
                 "period":{"start":"2026-04-01"},
                 "participant":[{"role":[{"text":"介護支援専門員"}],"member":{"reference":"PractitionerRole/role-cm"}},
                  {"member":{"reference":"Organization/org-nursing"}}]}""");
        CORPUS.put("patient", """
                {"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.392.100495.20.3.51.10312345678","value":"00012345"}],
                 "active":true,"name":[{"use":"official","family":"山田","given":["花子"]}],
                 "telecom":[{"system":"phone","value":"019-000-0000","use":"home"}],"gender":"female","birthDate":"1940-02-29",
                 "address":[{"text":"岩手県盛岡市内丸1-1","postalCode":"020-0023","country":"JP"}]}""");
        CORPUS.put("encounter", """
                {"resourceType":"Encounter","status":"finished",
                 "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HH","display":"home health"},
                 "subject":{"reference":"Patient/p1"},"period":{"start":"2026-12-01T10:00:00+09:00","end":"2026-12-01T11:00:00+09:00"},
                 "participant":[{"individual":{"reference":"PractitionerRole/role-nurse"}}]}""");
        CORPUS.put("document reference", """
                {"resourceType":"DocumentReference","status":"current","type":{"text":"訪問看護報告書"},
                 "subject":{"reference":"Patient/p1"},"date":"2026-12-01T12:00:00+09:00",
                 "author":[{"reference":"PractitionerRole/role-nurse"}],
                 "content":[{"attachment":{"contentType":"application/pdf","url":"Binary/b1","title":"報告書.pdf"}}]}""");
    }

    /** Records that break one of base R4's invariants, which no mutation above produces. */
    static final Map<String, String> BROKEN_INVARIANTS = Map.of(
            "obs-6: a value and a reason for its absence", """
                {"resourceType":"Observation","status":"final","code":{"text":"体温"},"subject":{"reference":"Patient/p1"},
                 "valueQuantity":{"value":36.5,"unit":"℃","system":"http://unitsofmeasure.org","code":"Cel"},
                 "dataAbsentReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/data-absent-reason","code":"unknown"}]}}""",
            "qty-3: a unit code without its system", """
                {"resourceType":"Observation","status":"final","code":{"text":"体温"},"subject":{"reference":"Patient/p1"},
                 "valueQuantity":{"value":36.5,"unit":"℃","code":"Cel"}}""",
            "per-1: a period that ends before it starts", """
                {"resourceType":"CareTeam","status":"active","subject":{"reference":"Patient/p1"},
                 "period":{"start":"2026-12-01","end":"2026-11-01"}}""",
            "con-5: a refuted-as-entered-in-error condition with a clinical status", """
                {"resourceType":"Condition",
                 "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
                 "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"entered-in-error"}]},
                 "code":{"text":"心不全"},"subject":{"reference":"Patient/p1"}}""",
            "tim-1: a duration without its unit", """
                {"resourceType":"MedicationStatement","status":"active","medicationCodeableConcept":{"text":"フロセミド"},
                 "subject":{"reference":"Patient/p1"},"dosage":[{"timing":{"repeat":{"duration":3}}}]}""",
            "inv-1: a task modified before it was authored", """
                {"resourceType":"Task","status":"requested","intent":"order","for":{"reference":"Patient/p1"},
                 "authoredOn":"2026-12-02T09:00:00+09:00","lastModified":"2026-12-01T09:00:00+09:00"}""");

    @BeforeAll
    void build() {
        validation = new ProfileValidation(FHIR);
    }

    @Test
    void theRecordsUsersWriteTakeTheFastPath() {
        CORPUS.forEach((name, json) -> {
            Resource resource = parse(json);
            assertThat(errors(resource)).as("%s is valid against base R4", name).isEmpty();
            assertThat(validation.certainlyValid(resource))
                    .as("%s is taken without the full validator", name)
                    .isTrue();
        });
    }

    @Test
    void aBrokenInvariantIsNotTakenByTheFastPath() {
        BROKEN_INVARIANTS.forEach((name, json) -> {
            Resource resource = parse(json);
            assertThat(errors(resource))
                    .as("%s is refused by the full validator", name)
                    .isNotEmpty();
            assertThat(validation.certainlyValid(resource))
                    .as("%s is left to the full validator", name)
                    .isFalse();
        });
    }

    @Test
    void noMutationTheFullValidatorRefusesIsTakenByTheFastPath() throws Exception {
        List<String> leaks = new ArrayList<>();
        int tried = 0;
        int refused = 0;
        for (Map.Entry<String, String> entry : CORPUS.entrySet()) {
            for (JsonNode variant : mutations((ObjectNode) JSON.readTree(entry.getValue()))) {
                Resource resource;
                try {
                    resource = strictParse(variant.toString());
                } catch (RuntimeException unparseable) {
                    continue; // the hub answers 400 before any validation
                }
                tried++;
                List<String> errors = errors(resource);
                if (!errors.isEmpty()) {
                    refused++;
                    if (validation.certainlyValid(parse(variant.toString()))) {
                        leaks.add(entry.getKey() + ": " + variant + " → " + errors);
                    }
                }
            }
        }
        assertThat(leaks)
                .as(
                        "mutations the full validator refuses but the fast path took (of %d tried, %d refused)",
                        tried, refused)
                .isEmpty();
        assertThat(refused).as("the mutations include faults").isGreaterThan(200);
    }

    private List<String> errors(Resource resource) {
        OperationOutcome outcome = validation.validate(resource);
        return outcome.getIssue().stream()
                .filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
                        || i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
                .map(i -> i.getExpression() + " " + i.getDiagnostics())
                .toList();
    }

    private static Resource parse(String json) {
        return (Resource) FHIR.newJsonParser().parseResource(json);
    }

    /** As the hub parses a request body: unknown elements and malformed values are the client's 400, not validation's. */
    private static Resource strictParse(String json) {
        IParser parser = FHIR.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
        return (Resource) parser.parseResource(json);
    }

    /** Each variant changes one thing of the resource. */
    private static List<JsonNode> mutations(ObjectNode resource) {
        List<JsonNode> variants = new ArrayList<>();
        walk(resource, resource, variants);
        return variants;
    }

    private static final List<JsonNode> WRONG_VALUES = List.of(
            JsonNodeFactory.instance.textNode(""),
            JsonNodeFactory.instance.textNode(" x"),
            JsonNodeFactory.instance.textNode("zzz"),
            JsonNodeFactory.instance.textNode("no such code"),
            JsonNodeFactory.instance.textNode("2026-02-30"),
            JsonNodeFactory.instance.textNode("2026-12-01T10:00:00"),
            JsonNodeFactory.instance.textNode("Practitioner/x"),
            JsonNodeFactory.instance.textNode("#contained"),
            JsonNodeFactory.instance.textNode("http://hl7.org/fhir/no-such-system"),
            JsonNodeFactory.instance.textNode("http://terminology.hl7.org/CodeSystem/condition-clinical"),
            JsonNodeFactory.instance.textNode("entered-in-error"),
            JsonNodeFactory.instance.textNode("Patient/p1"),
            JsonNodeFactory.instance.numberNode(-1),
            JsonNodeFactory.instance.numberNode(0),
            JsonNodeFactory.instance.booleanNode(true));

    @SuppressWarnings("ReferenceEquality") // "is this the root object itself", not an equal one deeper down
    private static void walk(ObjectNode root, JsonNode node, List<JsonNode> variants) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (object == root && name.equals("resourceType")) {
                    continue;
                }
                JsonNode original = object.get(name);
                variant(root, variants, () -> object.remove(name), () -> object.set(name, original));
                for (JsonNode wrong : WRONG_VALUES) {
                    if (original.isValueNode()) {
                        variant(root, variants, () -> object.set(name, wrong), () -> object.set(name, original));
                    }
                }
                if (original.isObject()) {
                    variant(
                            root,
                            variants,
                            () -> object.set(name, JSON.createObjectNode().put("id", "x")),
                            () -> object.set(name, original));
                    variant(
                            root,
                            variants,
                            () -> object.set(
                                    name,
                                    JSON.createArrayNode()
                                            .add(original.deepCopy())
                                            .add(original.deepCopy())),
                            () -> object.set(name, original));
                }
                if (original.isArray() && !original.isEmpty()) {
                    ArrayNode doubled = ((ArrayNode) original.deepCopy())
                            .add(original.get(0).deepCopy());
                    variant(root, variants, () -> object.set(name, doubled), () -> object.set(name, original));
                }
                walk(root, original, variants);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                if (item.isValueNode()) {
                    for (JsonNode wrong : WRONG_VALUES) {
                        int at = i;
                        variant(root, variants, () -> array.set(at, wrong), () -> array.set(at, item));
                    }
                }
                walk(root, item, variants);
            }
        }
    }

    private static void variant(ObjectNode root, List<JsonNode> variants, Runnable change, Runnable undo) {
        change.run();
        variants.add(root.deepCopy());
        undo.run();
    }
}
