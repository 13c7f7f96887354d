package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.HubTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@Hub(own = "its searches are over the whole store and count what they find: it must hold this class's records alone")
class SearchTest extends HubTestBase {

    private static final String LOINC = "http://loinc.org";
    private String hanako;
    private String ichiro;

    @BeforeAll
    void data() {
        Patient a = new Patient();
        a.addIdentifier().setSystem("urn:oid:1.2.392.100495.20.3.51.1").setValue("S-100");
        a.addName().setFamily("佐藤").addGiven("花子");
        a.addName().setFamily("サトウ").addGiven("ハナコ");
        a.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1938-07-15"));
        hanako = client.create().resource(a).execute().getId().getIdPart();
        Patient b = new Patient();
        b.addName().setFamily("鈴木").addGiven("一郎");
        b.addName().setFamily("スズキ").addGiven("イチロウ");
        ichiro = client.create().resource(b).execute().getId().getIdPart();

        observation(hanako, "8310-5", "体温", "2024-05-01T09:00:00+09:00", Observation.ObservationStatus.FINAL);
        observation(hanako, "8867-4", "脈拍", "2024-05-02T09:00:00+09:00", Observation.ObservationStatus.FINAL);
        observation(hanako, "8310-5", "体温", "2024-06-01T09:00:00+09:00", Observation.ObservationStatus.PRELIMINARY);
        observation(ichiro, "8310-5", "体温", "2024-05-01T20:00:00+09:00", Observation.ObservationStatus.FINAL);
    }

    private String observation(
            String patient, String code, String display, String when, Observation.ObservationStatus status) {
        Observation o = new Observation();
        o.setStatus(status);
        o.getCode().addCoding().setSystem(LOINC).setCode(code).setDisplay(display);
        o.setSubject(new Reference("Patient/" + patient));
        o.setEffective(new DateTimeType(when));
        o.setValue(new Quantity(36.5).setUnit("Cel"));
        return client.create().resource(o).execute().getId().getIdPart();
    }

    private Bundle search(String query) {
        return client.search().byUrl(query).returnBundle(Bundle.class).execute();
    }

    private static List<String> ids(Bundle bundle) {
        return bundle.getEntry().stream()
                .map(e -> e.getResource().getIdElement().getIdPart())
                .toList();
    }

    @Test
    void nameMatchesKanjiKanaAndWidthVariants() {
        assertThat(ids(search("Patient?name=佐藤"))).containsExactly(hanako);
        assertThat(ids(search("Patient?name=さとう"))).containsExactly(hanako); // hiragana finds katakana
        assertThat(ids(search("Patient?name=ｻﾄｳ"))).containsExactly(hanako); // half-width katakana
        assertThat(ids(search("Patient?family=鈴木"))).containsExactly(ichiro);
        assertThat(ids(search("Patient?given=いちろう"))).containsExactly(ichiro);
        assertThat(ids(search("Patient?name=佐藤花子"))).containsExactly(hanako); // full name without a space
        assertThat(ids(search("Patient?name:exact=サトウ"))).containsExactly(hanako);
        assertThat(ids(search("Patient?name:contains=ハナ"))).containsExactly(hanako);
        assertThat(search("Patient?name=田中").getTotal()).isZero();
    }

    @Test
    void identifierPatientStatusCodeAndDate() {
        assertThat(ids(search("Patient?identifier=urn:oid:1.2.392.100495.20.3.51.1|S-100")))
                .containsExactly(hanako);
        assertThat(ids(search("Patient?identifier=S-100"))).containsExactly(hanako);
        assertThat(search("Observation?patient=" + hanako).getTotal()).isEqualTo(3);
        assertThat(search("Observation?subject=Patient/" + hanako).getTotal()).isEqualTo(3);
        assertThat(search("Observation?patient=" + hanako + "&status=final").getTotal())
                .isEqualTo(2);
        assertThat(search("Observation?patient=" + hanako + "&code=" + LOINC + "|8310-5")
                        .getTotal())
                .isEqualTo(2);
        assertThat(search("Observation?code=8310-5").getTotal()).isEqualTo(3);
        assertThat(search("Observation?code=8310-5,8867-4&patient=" + hanako).getTotal())
                .isEqualTo(3);
        assertThat(search("Observation?date=2024-05-01").getTotal()).isEqualTo(2); // JST day
        assertThat(search("Observation?date=ge2024-05-02&date=le2024-05-31").getTotal())
                .isEqualTo(1);
        assertThat(search("Observation?date=lt2024-05-02&patient=" + hanako).getTotal())
                .isEqualTo(1);
        assertThat(search("Observation?date=gt2024-05&code=8310-5").getTotal()).isEqualTo(1);
        assertThat(search("Observation?status:not=final").getTotal()).isEqualTo(1);
        assertThat(search("Patient?birthdate=1938").getTotal()).isEqualTo(1);
    }

