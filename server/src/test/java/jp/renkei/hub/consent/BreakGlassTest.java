package jp.renkei.hub.consent;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Updates;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import jp.renkei.hub.access.TestIssuer;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.StoreProperties;
import jp.renkei.hub.store.WriteRequest;
import org.bson.Document;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Emergency access (break-glass) through a running hub whose grants last 3 seconds. */
@Hub(own = "its grants last 60 seconds", properties = "renkei.break-glass.duration=60s")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BreakGlassTest {

    private TestIssuer issuer;
    private HubInstance hub;
    private StoreFixtures store;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        issuer = world.issuer;
        hub = world.hub;
        store = world.store;
        seed(
                "Patient",
                "ph",
                new Patient().addName(new HumanName().setFamily("山田").addGiven("花子")),
                "Organization/org-hospital");
        seed("Patient", "ps", new Patient().addName(new HumanName().setFamily("佐藤")), "Organization/org-hospital");
        seed(
                "PractitionerRole",
                "role-cm",
                new PractitionerRole()
                        .addCode(new CodeableConcept(new Coding(
                                "http://renkei.example.jp/fhir/CodeSystem/profession", "care-manager", null))),
                null);
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/ph")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        seed("CareTeam", "ct-ph", team, "Organization/org-hospital");
        seed(
                "Composition",
                "sheet",
                CareRecords.about("Composition", "emergency-sheet", "ph"),
                "Organization/org-facility");
        seed(
                "Composition",
                "directive",
                CareRecords.about("Composition", "advance-directive", "ph"),
                "Organization/org-clinic");
        seed("Composition", "plan", CareRecords.about("Composition", "care-plan", "ph"), "Organization/org-homecare");
        seed(
                "AllergyIntolerance",
                "allergy",
                CareRecords.about("AllergyIntolerance", null, "ph"),
                "Organization/org-hospital");
        seed(
                "MedicationStatement",
                "meds",
                CareRecords.about("MedicationStatement", null, "ph"),
                "Organization/org-hospital");
        seed("Condition", "dx", CareRecords.about("Condition", null, "ph"), "Organization/org-hospital");
        seed(
                "MedicationStatement",
                "old-meds",
                CareRecords.about("MedicationStatement", "stopped", "ph"),
                "Organization/org-hospital");
        seed(
                "Composition",
                "sheet-ps",
                CareRecords.about("Composition", "emergency-sheet", "ps"),
                "Organization/org-facility");
        // the directory entry of the ambulance crew member, as keycloak/demo-fhir.json has it
        seed(
                "Practitioner",
                "prac-ems",
                new org.hl7.fhir.r4.model.Practitioner()
                        .addName(new HumanName()
                                .setUse(HumanName.NameUse.OFFICIAL)
                                .setText("木村 隆")
                                .setFamily("木村")
                                .addGiven("隆")),
                null);
        PractitionerRole emsRole = new PractitionerRole().setPractitioner(new Reference("Practitioner/prac-ems"));
        emsRole.addCode(
                new CodeableConcept(new Coding("http://renkei.example.jp/fhir/CodeSystem/profession", "ems", "救急隊"))
                        .setText("救急隊"));
        seed("PractitionerRole", "role-ems", emsRole, null);
        // patients a crew names by name and birth date: one with kanji and kana names, two alike but for address and
        // phone
        seed(
                "Patient",
                "pk",
                new Patient()
                        .addName(new HumanName().setText("高橋 清").setFamily("高橋").addGiven("清"))
                        .addName(new HumanName()
                                .setText("タカハシ キヨシ")
                                .setFamily("タカハシ")
                                .addGiven("キヨシ"))
                        .setBirthDateElement(new DateType("1940-03-03")),
                "Organization/org-hospital");
        for (String[] twin : List.of(
                new String[] {"pt1", "盛岡市高松一丁目", "019-111-1111"}, new String[] {"pt2", "花巻市大通り二丁目", "0198-22-2222"})) {
            seed(
                    "Patient",
                    twin[0],
                    new Patient()
                            .addName(new HumanName().setFamily("田中").addGiven("一郎"))
                            .addName(new HumanName().setFamily("タナカ").addGiven("イチロウ"))
                            .setBirthDateElement(new DateType("1945-01-01"))
                            .addAddress(new Address().setText("岩手県" + twin[1]))
                            .addTelecom(new ContactPoint()
                                    .setSystem(ContactPoint.ContactPointSystem.PHONE)
                                    .setValue(twin[2])),
                    "Organization/org-hospital");
        }
    }

    private void seed(String type, String id, Resource resource, String owner) {
        store.write(List.of(new WriteRequest(type, id, resource, null, owner)));
    }

    private String ems() {
        return issuer.token()
                .roles("ems")
                .subject("ems-kimura")
                .claim("preferred_username", "ems.kimura")
                .claim("practitioner_role", "role-ems")
                .sign();
    }

    private HttpResponse<String> declare(String patient, String token, String purpose, String reason) {
        Parameters p = new Parameters();
        if (purpose != null) {
            p.addParameter().setName("purpose").setValue(new CodeType(purpose));
        }
        if (reason != null) {
            p.addParameter().setName("reason").setValue(new StringType(reason));
        }
        return hub.send(
                "POST",
                "/Patient/" + patient + "/$break-glass",
                "application/fhir+json",
                json.encodeResourceToString(p),
                "Authorization",
                "Bearer " + token);
    }

    /** {@code POST Patient/$break-glass} naming the patient; {@code more} holds further parameters, name then value. */
    private HttpResponse<String> declareByName(String token, String name, String birthDate, String... more) {
        Parameters p = new Parameters();
        if (name != null) {
            p.addParameter().setName("name").setValue(new StringType(name));
        }
        if (birthDate != null) {
            p.addParameter().setName("birthDate").setValue(new DateType(birthDate));
        }
        for (int i = 0; i < more.length; i += 2) {
            p.addParameter().setName(more[i]).setValue(new StringType(more[i + 1]));
        }
        p.addParameter().setName("purpose").setValue(new CodeType("ETREAT"));
        p.addParameter().setName("reason").setValue(new StringType("自宅で意識消失、家族より119番通報"));
        return hub.send(
                "POST",
                "/Patient/$break-glass",
                "application/fhir+json",
                json.encodeResourceToString(p),
                "Authorization",
                "Bearer " + token);
    }

    private String emsCrew(String subject) {
        return issuer.token()
                .roles("ems")
                .subject(subject)
                .claim("practitioner_role", "role-ems")
                .sign();
    }

    private static String patientOf(HttpResponse<String> granted) {
        Parameters answer = HubInstance.fhirContext().newJsonParser().parseResource(Parameters.class, granted.body());
        return ((Reference) answer.getParameter("patient").getValue()).getReference();
    }

    private int read(String path, String token) {
        return hub.send("GET", path, null, null, "Authorization", "Bearer " + token)
                .statusCode();
    }

    @Test
    void anEmergencyOpensOnlyTheEmergencyInformationOfThatPatientForALimitedTime() throws Exception {
        String ems = ems();
        assertThat(read("/Composition/sheet", ems)).isEqualTo(404);

        assertThat(declare("ph", ems, "ETREAT", null).statusCode()).isEqualTo(400);
        assertThat(declare("ph", ems, "ETREAT", "  ").statusCode()).isEqualTo(400);
        assertThat(declare("ph", ems, "TREAT", "自宅で意識消失").statusCode()).isEqualTo(400);
        assertThat(declare("nobody", ems, "ETREAT", "自宅で意識消失").statusCode()).isEqualTo(404);
        String careWorker = issuer.token()
                .roles("care-worker")
                .claim("organization", "org-homecare")
                .sign();
        assertThat(declare("ph", careWorker, "ETREAT", "自宅で意識消失").statusCode()).isEqualTo(403);

        HttpResponse<String> declared = declare("ph", ems, "ETREAT", "自宅で意識消失、家族より119番通報");
        assertThat(declared.statusCode()).isEqualTo(200);
        Parameters grant = json.parseResource(Parameters.class, declared.body());
        assertThat(((InstantType) grant.getParameter("until").getValue())
                        .getValue()
                        .toInstant())
                .isBetween(Instant.now().plusSeconds(50), Instant.now().plusSeconds(61));

        for (String path : List.of(
                "/Composition/sheet",
                "/Composition/directive",
                "/AllergyIntolerance/allergy",
                "/MedicationStatement/meds",
                "/Patient/ph")) {
            assertThat(read(path, ems)).as(path).isEqualTo(200);
        }
        // nothing else, and nothing of another patient
        assertThat(read("/Composition/plan", ems)).isEqualTo(403);
        assertThat(read("/Condition/dx", ems)).isEqualTo(403);
        assertThat(read("/MedicationStatement/old-meds", ems))
                .as("only active medications")
                .isEqualTo(403);
        Bundle meds = json.parseResource(
                Bundle.class,
                hub.send("GET", "/MedicationStatement?patient=Patient/ph", null, null, "Authorization", "Bearer " + ems)
                        .body());
        assertThat(meds.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactly("meds");
        assertThat(read("/Composition/sheet-ps", ems)).isEqualTo(404);
        Bundle found = json.parseResource(
                Bundle.class,
                hub.send("GET", "/Composition?patient=Patient/ph", null, null, "Authorization", "Bearer " + ems)
                        .body());
        assertThat(found.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactlyInAnyOrder("sheet", "directive");

        // the care manager and the authors of the emergency documents are told
        // the answer does not say who was told (that would reveal the care team)
        assertThat(grant.getParameter())
                .extracting(Parameters.ParametersParameterComponent::getName)
                .containsExactlyInAnyOrder("patient", "until");
        List<jp.renkei.hub.store.StoredResource> notices =
                hub.bean(jp.renkei.hub.store.SearchExecutor.class).aboutPatient("Communication", "ph", true);
        assertThat(notices).hasSize(1);
        Communication notice =
                json.parseResource(Communication.class, notices.get(0).json());
        assertThat(notice.getRecipient())
                .extracting(Reference::getReference)
                .containsExactlyInAnyOrder(
                        "PractitionerRole/role-cm", "Organization/org-facility", "Organization/org-clinic");
        // named as the directory knows the person (their PractitionerRole and Practitioner), not by their login
        assertThat(notice.getSender().getReference()).isEqualTo("PractitionerRole/role-ems");
        assertThat(notice.getSender().getDisplay()).isEqualTo("救急隊 木村 隆");
        assertThat(notice.getPayloadFirstRep().getContentStringType().getValue())
                .contains("救急隊 木村 隆")
                .contains("意識消失")
                .doesNotContain("ems.kimura");

        // the declaration and the reads under it are audited as emergency access
        String admin = issuer.token().roles("hub-admin").sign();
        Bundle events = json.parseResource(
                Bundle.class,
                hub.send(
                                "GET",
                                "/AuditEvent?patient=Patient/ph&_count=200",
                                null,
                                null,
                                "Authorization",
                                "Bearer " + admin)
                        .body());
        List<AuditEvent> emergency = events.getEntry().stream()
                .map(e -> (AuditEvent) e.getResource())
                .filter(e -> e.getPurposeOfEvent().stream()
                        .anyMatch(p -> p.getCodingFirstRep().getCode().equals("ETREAT")))
                .toList();
        assertThat(emergency)
                .anySatisfy(e ->
                        assertThat(e.getSubtype()).extracting(Coding::getCode).contains("break-glass"));
        assertThat(emergency)
                .anySatisfy(e -> assertThat(e.getSubtypeFirstRep().getCode()).isEqualTo("read"));

        // the grant's minute passes (moved into the past rather than waited for)
        hub.bean(MongoClient.class)
                .getDatabase(hub.bean(StoreProperties.class).database())
                .getCollection("break_glass_grants")
                .updateMany(
                        new Document(),
                        Updates.set("until", Date.from(Instant.now().minusSeconds(1))));
        assertThat(read("/Composition/sheet", ems)).isEqualTo(404);
    }

    /** Someone the directory does not know (no PractitionerRole or Practitioner for them) is named by their token's name claims. */
    @Test
    void aDeclarantUnknownToTheDirectoryIsNamedByTheirTokensNameClaims() throws Exception {
        String physician = issuer.token()
                .roles("physician")
                .subject("dr-sasaki")
                .claim("preferred_username", "dr.sasaki")
                .claim("practitioner_role", "role-not-in-directory")
                .claim("family_name", "佐々木")
                .claim("given_name", "健")
                .claim("name", "健 佐々木")
                .sign();
        assertThat(declare("ps", physician, "ETREAT", "往診先で急変").statusCode()).isEqualTo(200);
        List<jp.renkei.hub.store.StoredResource> notices =
                hub.bean(jp.renkei.hub.store.SearchExecutor.class).aboutPatient("Communication", "ps", true);
        assertThat(notices).hasSize(1);
        Communication notice =
                json.parseResource(Communication.class, notices.get(0).json());
        assertThat(notice.getSender().getDisplay()).isEqualTo("佐々木 健");
        assertThat(notice.getPayloadFirstRep().getContentStringType().getValue())
                .contains("佐々木 健")
                .doesNotContain("dr.sasaki");
    }

    /** The crew cannot read anyone before declaring, so they name the patient: kanji or kana, with the exact birth date. */
    @Test
    void aCrewNamesThePatientByKanjiOrKanaAndBirthDateAndOnlyThatPatientIsOpened() throws Exception {
        String crew = emsCrew("ems-by-name");
        Bundle before = json.parseResource(
                Bundle.class,
                hub.send(
                                "GET",
                                "/Patient?name="
                                        + java.net.URLEncoder.encode("高橋", java.nio.charset.StandardCharsets.UTF_8),
                                null,
                                null,
                                "Authorization",
                                "Bearer " + crew)
                        .body());
        assertThat(before.getEntry())
                .as("no patient is visible before declaring")
                .isEmpty();
        assertThat(read("/Patient/pk", crew)).isEqualTo(404);

        // a wrong birth date, or the family name alone, finds nobody and opens nothing
        HttpResponse<String> wrongDate = declareByName(crew, "たかはし きよし", "1940-03-04");
        assertThat(wrongDate.statusCode()).isEqualTo(404);
        OperationOutcome notFound = json.parseResource(OperationOutcome.class, wrongDate.body());
        assertThat(notFound.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.NOTFOUND);
        assertThat(notFound.getIssueFirstRep().getDiagnostics())
                .contains("患者は登録されていません")
                .contains("生年月日");
        assertThat(declareByName(crew, "高橋", "1940-03-03").statusCode()).isEqualTo(404);
        assertThat(declareByName(crew, "高橋 清,", "1940-03-03").statusCode())
                .as("a comma typed is no search syntax")
                .isEqualTo(404);
        assertThat(read("/Patient/pk", crew))
                .as("a failed attempt grants nothing")
                .isEqualTo(404);
        // a name and birth date are required, the date to the day
        assertThat(declareByName(crew, null, "1940-03-03").statusCode()).isEqualTo(400);
        assertThat(declareByName(crew, "高橋 清", null).statusCode()).isEqualTo(400);
        assertThat(declareByName(crew, "高橋 清", "1940").statusCode()).isEqualTo(400);

        // hiragana (folded to the katakana reading), with a space: exactly this patient
        HttpResponse<String> byKana = declareByName(crew, "たかはし　きよし", "1940-03-03");
        assertThat(byKana.statusCode()).isEqualTo(200);
        assertThat(patientOf(byKana)).isEqualTo("Patient/pk");
        Parameters grant = json.parseResource(Parameters.class, byKana.body());
        assertThat(((InstantType) grant.getParameter("until").getValue())
                        .getValue()
                        .toInstant())
                .isBetween(Instant.now().plusSeconds(50), Instant.now().plusSeconds(61));
        assertThat(read("/Patient/pk", crew)).isEqualTo(200);
        assertThat(read("/Patient/pt1", crew)).isEqualTo(404);

        // kanji without the space, by another crew member
        String other = emsCrew("ems-by-kanji");
        HttpResponse<String> byKanji = declareByName(other, "高橋清", "1940-03-03");
        assertThat(byKanji.statusCode()).isEqualTo(200);
        assertThat(patientOf(byKanji)).isEqualTo("Patient/pk");
        assertThat(read("/Patient/pk", other)).isEqualTo(200);

        // every attempt is audited as emergency access, with what was asked and whom it matched
        String admin = issuer.token().roles("hub-admin").sign();
        Bundle events = json.parseResource(
                Bundle.class,
                hub.send("GET", "/AuditEvent?_count=500", null, null, "Authorization", "Bearer " + admin)
                        .body());
        List<AuditEvent> attempts = events.getEntry().stream()
                .map(e -> (AuditEvent) e.getResource())
                .filter(e -> e.getSubtype().stream().anyMatch(c -> c.getCode().equals("break-glass")))
                .filter(e -> e.getEntity().stream()
                        .anyMatch(en -> en.hasQuery()
                                && new String(en.getQuery(), java.nio.charset.StandardCharsets.UTF_8).contains("たかはし")))
                .toList();
        assertThat(attempts).anySatisfy(e -> {
            assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
            assertThat(e.getPurposeOfEventFirstRep().getCodingFirstRep().getCode())
                    .isEqualTo("ETREAT");
        });
        assertThat(attempts).anySatisfy(e -> {
            assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
            assertThat(e.getEntity())
                    .extracting(en -> en.getWhat().getReference())
                    .contains("Patient/pk");
        });
    }

    @Test
    void anAmbiguousNameIsRefusedNamingNobodyAndGrantsNothingUntilTheAddressOrPhoneTellsThemApart() {
        String crew = emsCrew("ems-ambiguous");
        HttpResponse<String> ambiguous = declareByName(crew, "タナカ イチロウ", "1945-01-01");
        assertThat(ambiguous.statusCode()).isEqualTo(412);
        OperationOutcome outcome = json.parseResource(OperationOutcome.class, ambiguous.body());
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.MULTIPLEMATCHES);
        assertThat(outcome.getIssueFirstRep().getDiagnostics())
                .contains("複数")
                .contains("住所")
                .contains("電話番号");
        assertThat(ambiguous.body())
                .doesNotContain("pt1")
                .doesNotContain("pt2")
                .doesNotContain("盛岡")
                .doesNotContain("花巻");
        assertThat(read("/Patient/pt1", crew)).isEqualTo(404);
        assertThat(read("/Patient/pt2", crew)).isEqualTo(404);
        assertThat(declareByName(crew, "田中一郎", "1945-01-01", "address", "岩手県").statusCode())
                .as("an address part both share")
                .isEqualTo(412);

        HttpResponse<String> byAddress = declareByName(crew, "田中一郎", "1945-01-01", "address", "花巻市");
        assertThat(byAddress.statusCode()).isEqualTo(200);
        assertThat(patientOf(byAddress)).isEqualTo("Patient/pt2");
        assertThat(read("/Patient/pt1", crew)).isEqualTo(404);
        HttpResponse<String> byPhone = declareByName(crew, "たなか いちろう", "1945-01-01", "phone", "０１９(111)1111");
        assertThat(byPhone.statusCode()).isEqualTo(200);
        assertThat(patientOf(byPhone)).isEqualTo("Patient/pt1");
        assertThat(declareByName(crew, "田中一郎", "1945-01-01", "phone", "03-0000-0000")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void aRoleThatMayNotDeclareIsRefusedByNameAsByIdAndOpensNothing() {
        String careWorker = issuer.token()
                .roles("care-worker")
                .subject("cw-by-name")
                .claim("organization", "org-homecare")
                .sign();
        HttpResponse<String> refused = declareByName(careWorker, "高橋 清", "1940-03-03");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("救急隊・医師のみ").doesNotContain("pk");
        assertThat(declareByName(careWorker, "誰でもない", "1900-01-01").statusCode())
                .as("the same, whoever is named")
                .isEqualTo(403);
        assertThat(read("/Patient/pk", careWorker)).isEqualTo(404);
    }
}
