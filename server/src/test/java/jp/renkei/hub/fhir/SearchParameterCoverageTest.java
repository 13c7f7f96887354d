package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.HubTestBase;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceSearchParamComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every search parameter the hub advertises in {@code GET /metadata} is exercised against a
 * realistic example of its resource type ({@code src/test/resources/examples/<Type>.json}): each
 * value in {@link #CASES} under "hit" must find the example and each value under "miss" must not,
 * so a parameter that is ignored, mis-indexed or matches everything fails. The parameter list comes
 * from the running hub, so a parameter added to the CapabilityStatement without a case here fails
 * ("has a test case"), and a case for a parameter that is no longer advertised fails too.
 *
 * <p>Examples refer to each other with {@code {{Type}}} placeholders (and {@code {{Organization-parent}}}
 * for {@code examples/support/Organization-parent.json}); each is created after what it refers to and
 * the placeholders are replaced by the ids the hub assigned. In search values, {@code {{self}}} is the
 * example's own id and {@code {{lastUpdated}}} its {@code meta.lastUpdated}.
 *
 * <p>Types without the {@code create} interaction (AuditEvent, which only the hub itself may write)
 * are checked to be refused by {@code POST}, then written straight into the {@link StoreFixtures store}
 * the way the hub would write them, and searched over HTTP like every other type.
 */
@Hub(
        own =
                "each search must find its example on the first page of 200 and miss it otherwise: only its own examples in the store")
class SearchParameterCoverageTest extends HubTestBase {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z-]+)}}");
    private static final String SELF = "self";
    private static final String LAST_UPDATED = "lastUpdated";

    // ---- the cases ------------------------------------------------------------------------------

    private record Case(List<String> hits, List<String> misses) {}

    private record CaseTable(Map<String, Case> params) {
        CaseTable param(String name, List<String> hits, List<String> misses) {
            if (hits.isEmpty() || misses.isEmpty()) {
                throw new IllegalStateException(
                        name + ": every parameter needs a value that matches and one that does not");
            }
            if (params.put(name, new Case(hits, misses)) != null) {
                throw new IllegalStateException("Two cases for " + name);
            }
            return this;
        }
    }

    private static final Map<String, Map<String, Case>> CASES = new LinkedHashMap<>();

    /** _id and _lastUpdated apply to every type alike. */
    private static final Map<String, Case> EVERY_TYPE = Map.of(
            "_id", new Case(hit("{{self}}", "no-such-id,{{self}}"), miss("no-such-id", "{{self}}-2")),
            "_lastUpdated",
                    new Case(
                            hit(
                                    "{{lastUpdated}}",
                                    "ge{{lastUpdated}}",
                                    "le{{lastUpdated}}",
                                    "ge2020-01-01",
                                    "sa2020-01-01"),
                            miss("gt{{lastUpdated}}", "lt{{lastUpdated}}", "lt2020-01-01", "eb2020-01-01")));

    private static CaseTable type(String type) {
        return new CaseTable(CASES.computeIfAbsent(type, t -> new LinkedHashMap<>()));
    }

    private static List<String> hit(String... values) {
        return List.of(values);
    }

    private static List<String> miss(String... values) {
        return List.of(values);
    }

    private static final String PATIENT_ID_SYSTEM = "urn:oid:1.2.392.100495.20.3.51.11391234567";
    private static final String GENDER = "http://hl7.org/fhir/administrative-gender";
    private static final String LOINC = "http://loinc.org";
    private static final String SNOMED = "http://snomed.info/sct";
    private static final String NO_PATIENT = "Patient/no-such-patient";
    private static final String NO_ENCOUNTER = "Encounter/no-such-encounter";

    static {
        type("Patient")
                .param(
                        "identifier",
                        hit(PATIENT_ID_SYSTEM + "|00012345", "00012345", PATIENT_ID_SYSTEM + "|"),
                        // "|value" asks for an identifier without a system
                        miss(
                                PATIENT_ID_SYSTEM + "|00012346",
                                "urn:oid:1.2.392.100495.20.3.51.19999999999|00012345",
                                "0001234",
                                "|00012345"))
                .param(
                        "name",
                        hit("山田", "山田太郎", "山田 太郎", "山田　太郎", "ヤマダ", "やまだ", "ﾔﾏﾀﾞ", "ﾔﾏﾀﾞﾀﾛｳ", "太郎", "たろう"),
                        miss("田中", "田", "ヤマタ", "山田花子"))
                .param("family", hit("山田", "やまだ", "ﾔﾏﾀﾞ", "ヤマ"), miss("太郎", "タロウ", "鈴木"))
                .param("given", hit("太郎", "たろう", "ﾀﾛｳ"), miss("山田", "ヤマダ", "花子"))
                .param(
                        "birthdate",
                        hit(
                                "1940-04-03",
                                "1940",
                                "1940-04",
                                "ge1940-04-03",
                                "le1940-04-03",
                                "gt1940-04-02",
                                "lt1940-04-04"),
                        miss("1940-04-04", "1941", "gt1940-04-03", "lt1940-04-03", "ne1940-04-03"))
                .param("gender", hit("male", GENDER + "|male"), miss("female", GENDER + "|female", "other|male"))
                .param("active", hit("true"), miss("false"))
                .param(
                        "telecom",
                        hit("03-3701-1234", "090-1234-5678", "taro.yamada@example.jp"),
                        miss("03-3701-1235", "0337011234", "080-9876-5432"))
                .param("phone", hit("03-3701-1234", "090-1234-5678"), miss("taro.yamada@example.jp", "080-9876-5432"))
                .param(
                        "general-practitioner",
                        hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"),
                        miss("Practitioner/no-such-practitioner", "Organization/{{Organization}}"))
                .param(
                        "organization",
                        hit("Organization/{{Organization}}", "{{Organization}}"),
                        miss("Organization/{{Organization-parent}}", "Practitioner/{{Practitioner}}"))
                .param(
                        "address",
                        hit("東京都", "東京都世田谷区玉川", "世田谷区", "玉川一丁目", "玉川ハイツ101", "158-0094", "１５８－００９４", "JP"),
                        miss("大阪府", "一丁目", "158-0095", "JPN"));

        type("RelatedPerson")
                .param(
                        "identifier",
                        hit(PATIENT_ID_SYSTEM + ".2|00012345-01", "00012345-01"),
                        miss(PATIENT_ID_SYSTEM + ".2|00012345-02", PATIENT_ID_SYSTEM + "|00012345-01"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("name", hit("山田", "山田花子", "花子", "ハナコ", "はなこ", "ﾔﾏﾀﾞ ﾊﾅｺ"), miss("山田太郎", "タロウ", "佐藤"))
                .param(
                        "relationship",
                        hit(
                                "http://terminology.hl7.org/CodeSystem/v3-RoleCode|WIFE",
                                "WIFE",
                                "http://terminology.hl7.org/CodeSystem/v2-0131|C"),
                        miss(
                                "http://terminology.hl7.org/CodeSystem/v3-RoleCode|HUSB",
                                "http://terminology.hl7.org/CodeSystem/v2-0131|WIFE"))
                .param("active", hit("true"), miss("false"))
                .param("telecom", hit("080-9876-5432"), miss("090-1234-5678", "080-9876-5433"));

        type("Practitioner")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.31|512345", "512345"),
                        miss("urn:oid:1.2.392.100495.20.3.31|512346", "urn:oid:1.2.392.100495.20.3.32|512345"))
                .param("name", hit("鈴木", "鈴木一郎", "スズキ", "すずき", "ｽｽﾞｷ", "一郎", "イチロウ"), miss("山田", "佐藤", "スス"))
                .param("family", hit("鈴木", "すずき", "ｽｽﾞｷ"), miss("一郎", "イチロウ"))
                .param("given", hit("一郎", "いちろう", "ｲﾁﾛｳ"), miss("鈴木", "スズキ", "二郎"))
                .param("active", hit("true"), miss("false"))
                .param(
                        "telecom",
                        hit("03-3700-3333", "ichiro.suzuki@tamagawa-clinic.example.jp"),
                        miss("03-3700-3334", "03-3701-1234"));

        type("PractitionerRole")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.41.11391234567|PR-0042"),
                        miss("urn:oid:1.2.392.100495.20.3.41.11391234567|PR-0043"))
                .param(
                        "practitioner",
                        hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"),
                        miss("Practitioner/no-such-practitioner"))
                .param(
                        "organization",
                        hit("Organization/{{Organization}}", "{{Organization}}"),
                        miss("Organization/{{Organization-parent}}"))
                .param(
                        "role",
                        hit("http://terminology.hl7.org/CodeSystem/practitioner-role|doctor", "doctor"),
                        miss("http://terminology.hl7.org/CodeSystem/practitioner-role|nurse", "nurse"))
                .param(
                        "specialty",
                        hit("urn:oid:1.2.392.100495.20.2.51|01", "01"),
                        miss("urn:oid:1.2.392.100495.20.2.51|02", SNOMED + "|01"))
                .param("active", hit("true"), miss("false"));

        type("Organization")
                .param(
                        "identifier",
                        hit("http://jpfhir.jp/fhir/core/IdSystem/insurance-medical-institution-no|1391234567"),
                        miss(
                                "http://jpfhir.jp/fhir/core/IdSystem/insurance-medical-institution-no|1391234568",
                                "urn:oid:1.2.392.100495.20.3.71|0113456789012"))
                .param(
                        "name",
                        hit("たまがわ", "タマガワ訪問", "ﾀﾏｶﾞﾜ", "たまがわ訪問看護ステーション", "玉川訪看"),
                        miss("医療法人", "イリョウ", "せたがや", "訪問看護"))
                .param(
                        "type",
                        hit("http://terminology.hl7.org/CodeSystem/organization-type|prov", "prov"),
                        miss("http://terminology.hl7.org/CodeSystem/organization-type|other"))
                .param("active", hit("true"), miss("false"))
                .param(
                        "partof",
                        hit("Organization/{{Organization-parent}}", "{{Organization-parent}}"),
                        miss("Organization/{{Organization}}"));

        type("CareTeam")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.81.11391234567|CT-2024-0007"),
                        miss("urn:oid:1.2.392.100495.20.3.81.11391234567|CT-2024-0008"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "status",
                        hit("active", "http://hl7.org/fhir/care-team-status|active"),
                        miss("inactive", "proposed"))
                .param("category", hit(LOINC + "|LA28865-6", "LA28865-6"), miss(LOINC + "|LA27976-2"))
                .param(
                        "participant",
                        hit(
                                "Practitioner/{{Practitioner}}",
                                "RelatedPerson/{{RelatedPerson}}",
                                "Organization/{{Organization}}"),
                        miss("Patient/{{Patient}}", "Practitioner/no-such-practitioner"))
                // period 2024-04-01T09:00+09:00 .. 2025-03-31T17:00+09:00
                .param(
                        "date",
                        hit("ge2024-10-01", "le2024-10-01", "sa2024-03-31", "eb2025-04-01", "2024-05-01,ge2025-01-01"),
                        miss("2024-10-01", "gt2025-03-31", "lt2024-04-01", "sa2024-04-01", "eb2025-03-31"))
                .param("encounter", hit("Encounter/{{Encounter}}", "{{Encounter}}"), miss(NO_ENCOUNTER));

        type("Encounter")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.61.11391234567|V-20240501-001"),
                        miss("urn:oid:1.2.392.100495.20.3.61.11391234567|V-20240501-002"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "status",
                        hit("finished", "http://hl7.org/fhir/encounter-status|finished"),
                        miss("in-progress", "planned"))
                .param(
                        "class",
                        hit("http://terminology.hl7.org/CodeSystem/v3-ActCode|HH", "HH"),
                        miss("http://terminology.hl7.org/CodeSystem/v3-ActCode|AMB", "IMP"))
                .param("type", hit(SNOMED + "|439708006", "439708006"), miss(SNOMED + "|185317003"))
                // period 2024-05-01T10:00+09:00 .. 10:45+09:00
                .param(
                        "date",
                        hit(
                                "2024-05-01",
                                "2024-05",
                                "ge2024-05-01T10:30+09:00",
                                "le2024-05-01T10:30+09:00",
                                "2024-05-01T01:00:00Z,2024-05-01"),
                        miss("2024-05-02", "2024-04-30", "gt2024-05-01", "lt2024-05-01", "2024-05-01T10:30+09:00"))
                .param(
                        "service-provider",
                        hit("Organization/{{Organization}}", "{{Organization}}"),
                        miss("Organization/{{Organization-parent}}"))
                .param(
                        "participant",
                        hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"),
                        miss("RelatedPerson/{{RelatedPerson}}", "Practitioner/no-such-practitioner"));

        type("Condition")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.71.11391234567|DX-000981"),
                        miss("urn:oid:1.2.392.100495.20.3.71.11391234567|DX-000982"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "code",
                        hit(
                                "http://hl7.org/fhir/sid/icd-10|I50.9",
                                "I50.9",
                                "http://jpfhir.jp/fhir/core/CodeSystem/JP_ConditionDiseaseCode_MEDIS|20057233"),
                        miss("http://hl7.org/fhir/sid/icd-10|I50.0", "http://hl7.org/fhir/sid/icd-10|20057233", "I50"))
                .param(
                        "clinical-status",
                        hit("http://terminology.hl7.org/CodeSystem/condition-clinical|active", "active"),
                        miss("resolved", "http://terminology.hl7.org/CodeSystem/condition-ver-status|active"))
                .param(
                        "verification-status",
                        hit("http://terminology.hl7.org/CodeSystem/condition-ver-status|confirmed", "confirmed"),
                        miss("provisional", "active"))
                .param(
                        "category",
                        hit("http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item"),
                        miss("http://terminology.hl7.org/CodeSystem/condition-category|encounter-diagnosis"))
                // onsetDateTime 2023-11-20 (day precision)
                .param(
                        "onset-date",
                        hit("2023-11-20", "2023-11", "2023", "ge2023-11-20", "le2023-11-20"),
                        miss("2023-11-21", "gt2023-11-20", "lt2023-11-20", "2023-11-20T12:00+09:00"))
                // recordedDate 2024-05-01T10:30:00+09:00
                .param(
                        "recorded-date",
                        hit(
                                "2024-05-01",
                                "2024-05-01T10:30:00+09:00",
                                "2024-05-01T01:30:00Z",
                                "2024-05-01T10:30",
                                "ge2024-05-01T10:30:00+09:00",
                                "le2024-05-01T10:30:00+09:00"),
                        miss(
                                "2024-04-30",
                                "gt2024-05-01T10:30:00+09:00",
                                "lt2024-05-01T10:30:00+09:00",
                                "2024-05-01T10:31+09:00",
                                "2024-05-01T10:30:00Z"))
                .param("encounter", hit("Encounter/{{Encounter}}"), miss(NO_ENCOUNTER));

        type("AllergyIntolerance")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.72.11391234567|AL-000123"),
                        miss("urn:oid:1.2.392.100495.20.3.72.11391234567|AL-000124"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "code",
                        hit(SNOMED + "|373270004", "373270004"),
                        miss(SNOMED + "|91935009", LOINC + "|373270004"))
                .param(
                        "clinical-status",
                        hit("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical|active", "active"),
                        miss("inactive", "resolved"))
                .param(
                        "category",
                        hit("medication", "http://hl7.org/fhir/allergy-intolerance-category|medication"),
                        miss("food", "environment"))
                .param(
                        "criticality",
                        hit("high", "http://hl7.org/fhir/allergy-intolerance-criticality|high"),
                        miss("low", "unable-to-assess"))
                // recordedDate 2024-05-01T10:35:00+09:00
                .param(
                        "date",
                        hit("2024-05-01", "2024-05-01T10:35+09:00", "ge2024-05-01", "le2024-05-01T10:35:00+09:00"),
                        miss("2024-05-02", "lt2024-05-01", "2024-05-01T10:36+09:00"))
                .param(
                        "recorder",
                        hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"),
                        miss("Patient/{{Patient}}"));

        type("MedicationStatement")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.81.11391234567|MS-2024-0415"),
                        miss("urn:oid:1.2.392.100495.20.3.81.11391234567|MS-2024-0416"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "status",
                        hit("active", "http://hl7.org/fhir/CodeSystem/medication-statement-status|active"),
                        miss("completed", "stopped"))
                .param(
                        "code",
                        hit("urn:oid:1.2.392.200119.4.403.1|107316202", "107316202"),
                        miss("urn:oid:1.2.392.200119.4.403.1|107316203"))
                // effectivePeriod 2024-04-01 .. 2024-06-30
                .param(
                        "effective",
                        hit("2024", "ge2024-05-01", "le2024-05-01", "sa2024-03-31", "eb2024-07-01"),
                        miss("2024-05", "2023", "gt2024-06-30", "lt2024-04-01", "sa2024-04-01", "eb2024-06-30"))
                .param("context", hit("Encounter/{{Encounter}}", "{{Encounter}}"), miss(NO_ENCOUNTER))
                .param("source", hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"), miss("Patient/{{Patient}}"));

        type("Observation")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.82.11391234567|OB-20240501-0001"),
                        miss("urn:oid:1.2.392.100495.20.3.82.11391234567|OB-20240501-0002"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT, "Group/{{Patient}}"))
                .param(
                        "status",
                        hit("final", "http://hl7.org/fhir/observation-status|final"),
                        miss("preliminary", "amended"))
                .param("code", hit(LOINC + "|8310-5", "8310-5"), miss(LOINC + "|8867-4", SNOMED + "|8310-5"))
                .param(
                        "category",
                        hit("http://terminology.hl7.org/CodeSystem/observation-category|vital-signs", "vital-signs"),
                        miss("http://terminology.hl7.org/CodeSystem/observation-category|laboratory"))
                // effectiveDateTime 2024-05-01T10:15:00+09:00
                .param(
                        "date",
                        hit(
                                "2024-05-01",
                                "2024-05-01T10:15+09:00",
                                "2024-05-01T01:15:00Z",
                                "ge2024-05-01T10:00+09:00",
                                "le2024-05-01T10:30+09:00",
                                "gt2024-04-30",
                                "lt2024-05-02"),
                        miss(
                                "2024-05-02",
                                "2024-04-30",
                                "gt2024-05-01T10:15:00+09:00",
                                "lt2024-05-01T10:15:00+09:00",
                                "ne2024-05-01"))
                .param("encounter", hit("Encounter/{{Encounter}}", "{{Encounter}}"), miss(NO_ENCOUNTER))
                .param("performer", hit("Practitioner/{{Practitioner}}"), miss("Organization/{{Organization}}"));

        type("Procedure")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.83.11391234567|PR-20240501-0003"),
                        miss("urn:oid:1.2.392.100495.20.3.83.11391234567|PR-20240501-0004"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param("status", hit("completed", "http://hl7.org/fhir/event-status|completed"), miss("in-progress"))
                .param("code", hit(SNOMED + "|182531007", "182531007"), miss(SNOMED + "|225358003"))
                .param("category", hit(SNOMED + "|225358003"), miss(SNOMED + "|182531007"))
                // performedPeriod 2024-05-01T10:20+09:00 .. 10:40+09:00
                .param(
                        "date",
                        hit("2024-05-01", "ge2024-05-01T10:30+09:00", "le2024-05-01T10:30+09:00"),
                        miss("2024-04-30", "gt2024-05-01", "2024-05-01T10:30+09:00"))
                .param("encounter", hit("Encounter/{{Encounter}}"), miss(NO_ENCOUNTER))
                .param(
                        "performer",
                        hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"),
                        miss("Organization/{{Organization}}"));

        type("Composition")
                .param(
                        "identifier",
                        hit("http://jpfhir.jp/fhir/core/IdSystem/resourceInstance-identifier|1391234567-DS-2024-0012"),
                        miss("http://jpfhir.jp/fhir/core/IdSystem/resourceInstance-identifier|1391234567-DS-2024-0013"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param("status", hit("final", "http://hl7.org/fhir/composition-status|final"), miss("preliminary"))
                .param("type", hit(LOINC + "|18842-5", "18842-5"), miss(LOINC + "|57133-1"))
                .param(
                        "category",
                        hit("http://jpfhir.jp/fhir/Common/CodeSystem/doc-typecodes|18842-5"),
                        miss(LOINC + "|18842-5"))
                // date 2024-05-07T15:00:00+09:00
                .param(
                        "date",
                        hit(
                                "2024-05-07",
                                "2024-05-07T15:00:00+09:00",
                                "ge2024-05-07T15:00:00+09:00",
                                "le2024-05-07T15:00:00+09:00"),
                        miss("2024-05-08", "gt2024-05-07T15:00:00+09:00", "lt2024-05-07T15:00:00+09:00"))
                .param(
                        "author",
                        hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"),
                        miss("Organization/{{Organization}}"))
                .param("encounter", hit("Encounter/{{Encounter}}"), miss(NO_ENCOUNTER));

        type("DocumentReference")
                .param(
                        "identifier",
                        hit(
                                "urn:oid:1.2.392.100495.20.3.91.11391234567|DOC-2024-0508-01",
                                "urn:ietf:rfc:3986|urn:oid:1.2.392.100495.20.3.91.11391234567.20240508.1"),
                        miss("urn:oid:1.2.392.100495.20.3.91.11391234567|DOC-2024-0508-02"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "status",
                        hit("current", "http://hl7.org/fhir/document-reference-status|current"),
                        miss("superseded"))
                .param("type", hit(LOINC + "|57133-1", "57133-1"), miss(LOINC + "|18842-5"))
                .param("category", hit(LOINC + "|LP173421-1"), miss(LOINC + "|57133-1"))
                // date (instant) 2024-05-08T09:30:00.250+09:00
                .param(
                        "date",
                        hit(
                                "2024-05-08",
                                "2024-05-08T09:30:00.250+09:00",
                                "2024-05-08T09:30:00+09:00",
                                "ge2024-05-08T09:30:00.250+09:00",
                                "le2024-05-08T09:30:00.250+09:00",
                                "gt2024-05-08T09:30:00.249+09:00",
                                "lt2024-05-08T09:30:00.251+09:00"),
                        miss(
                                "2024-05-07",
                                "2024-05-08T09:30:00.251+09:00",
                                "gt2024-05-08T09:30:00.250+09:00",
                                "lt2024-05-08T09:30:00.250+09:00"))
                .param("author", hit("Practitioner/{{Practitioner}}"), miss("Organization/{{Organization}}"))
                .param(
                        "custodian",
                        hit("Organization/{{Organization}}", "{{Organization}}"),
                        miss("Organization/{{Organization-parent}}"));

        type("Bundle")
                .param(
                        "identifier",
                        hit("urn:ietf:rfc:3986|urn:uuid:5b0f3a58-2c1e-4d7a-9a64-3f2f1d1c9e01"),
                        miss("urn:ietf:rfc:3986|urn:uuid:5b0f3a58-2c1e-4d7a-9a64-3f2f1d1c9e02"))
                .param(
                        "type",
                        hit("document", "http://hl7.org/fhir/bundle-type|document"),
                        miss("collection", "transaction"))
                // the Composition's subject is the Patient entry by its urn:uuid; that entry's id is the hub's patient
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                // timestamp 2024-05-07T15:00:30+09:00
                .param(
                        "timestamp",
                        hit("2024-05-07", "2024-05-07T15:00:30+09:00", "2024-05-07T15:00+09:00"),
                        miss("2024-05-06", "gt2024-05-07T15:00:30+09:00", "2024-05-07T15:00:31+09:00"));

        type("Communication")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.93.11391234567|CM-20240502-0001"),
                        miss("urn:oid:1.2.392.100495.20.3.93.11391234567|CM-20240502-0002"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param("status", hit("completed", "http://hl7.org/fhir/event-status|completed"), miss("in-progress"))
                .param(
                        "category",
                        hit("http://terminology.hl7.org/CodeSystem/communication-category|notification"),
                        miss("http://terminology.hl7.org/CodeSystem/communication-category|alert"))
                // sent 09:00, received 09:05 (+09:00) on 2024-05-02
                .param(
                        "sent",
                        hit("2024-05-02", "2024-05-02T09:00:00+09:00", "lt2024-05-02T09:05:00+09:00"),
                        miss("2024-05-01", "2024-05-02T09:05:00+09:00", "gt2024-05-02T09:00:00+09:00"))
                .param(
                        "received",
                        hit("2024-05-02", "2024-05-02T09:05:00+09:00", "gt2024-05-02T09:00:00+09:00"),
                        miss("2024-05-02T09:00:00+09:00", "lt2024-05-02T09:05:00+09:00"))
                .param("recipient", hit("Practitioner/{{Practitioner}}"), miss("Organization/{{Organization}}"))
                .param("sender", hit("Organization/{{Organization}}"), miss("Practitioner/{{Practitioner}}"))
                .param(
                        "based-on",
                        hit("CommunicationRequest/{{CommunicationRequest}}"),
                        miss("CommunicationRequest/no-such-request"))
                .param("encounter", hit("Encounter/{{Encounter}}"), miss(NO_ENCOUNTER));

        type("CommunicationRequest")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.92.11391234567|CR-20240502-0001"),
                        miss("urn:oid:1.2.392.100495.20.3.92.11391234567|CR-20240502-0002"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param("status", hit("active", "http://hl7.org/fhir/request-status|active"), miss("completed", "draft"))
                .param(
                        "category",
                        hit("http://terminology.hl7.org/CodeSystem/communication-category|alert"),
                        miss("http://terminology.hl7.org/CodeSystem/communication-category|notification"))
                // authoredOn 2024-05-02T08:30:00+09:00
                .param(
                        "authored",
                        hit("2024-05-02", "2024-05-02T08:30+09:00", "le2024-05-02T08:30:00+09:00"),
                        miss("2024-05-01", "gt2024-05-02T08:30+09:00"))
                .param("recipient", hit("Organization/{{Organization}}"), miss("Practitioner/{{Practitioner}}"))
                .param("requester", hit("Practitioner/{{Practitioner}}"), miss("RelatedPerson/{{RelatedPerson}}"))
                .param("sender", hit("RelatedPerson/{{RelatedPerson}}"), miss("Practitioner/{{Practitioner}}"))
                .param("encounter", hit("Encounter/{{Encounter}}"), miss(NO_ENCOUNTER));

        type("Task")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.94.11391234567|TK-20240502-0001"),
                        miss("urn:oid:1.2.392.100495.20.3.94.11391234567|TK-20240502-0002"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "status",
                        hit("in-progress", "http://hl7.org/fhir/task-status|in-progress"),
                        miss("completed", "requested"))
                .param(
                        "business-status",
                        hit("urn:oid:1.2.392.100495.20.3.94.1|visiting", "visiting"),
                        miss("urn:oid:1.2.392.100495.20.3.94.1|visited"))
                .param(
                        "code",
                        hit("http://hl7.org/fhir/CodeSystem/task-code|fulfill", "fulfill"),
                        miss("http://hl7.org/fhir/CodeSystem/task-code|approve"))
                .param(
                        "focus",
                        hit("CommunicationRequest/{{CommunicationRequest}}"),
                        miss("Communication/{{Communication}}"))
                .param(
                        "owner",
                        hit("Organization/{{Organization}}", "{{Organization}}"),
                        miss("Practitioner/{{Practitioner}}"))
                .param("requester", hit("Practitioner/{{Practitioner}}"), miss("Organization/{{Organization}}"))
                // authoredOn 08:40, lastModified 11:00 (+09:00) on 2024-05-02
                .param(
                        "authored-on",
                        hit("2024-05-02", "2024-05-02T08:40+09:00"),
                        miss("2024-05-03", "2024-05-02T11:00+09:00"))
                .param(
                        "modified",
                        hit("2024-05-02", "2024-05-02T11:00+09:00", "ge2024-05-02T10:00+09:00"),
                        miss("2024-05-02T08:40+09:00", "lt2024-05-02T11:00+09:00"))
                // executionPeriod starts 2024-05-02T13:00+09:00 and has no end (the visit is under way)
                .param(
                        "period",
                        hit("ge2024-05-02", "gt2024-05-02", "sa2024-05-01", "ge2030-01-01", "le2024-05-03"),
                        miss("2024-05-02", "le2024-05-01", "lt2024-05-02T13:00:00+09:00", "eb2099-01-01"));

        type("Consent")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.95.11391234567|CS-2024-0001"),
                        miss("urn:oid:1.2.392.100495.20.3.95.11391234567|CS-2024-0002"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "status",
                        hit("active", "http://hl7.org/fhir/consent-state-codes|active"),
                        miss("inactive", "draft"))
                .param(
                        "scope",
                        hit("http://terminology.hl7.org/CodeSystem/consentscope|patient-privacy", "patient-privacy"),
                        miss("http://terminology.hl7.org/CodeSystem/consentscope|research"))
                .param("category", hit(LOINC + "|59284-0"), miss(LOINC + "|57016-8"))
                // dateTime 2024-04-01T14:00:00+09:00
                .param("date", hit("2024-04-01", "2024-04-01T14:00+09:00"), miss("2024-04-02", "gt2024-04-01"))
                .param(
                        "actor",
                        hit("Practitioner/{{Practitioner}}", "RelatedPerson/{{RelatedPerson}}"),
                        miss("Patient/{{Patient}}", "Organization/{{Organization}}"))
                .param(
                        "organization",
                        hit("Organization/{{Organization}}", "{{Organization}}"),
                        miss("Organization/{{Organization-parent}}"));

        type("QuestionnaireResponse")
                .param(
                        "identifier",
                        hit("urn:oid:1.2.392.100495.20.3.96.11391234567|QR-20240501-0001"),
                        miss("urn:oid:1.2.392.100495.20.3.96.11391234567|QR-20240501-0002"))
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param("subject", hit("Patient/{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "status",
                        hit("completed", "http://hl7.org/fhir/questionnaire-answers-status|completed"),
                        miss("in-progress", "amended"))
                // authored 2024-05-01T11:00:00+09:00
                .param(
                        "authored",
                        hit("2024-05-01", "2024-05-01T11:00+09:00"),
                        miss("2024-05-02", "lt2024-05-01T11:00:00+09:00"))
                .param("author", hit("Practitioner/{{Practitioner}}"), miss("RelatedPerson/{{RelatedPerson}}"));

        type("Provenance")
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "target",
                        hit("Composition/{{Composition}}", "Patient/{{Patient}}"),
                        miss("Composition/no-such-composition", "Bundle/{{Bundle}}"))
                .param(
                        "agent",
                        hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"),
                        miss("Organization/{{Organization}}"))
                // recorded (instant) 2024-05-07T15:00:05.250+09:00
                .param(
                        "recorded",
                        hit("2024-05-07", "2024-05-07T15:00:05+09:00", "2024-05-07T15:00:05.250+09:00"),
                        miss("2024-05-07T15:00:05.251+09:00", "2024-05-07T15:00:04+09:00", "2024-05-08"));

        type("Binary"); // _id and _lastUpdated only
        type("Subscription"); // only the owner's own are listed; no search parameters

        type("AuditEvent")
                .param("patient", hit("Patient/{{Patient}}", "{{Patient}}"), miss(NO_PATIENT))
                .param(
                        "entity",
                        hit("DocumentReference/{{DocumentReference}}", "Patient/{{Patient}}"),
                        miss("DocumentReference/no-such-document", "Composition/{{Composition}}"))
                .param(
                        "agent",
                        hit("Practitioner/{{Practitioner}}", "{{Practitioner}}"),
                        miss("Organization/{{Organization}}"))
                // recorded 2024-05-08T09:31:00.123+09:00
                .param(
                        "date",
                        hit("2024-05-08", "2024-05-08T09:31+09:00", "2024-05-08T09:31:00.123+09:00"),
                        miss("2024-05-09", "2024-05-08T09:31:00.124+09:00"))
                .param(
                        "type",
                        hit("http://terminology.hl7.org/CodeSystem/audit-event-type|rest", "rest"),
                        miss("http://dicom.nema.org/resources/ontology/DCM|110110"))
                .param(
                        "subtype",
                        hit("http://hl7.org/fhir/restful-interaction|read", "read"),
                        miss("http://hl7.org/fhir/restful-interaction|update"))
                .param("action", hit("R", "http://hl7.org/fhir/audit-event-action|R"), miss("C", "U"))
                .param("outcome", hit("0", "http://hl7.org/fhir/audit-event-outcome|0"), miss("4", "8"))
                .param("source", hit("Organization/{{Organization}}"), miss("Practitioner/{{Practitioner}}"));
    }

    // ---- the examples ---------------------------------------------------------------------------

    /** Examples other resources refer to that are not the example of their type. */
    private static final List<String> SUPPORT = List.of("Organization-parent");

    private final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, String> lastUpdated = new LinkedHashMap<>();
    private final Map<String, String> setupFailures = new LinkedHashMap<>();
    private List<CapabilityStatementRestResourceComponent> advertised;
    private IParser strictParser;

    @BeforeAll
    void createExamples() {
        strictParser = HubInstance.fhirContext().newJsonParser();
        strictParser.setParserErrorHandler(new StrictErrorHandler());
        HttpResponse<String> metadata = get("/metadata");
        assertThat(metadata.statusCode()).as(metadata.body()).isEqualTo(200);
        CapabilityStatement cs =
                HubInstance.fhirContext().newJsonParser().parseResource(CapabilityStatement.class, metadata.body());
        advertised = cs.getRestFirstRep().getResource();
        for (CapabilityStatementRestResourceComponent resource : advertised) {
            try {
                create(resource.getType(), new ArrayDeque<>());
            } catch (RuntimeException | AssertionError e) {
                setupFailures.putIfAbsent(resource.getType(), describe(e));
            }
        }
    }

    private String create(String key, Deque<String> path) {
        if (ids.containsKey(key)) {
            return ids.get(key);
        }
        if (setupFailures.containsKey(key)) {
            throw new IllegalStateException("example " + key + " could not be created: " + setupFailures.get(key));
        }
        if (path.contains(key)) {
            throw new IllegalStateException("examples refer to each other in a cycle: " + path + " -> " + key);
        }
        path.push(key);
        try {
            String json = substitute(readExample(key), dependency -> create(dependency, path));
            Resource resource = (Resource) strictParser.parseResource(json);
            String type = resource.fhirType();
            if (!SUPPORT.contains(key) && !type.equals(key)) {
                throw new IllegalStateException("examples/" + key + ".json holds a " + type);
            }
            String id = isCreatable(type) ? post(type, json) : writeAsTheHub(type, json, resource);
            HttpResponse<String> read = get("/" + type + "/" + id + "?_format=json");
            if (read.statusCode() != 200) {
                throw new IllegalStateException(
                        "GET " + type + "/" + id + " after creating it: " + read.statusCode() + " " + read.body());
            }
            Resource stored =
                    (Resource) HubInstance.fhirContext().newJsonParser().parseResource(read.body());
            ids.put(key, id);
            lastUpdated.put(key, stored.getMeta().getLastUpdatedElement().getValueAsString());
            return id;
        } catch (RuntimeException e) {
            setupFailures.putIfAbsent(key, describe(e));
            throw e;
        } finally {
            path.pop();
        }
    }

    private String post(String type, String json) {
        HttpResponse<String> response = send("POST", "/" + type, "application/fhir+json", json);
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "POST /" + type + " answered " + response.statusCode() + ": " + response.body());
        }
        String location = response.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("POST /" + type + " answered 201 without a Location"));
        return new IdType(location).getIdPart();
    }

    /**
     * Types the API may not write are written by the hub itself. The API must refuse them; the
     * example is then stored through the same {@link StoreFixtures store} (and so the same indexing) the
     * hub's own writes go through.
     */
    private String writeAsTheHub(String type, String json, Resource resource) {
        HttpResponse<String> refused = send("POST", "/" + type, "application/fhir+json", json);
        if (refused.statusCode() < 400 || refused.statusCode() >= 500) {
            throw new IllegalStateException(
                    "POST /" + type + " should be refused (no create in the CapabilityStatement) but answered "
                            + refused.statusCode() + ": " + refused.body());
        }
        StoreFixtures store = StoreFixtures.of(hub);
        return store.write(List.of(new WriteRequest(type, StoreFixtures.newId(), resource, null, null)))
                .get(0)
                .id();
    }

    private boolean isCreatable(String type) {
        return advertised.stream()
                .filter(r -> r.getType().equals(type))
                .flatMap(r -> r.getInteraction().stream())
                .anyMatch(i -> i.getCode() == TypeRestfulInteraction.CREATE);
    }

    private static String readExample(String key) {
        String path = SUPPORT.contains(key) ? "/examples/support/" + key + ".json" : "/examples/" + key + ".json";
        try (InputStream in = SearchParameterCoverageTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no example " + path + " (src/test/resources" + path + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    private static String substitute(String text, java.util.function.Function<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.apply(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            s.append(" <- ").append(c);
        }
        return s.toString();
    }

    // ---- the tests ------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicNode> everyAdvertisedSearchParameterFindsItsExampleAndOnlyWhenItShould() {
        return advertised.stream().map(resource -> {
            String type = resource.getType();
            List<DynamicNode> nodes = new ArrayList<>();
            nodes.add(dynamicTest("example " + type + ".json is stored", () -> requireExample(type)));
            for (CapabilityStatementRestResourceSearchParamComponent param : resource.getSearchParam()) {
                String name = param.getName();
                Case c = caseFor(type, name);
                if (c == null) {
                    nodes.add(dynamicTest(
                            name + " has a test case",
                            () -> fail(
                                    "The CapabilityStatement lists %s.%s but %s has no case for it: add one to CASES "
                                            + "(a value from examples/%s.json that must match, and one that must not)",
                                    type, name, getClass().getSimpleName(), type)));
                    continue;
                }
                List<DynamicNode> queries = new ArrayList<>();
                for (String value : c.hits()) {
                    queries.add(dynamicTest(
                            "finds " + type + "?" + name + "=" + value, () -> check(type, name, value, true)));
                }
                for (String value : c.misses()) {
                    queries.add(dynamicTest(
                            "not " + type + "?" + name + "=" + value, () -> check(type, name, value, false)));
                }
                String kind = param.hasType() ? param.getType().toCode() : "?";
                nodes.add(dynamicContainer(name + " (" + kind + ")", queries));
            }
            return dynamicContainer(type, nodes);
        });
    }

    @Test
    void everyCaseNamesAnAdvertisedTypeAndParameter() {
        Set<String> advertisedParams = new TreeSet<>();
        advertised.forEach(r -> r.getSearchParam().forEach(p -> advertisedParams.add(r.getType() + "." + p.getName())));
        Set<String> stale = new TreeSet<>();
        CASES.forEach((type, params) -> params.keySet().forEach(p -> {
            if (!advertisedParams.contains(type + "." + p)) {
                stale.add(type + "." + p);
            }
        }));
        assertThat(stale).as("cases for parameters the hub does not advertise").isEmpty();
        Set<String> types = new LinkedHashSet<>();
        advertised.forEach(r -> types.add(r.getType()));
        assertThat(types)
                .as("every advertised type has a (possibly empty) case table")
                .containsExactlyInAnyOrderElementsOf(CASES.keySet());
    }

    @Test
    void everyAdvertisedTypeHasAnExampleThatTheHubStored() {
        assertThat(setupFailures).as("examples that could not be stored").isEmpty();
        for (CapabilityStatementRestResourceComponent resource : advertised) {
            assertThat(ids).as("stored examples").containsKey(resource.getType());
        }
    }

    private Case caseFor(String type, String name) {
        Case generic = EVERY_TYPE.get(name);
        return generic != null ? generic : CASES.getOrDefault(type, Map.of()).get(name);
    }

    private void requireExample(String type) {
        if (!ids.containsKey(type)) {
            fail(
                    "The example of %s was not stored: %s",
                    type, setupFailures.getOrDefault(type, "(no reason recorded)"));
        }
    }

    private void check(String type, String name, String template, boolean expectFound) {
        requireExample(type);
        String value = substitute(template, key -> switch (key) {
            case SELF -> ids.get(type);
            case LAST_UPDATED -> lastUpdated.get(type);
            default -> {
                String id = ids.get(key);
                if (id == null) {
                    fail(
                            "search value %s names example %s, which was not stored: %s",
                            template, key, setupFailures.get(key));
                }
                yield id;
            }
        });
        String query = "/" + type + "?" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8) + "&_count=200";
        HttpResponse<String> response = get(query);
        String shown = "GET " + type + "?" + name + "=" + value;
        assertThat(response.statusCode())
                .as("%s answered %s", shown, response.body())
                .isEqualTo(200);
        Bundle bundle = HubInstance.fhirContext().newJsonParser().parseResource(Bundle.class, response.body());
        List<String> found = bundle.getEntry().stream()
                .filter(e -> !e.getSearch().hasMode() || e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
                .map(e -> e.getResource().getIdElement().getIdPart())
                .toList();
        String example = ids.get(type);
        if (expectFound) {
            assertThat(found)
                    .as("%s must find the example %s/%s", shown, type, example)
                    .contains(example);
        } else {
            assertThat(found)
                    .as("%s must not find the example %s/%s", shown, type, example)
                    .doesNotContain(example);
        }
    }
}