    @Test
    void lastUpdatedIdSortIncludeAndCount() {
        assertThat(search("Patient?_lastUpdated=ge2000-01-01").getTotal()).isGreaterThanOrEqualTo(2);
        assertThat(search("Patient?_lastUpdated=lt2000-01-01").getTotal()).isZero();
        assertThat(ids(search("Patient?_id=" + ichiro))).containsExactly(ichiro);

        Bundle sorted = search("Observation?patient=" + hanako + "&_sort=-date");
        List<String> dates = sorted.getEntry().stream()
                .map(e -> ((Observation) e.getResource())
                        .getEffectiveDateTimeType()
                        .getValueAsString())
                .toList();
        assertThat(dates)
                .containsExactly("2024-06-01T09:00:00+09:00", "2024-05-02T09:00:00+09:00", "2024-05-01T09:00:00+09:00");

        Bundle included = search("Observation?code=8310-5&_include=Observation:subject");
        long matches = included.getEntry().stream()
                .filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
                .count();
        List<String> includedIds = included.getEntry().stream()
                .filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE)
                .map(e -> e.getResource().getIdElement().getIdPart())
                .toList();
        assertThat(matches).isEqualTo(3);
        assertThat(includedIds).containsExactlyInAnyOrder(hanako, ichiro);

        Bundle count = search("Observation?patient=" + hanako + "&_summary=count");
        assertThat(count.getTotal()).isEqualTo(3);
        assertThat(count.getEntry()).isEmpty();
    }

    @Test
    void pagingVisitsEveryResultOnceEvenWhileOthersWrite() {
        String patient = client.create()
                .resource(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("頁")))
                .execute()
                .getId()
                .getIdPart();
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 45; i++) {
            created.add(observation(
                    patient, "29463-7", "体重", "2024-07-01T09:00:00+09:00", Observation.ObservationStatus.FINAL));
        }
        Bundle page = search("Observation?patient=" + patient + "&_count=10");
        assertThat(page.getTotal()).isEqualTo(45);
        List<String> seen = new ArrayList<>();
        int pages = 0;
        while (page != null) {
            pages++;
            seen.addAll(ids(page));
            // writes between pages must not shift what the next page returns
            observation(patient, "29463-7", "体重", "2024-07-02T09:00:00+09:00", Observation.ObservationStatus.FINAL);
            page = page.getLink(Bundle.LINK_NEXT) == null
                    ? null
                    : client.loadPage().next(page).execute();
        }
        assertThat(pages).isEqualTo(5);
        assertThat(seen).hasSize(45).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(created);
    }

    @Test
    void badSearchParametersAreRejectedWithTheReason() {
        assertThatThrownBy(() -> search("Patient?favourite-colour=blue"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("favourite-colour");
        assertThatThrownBy(() -> search("Observation?date=2024-13-45"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("2024-13-45");
        assertThatThrownBy(() -> search("Observation?date=ap2024-05-01"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("ap");
        assertThatThrownBy(() -> search("Observation?subject.name=佐藤"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Chained");
        assertThatThrownBy(() -> search("Patient?name:phonetic=さとう"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("phonetic");
        assertThatThrownBy(() -> search("Observation?_sort=code"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("sort");
        assertThatThrownBy(() -> search("Observation?_include=Observation:code"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("_include");
        assertThatThrownBy(() -> search("Patient?_has=Observation:patient:code=1"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("_has");
    }

    @Test
    void searchReflectsUpdatesAndDeletes() {
        String id =
                observation(ichiro, "2708-6", "SpO2", "2024-08-01T10:00:00+09:00", Observation.ObservationStatus.FINAL);
        assertThat(search("Observation?code=2708-6").getTotal()).isEqualTo(1);
        Observation o = client.read().resource(Observation.class).withId(id).execute();
        o.setSubject(new Reference("Patient/" + hanako));
        client.update().resource(o).execute();
        assertThat(ids(search("Observation?code=2708-6&patient=" + hanako))).containsExactly(id);
        assertThat(search("Observation?code=2708-6&patient=" + ichiro).getTotal())
                .isZero();
        client.delete().resourceById(new IdType("Observation", id)).execute();
        assertThat(search("Observation?code=2708-6").getTotal()).isZero();
    }

    private String patientWithFamily(String family) {
        Patient p = new Patient();
        p.addName().setFamily(family);
        return client.create().resource(p).execute().getId().getIdPart();
    }

    @Test
    void exactModifierComparesTheValueAsWritten() {
        String latin = patientWithFamily("Yamada");
        String fullWidth = patientWithFamily("ＹＡＭＡＤＡ");
        String hiragana = patientWithFamily("やまだ");
        String katakana = patientWithFamily("ヤマダ");

        assertThat(ids(search("Patient?family:exact=Yamada"))).containsExactly(latin);
        assertThat(ids(search("Patient?family:exact=ＹＡＭＡＤＡ"))).containsExactly(fullWidth);
        assertThat(ids(search("Patient?family:exact=やまだ"))).containsExactly(hiragana);
        assertThat(ids(search("Patient?family:exact=ヤマダ"))).containsExactly(katakana);
        assertThat(search("Patient?family:exact=yamada").getTotal()).isZero(); // case counts
        assertThat(search("Patient?family:exact=Yama").getTotal()).isZero(); // whole value, not a prefix

        // without the modifier: normalised prefix match, as before
        assertThat(ids(search("Patient?family=yamada"))).containsExactlyInAnyOrder(latin, fullWidth);
        assertThat(ids(search("Patient?family=YAMA"))).containsExactlyInAnyOrder(latin, fullWidth);
        assertThat(ids(search("Patient?family=やまだ"))).containsExactlyInAnyOrder(hiragana, katakana);
    }

    @Test
    void hiraganaIterationMarkMatchesItsKatakanaForm() {
        String isuzu = patientWithFamily("いすゞ");
        assertThat(ids(search("Patient?family=イスヾ"))).containsExactly(isuzu);
        assertThat(ids(search("Patient?family=いすゞ"))).containsExactly(isuzu);
        assertThat(ids(search("Patient?name=ｲｽ"))).contains(isuzu);
        assertThat(search("Patient?family=イスズ").getTotal()).isZero(); // ゞ is not ズ
    }

    @Test
    void typeModifierOnAReferenceToAnyType() {
        Composition c = new Composition();
        c.setStatus(Composition.CompositionStatus.FINAL);
        c.getType().addCoding().setSystem(LOINC).setCode("18842-5").setDisplay("Discharge summary");
        c.setSubject(new Reference("Patient/" + hanako));
        c.setDateElement(new DateTimeType("2024-05-07T15:00:00+09:00"));
        c.addAuthor().setDisplay("鈴木 一郎");
        c.setTitle("退院時サマリー");
        String composition = client.create().resource(c).execute().getId().getIdPart();

        assertThat(ids(search("Composition?subject:Patient=" + hanako))).containsExactly(composition);
        assertThat(ids(search("Composition?subject:Patient=Patient/" + hanako))).containsExactly(composition);
        HttpResponse<String> plain = get("/Composition?subject:Patient=" + hanako);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(search("Composition?subject:Patient=" + ichiro).getTotal()).isZero();
        assertThat(search("Composition?subject:Group=" + hanako).getTotal()).isZero(); // the type is part of the match

        for (String bad : List.of("subject:foo=1", "subject:patient=" + hanako)) {
            assertThatThrownBy(() -> search("Composition?" + bad)).as(bad).isInstanceOf(InvalidRequestException.class);
            assertThat(get("/Composition?" + bad).statusCode()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void absoluteReferencesToAnotherServerAreNotLocal() {
        String local = patientWithFamily("盛岡");
        String remoteRef = "http://other-hospital.example.jp/fhir/Patient/" + local;
        String localObs = observationAbout(new Reference("Patient/" + local));
        String remoteObs = observationAbout(new Reference(remoteRef));

        assertThat(ids(search("Observation?patient=" + local))).containsExactly(localObs);
        assertThat(ids(search("Observation?patient=Patient/" + local))).containsExactly(localObs);
        assertThat(ids(search("Observation?subject=Patient/" + local))).containsExactly(localObs);
        assertThat(ids(search("Observation?subject=" + remoteRef))).containsExactly(remoteObs);
    }

    private String observationAbout(Reference subject) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding().setSystem(LOINC).setCode("3141-9").setDisplay("体重");
        o.setSubject(subject);
        return client.create().resource(o).execute().getId().getIdPart();
    }

    @Test
    void searchByPostWithAFormBody() {
        for (String contentType :
                List.of("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8")) {
            HttpResponse<String> response = send(
                    "POST",
                    "/Patient/_search",
                    contentType,
                    "family=" + URLEncoder.encode("鈴木", StandardCharsets.UTF_8));
            assertThat(response.statusCode())
                    .as(contentType + ": " + response.body())
                    .isEqualTo(200);
            Bundle bundle = HubInstance.fhirContext().newJsonParser().parseResource(Bundle.class, response.body());
            assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
            assertThat(ids(bundle)).as(contentType).containsExactly(ichiro);
        }
        HttpResponse<String> twoParams = send(
                "POST",
                "/Observation/_search",
                "application/x-www-form-urlencoded",
                "patient=" + hanako + "&status=final");
        assertThat(twoParams.statusCode()).isEqualTo(200);
        assertThat(HubInstance.fhirContext()
                        .newJsonParser()
                        .parseResource(Bundle.class, twoParams.body())
                        .getTotal())
                .isEqualTo(2);
    }

    @Test
    void createWithANonFhirContentTypeIsStill415() {
        HttpResponse<String> text = send("POST", "/Patient", "text/plain", "{\"resourceType\":\"Patient\"}");
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(text.body()).contains("OperationOutcome");
        HttpResponse<String> form = send(
                "POST",
                "/Patient",
                "application/x-www-form-urlencoded",
                "family=" + URLEncoder.encode("鈴木", StandardCharsets.UTF_8));
        assertThat(form.statusCode()).isEqualTo(415);
    }

    /**
     * search.html#revinclude: {@code _revinclude=Observation:patient} adds, on each page, the Observations that refer to
     * that page's matches (search mode include), also on pages served from the frozen list; the CapabilityStatement
     * advertises it (capabilitystatement: rest.resource.searchRevInclude).
     */
    @Test
    void revIncludeAddsTheRecordsReferringToEachPagesMatches() {
        String a = patientWithFamily("逆参照");
        String b = patientWithFamily("逆参照");
        String aObs = observation(a, "8310-5", "体温", "2024-09-01T09:00:00+09:00", Observation.ObservationStatus.FINAL);
        String bObs = observation(b, "8867-4", "脈拍", "2024-09-01T09:00:00+09:00", Observation.ObservationStatus.FINAL);
        Bundle first = search("Patient?_id=" + a + "," + b + "&_sort=_id&_count=1&_revinclude=Observation:patient");
        assertThat(first.getTotal()).isEqualTo(2);
        List<Bundle> pages = new ArrayList<>(List.of(first));
        while (pages.get(pages.size() - 1).getLink(Bundle.LINK_NEXT) != null) {
            pages.add(client.loadPage().next(pages.get(pages.size() - 1)).execute());
        }
        assertThat(pages).hasSize(2);
        String firstPatient = a.compareTo(b) < 0 ? a : b;
        for (Bundle page : pages) {
            String patient = page.getEntry().stream()
                    .filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
                    .map(e -> e.getResource().getIdElement().getIdPart())
                    .findFirst()
                    .orElseThrow();
            assertThat(page.getEntry())
                    .filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE)
                    .extracting(e -> e.getResource().getIdElement().getIdPart())
                    .containsExactly(patient.equals(a) ? aObs : bObs);
        }
        assertThat(pages.get(0).getEntry())
                .anyMatch(e -> e.getResource().getIdElement().getIdPart().equals(firstPatient));
        assertThatThrownBy(() -> search("Patient?_revinclude=Observation:code"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("_revinclude");

        var cs = client.capabilities()
                .ofType(org.hl7.fhir.r4.model.CapabilityStatement.class)
                .execute();
        var patientCapability = cs.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals("Patient"))
                .findFirst()
                .orElseThrow();
        assertThat(patientCapability.getSearchRevInclude())
                .extracting(x -> x.getValue())
                .contains("Observation:patient", "Observation:subject");
        var observationCapability = cs.getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals("Observation"))
                .findFirst()
                .orElseThrow();
        assertThat(observationCapability.getSearchInclude())
                .extracting(x -> x.getValue())
                .contains("Observation:subject", "Observation:*");
    }
}
