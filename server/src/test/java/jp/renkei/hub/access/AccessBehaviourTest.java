package jp.renkei.hub.access;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.store.StoreFixtures;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CommunicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Authentication (401 cases, key rotation, the public CapabilityStatement), SMART scope narrowing,
 * and the filtering of searches, paging, _include, history and Bundles, against a running hub.
 */
@Hub(
        own =
                "its searches and histories show all a caller may read: only its records may be there; it rotates its issuer's keys")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessBehaviourTest {

    private SecuredHub secured;
    private TestIssuer issuer;
    private HubInstance hub;
    private StoreFixtures store;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub secured) throws Exception {
        this.secured = secured;
        issuer = secured.issuer;
        hub = secured.hub;
        store = secured.store;
        // 山田花子 (ph) is cared for by the home-care office's staff; 佐藤一郎 (ps) by someone else.
        seed(
                "Patient",
                "ph",
                new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("山田")),
                "Organization/org-hospital");
        seed(
                "Patient",
                "ps",
                new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("佐藤")),
                "Organization/org-hospital");
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/ph")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cw"));
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        team.addParticipant().setMember(new Reference("Organization/org-pharmacy"));
        team.addParticipant()
                .setMember(new Reference("PractitionerRole/role-left"))
                .setPeriod(new Period().setEnd(Date.from(Instant.parse("2025-03-31T00:00:00Z"))));
        seed("CareTeam", "ct-ph", team, "Organization/org-hospital");
        CareTeam ended =
                new CareTeam().setSubject(new Reference("Patient/ps")).setStatus(CareTeam.CareTeamStatus.INACTIVE);
        ended.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        seed("CareTeam", "ct-ps", ended, "Organization/org-hospital");
        seed("Consent", "consent-ph", CareRecords.sharingWith("ph", "CareTeam/ct-ph"), "Organization/org-hospital");
        seed(
                "RelatedPerson",
                "rp-daughter",
                new RelatedPerson().setPatient(new Reference("Patient/ph")),
                "Organization/org-hospital");
        seed(
                "RelatedPerson",
                "rp-former",
                new RelatedPerson().setPatient(new Reference("Patient/ph")).setActive(false),
                "Organization/org-hospital");
        // 12 daily-living observations (care workers see them) and 8 clinical ones (they do not).
        for (int i = 0; i < 20; i++) {
            Observation o = (Observation) CareRecords.about("Observation", i < 12 ? "daily-living" : "clinical", "ph");
            o.setEncounter(new Reference("Encounter/enc-ph"));
            seed("Observation", "obs-" + i, o, "Organization/org-hospital");
        }
        seed("Encounter", "enc-ph", CareRecords.about("Encounter", null, "ph"), "Organization/org-hospital");
        seed(
                "Observation",
                "obs-ps",
                CareRecords.about("Observation", "daily-living", "ps"),
                "Organization/org-hospital");
    }

    private void seed(String type, String id, Resource resource, String owner) {
        secured.seed(type, id, resource, owner);
    }

    private TestIssuer.Token careWorker() {
        return issuer.token()
                .roles("care-worker")
                .claim("practitioner_role", "role-cw")
                .claim("organization", "org-homecare");
    }

    private TestIssuer.Token careManager() {
        return issuer.token()
                .roles("care-manager")
                .claim("practitioner_role", "role-cm")
                .claim("organization", "org-homecare");
    }

    private HttpResponse<String> get(String path, String token) {
        return token == null
                ? hub.send("GET", path, null, null)
                : hub.send("GET", path, null, null, "Authorization", "Bearer " + token);
    }

    private String diagnostics(HttpResponse<String> response) {
        return json.parseResource(OperationOutcome.class, response.body())
                .getIssueFirstRep()
                .getDiagnostics();
    }

    // ---- authentication -------------------------------------------------------------------------

    @Test
    void capabilityStatementIsPublicAndEverythingElseNeedsAToken() {
        assertThat(get("/metadata", null).statusCode()).isEqualTo(200);
        HttpResponse<String> anonymous = get("/Patient/ph", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(diagnostics(anonymous)).contains("access token is required");
        assertThat(hub.send("POST", "/Patient", "application/fhir+json", "{\"resourceType\":\"Patient\"}")
                        .statusCode())
                .isEqualTo(401);
        assertThat(get("/Patient/ph", "not-a-jwt").statusCode()).isEqualTo(401);
        HttpResponse<String> noSubject =
                get("/Patient/ph", careManager().claim("sub", null).sign());
        assertThat(noSubject.statusCode()).isEqualTo(401);
        assertThat(diagnostics(noSubject)).contains("no subject");
    }

    @Test
    void smartClientsFindTheAuthorizationServerWithoutAToken() throws Exception {
        org.hl7.fhir.r4.model.CapabilityStatement cs = json.parseResource(
                org.hl7.fhir.r4.model.CapabilityStatement.class,
                get("/metadata", null).body());
        var security = cs.getRestFirstRep().getSecurity();
        assertThat(security.getServiceFirstRep().getCodingFirstRep().getCode()).isEqualTo("SMART-on-FHIR");
        var uris = security.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        assertThat(uris.getExtensionByUrl("token").getValue().primitiveValue())
                .isEqualTo(issuer.issuer() + "/protocol/openid-connect/token");
        HttpResponse<String> wellKnown = get("/.well-known/smart-configuration", null);
        assertThat(wellKnown.statusCode()).isEqualTo(200);
        var config = new com.fasterxml.jackson.databind.ObjectMapper().readTree(wellKnown.body());
        assertThat(config.get("issuer").asText()).isEqualTo(issuer.issuer());
        assertThat(config.get("authorization_endpoint").asText())
                .isEqualTo(issuer.issuer() + "/protocol/openid-connect/auth");
        assertThat(config.get("code_challenge_methods_supported").get(0).asText())
                .isEqualTo("S256");
        // what a browser app needs to sign out without fetching the realm's own OpenID configuration first
        assertThat(config.get("end_session_endpoint").asText())
                .isEqualTo(issuer.issuer() + "/protocol/openid-connect/logout");
    }

    @Test
    void rejectsForgedExpiredForeignAndMisaddressedTokens() {
        assertThat(get("/Patient/ph", careManager().sign()).statusCode()).isEqualTo(200);
        HttpResponse<String> forged =
                get("/Patient/ph", careManager().foreignKey().sign());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(diagnostics(forged)).contains("access token was rejected");
        HttpResponse<String> expired = get(
                "/Patient/ph",
                careManager()
                        .claim("iat", Instant.now().minusSeconds(600))
                        .claim("exp", Instant.now().minusSeconds(120))
                        .sign());
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(diagnostics(expired)).contains("expired");
        HttpResponse<String> foreign = get(
                "/Patient/ph",
                careManager().claim("iss", "http://127.0.0.1:1/realms/other").sign());
        assertThat(foreign.statusCode()).isEqualTo(401);
        assertThat(diagnostics(foreign)).contains("wrong issuer");
        HttpResponse<String> misaddressed =
                get("/Patient/ph", careManager().claim("aud", "some-other-api").sign());
        assertThat(misaddressed.statusCode()).isEqualTo(401);
        assertThat(diagnostics(misaddressed)).contains("wrong audience");
        assertThat(get("/Patient/ph", careManager().claim("exp", null).sign()).statusCode())
                .isEqualTo(401);
    }

    @Test
    void newSigningKeysAreFetchedWithoutARestart() {
        assertThat(get("/Patient/ph", careManager().sign()).statusCode()).isEqualTo(200);
        int fetches = issuer.jwksFetches();
        issuer.rotate();
        assertThat(get("/Patient/ph", careManager().sign()).statusCode()).isEqualTo(200);
        assertThat(issuer.jwksFetches()).isGreaterThan(fetches);
    }

    @Test
    void aTokenWithoutARenkeiRoleMayDoNothing() {
        HttpResponse<String> response = get(
                "/Patient/ph",
                issuer.token()
                        .roles("offline_access")
                        .claim("organization", "org-homecare")
                        .sign());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(get("/Observation?patient=Patient/ph", issuer.token().sign()).statusCode())
                .isEqualTo(403);
    }

    // ---- relations --------------------------------------------------------------------------------

    @Test
    void careTeamMembershipCountsOnlyWhileTheTeamAndTheParticipationAreCurrent() {
        // role-cm is in ph's active team, and in ps's inactive one
        assertThat(get("/Patient/ph", careManager().sign()).statusCode()).isEqualTo(200);
        assertThat(get("/Patient/ps", careManager().sign()).statusCode()).isEqualTo(404);
        // role-left's participation ended
        assertThat(get(
                                "/Patient/ph",
                                issuer.token()
                                        .roles("care-manager")
                                        .claim("practitioner_role", "role-left")
                                        .claim("organization", "org-elsewhere")
                                        .sign())
                        .statusCode())
                .isEqualTo(404);
        // a whole organisation can be a member: every pharmacist of org-pharmacy
        assertThat(get(
                                "/Patient/ph",
                                issuer.token()
                                        .roles("pharmacist")
                                        .claim("practitioner", "anyone")
                                        .claim("organization", "org-pharmacy")
                                        .sign())
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void aProxyMustBeAnActiveRelatedPersonOfThatPatient() {
        String daughter = issuer.token()
                .roles("family")
                .claim("related_person", "rp-daughter")
                .claim("patient", "ph")
                .sign();
        assertThat(get("/Observation/obs-15", daughter).statusCode()).isEqualTo(200);
        assertThat(get("/Observation/obs-ps", daughter).statusCode()).isEqualTo(404);
        String former = issuer.token()
                .roles("family")
                .claim("related_person", "rp-former")
                .claim("patient", "ph")
                .sign();
        assertThat(get("/Observation/obs-15", former).statusCode()).isEqualTo(404);
        String self = issuer.token().roles("patient").claim("patient", "ph").sign();
        assertThat(get("/Observation/obs-15", self).statusCode()).isEqualTo(200);
        assertThat(get("/Patient/ps", self).statusCode()).isEqualTo(404);
    }

    @Test
    void aHiddenRecordAnswersExactlyLikeAMissingOne() {
        String outsider = issuer.token()
                .roles("care-manager")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-x")
                .sign();
        HttpResponse<String> hidden = get("/Observation/obs-1", outsider);
        HttpResponse<String> missing = get("/Observation/obs-nonexistent", outsider);
        assertThat(hidden.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
        assertThat(diagnostics(hidden)).isEqualTo("Observation/obs-1 is not known");
        assertThat(get("/Observation/obs-1/_history/1", outsider).statusCode()).isEqualTo(404);
        assertThat(get("/Observation/obs-1/_history", outsider).statusCode()).isEqualTo(404);
        // a care worker in the team is told 403 for what their profession may not see
        HttpResponse<String> forbidden = get("/Observation/obs-15", careWorker().sign());
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(diagnostics(forbidden)).contains("care-worker").contains("Observation (clinical)");
    }

    // ---- searches, paging, include, history ------------------------------------------------------

    @Test
    void searchTotalsAndPagesShowOnlyWhatTheCallerMayRead() {
        String token = careWorker().sign();
        Bundle first = json.parseResource(
                Bundle.class,
                get("/Observation?patient=Patient/ph&encounter=Encounter/enc-ph&_count=5", token)
                        .body());
        assertThat(first.getTotal()).isEqualTo(12);
        List<String> seen = new ArrayList<>();
        Bundle page = first;
        int pages = 0;
        while (true) {
            page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
            pages++;
            if (page.getLink("next") == null) {
                break;
            }
            String next = page.getLink("next").getUrl();
            page = json.parseResource(
                    Bundle.class,
                    get(next.substring(next.indexOf("/fhir") + 5), token).body());
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(12).allMatch(id -> Integer.parseInt(id.substring(4)) < 12);
        // the outsider's searches are empty and reveal nothing
        String outsider = issuer.token()
                .roles("care-worker")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-x")
                .sign();
        Bundle none = json.parseResource(
                Bundle.class,
                get("/Observation?patient=Patient/ph&encounter=Encounter/enc-ph&_count=5", outsider)
                        .body());
        assertThat(none.getTotal()).isZero();
        assertThat(none.getEntry()).isEmpty();
        assertThat(none.getLink("next")).isNull();
    }

    @Test
    void anotherUsersPageLinkLeadsNowhere() {
        Bundle first = json.parseResource(
                Bundle.class,
                get("/Observation?patient=Patient/ph&_count=5", careManager().sign())
                        .body());
        String next = first.getLink("next").getUrl();
        String path = next.substring(next.indexOf("/fhir") + 5);
        assertThat(get(path, careManager().subject("someone-else").sign()).statusCode())
                .isIn(404, 410);
    }

    @Test
    void includedResourcesAreFilteredToo() {
        // care workers may not read Encounters; care managers may
        Bundle worker = json.parseResource(
                Bundle.class,
                get(
                                "/Observation?_id=obs-1&_include=Observation:encounter",
                                careWorker().sign())
                        .body());
        assertThat(worker.getEntry())
                .extracting(e -> e.getResource().fhirType())
                .containsExactly("Observation");
        Bundle manager = json.parseResource(
                Bundle.class,
                get(
                                "/Observation?_id=obs-1&_include=Observation:encounter",
                                careManager().sign())
                        .body());
        assertThat(manager.getEntry())
                .extracting(e -> e.getResource().fhirType())
                .containsExactly("Observation", "Encounter");
    }

    @Test
    void historyShowsOnlyTheVersionsTheCallerMayRead() {
        Observation o = (Observation) CareRecords.about("Observation", "clinical", "ph");
        seed("Observation", "obs-changing", o, "Organization/org-hospital");
        seed(
                "Observation",
                "obs-changing",
                CareRecords.about("Observation", "daily-living", "ph"),
                "Organization/org-hospital");
        Bundle history = json.parseResource(
                Bundle.class,
                get("/Observation/obs-changing/_history", careWorker().sign()).body());
        assertThat(history.getTotal()).isEqualTo(1);
        assertThat(history.getEntryFirstRep().getResource().getMeta().getVersionId())
                .isEqualTo("2");
        assertThat(get("/Observation/obs-changing/_history/1", careWorker().sign())
                        .statusCode())
                .isEqualTo(403);
        Bundle typeHistory = json.parseResource(
                Bundle.class,
                get("/Observation/_history?_count=100", careWorker().sign()).body());
        // 12 seeded and version 2 of obs-changing at least (other tests add more); no clinical version, nothing of ps
        assertThat(typeHistory.getTotal())
                .isGreaterThanOrEqualTo(13)
                .isEqualTo(typeHistory.getEntry().size());
        assertThat(typeHistory.getEntry()).allSatisfy(e -> {
            Observation version = (Observation) e.getResource();
            if (version.hasSubject()) {
                assertThat(version.getCategoryFirstRep().getCodingFirstRep().getCode())
                        .isEqualTo("daily-living");
                assertThat(version.getSubject().getReference()).isEqualTo("Patient/ph");
            }
        });
        assertThat(typeHistory.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .contains("obs-changing")
                .doesNotContain("obs-15", "obs-ps");
    }

    // ---- SMART scopes -------------------------------------------------------------------------------

    @Test
    void scopesNarrowButNeverWiden() {
        // the care manager is in the team, so what the scopes leave out is 403, not 404
        assertThat(get(
                                "/Observation/obs-1",
                                careManager().scope("openid user/Condition.rs").sign())
                        .statusCode())
                .isEqualTo(403);
        assertThat(get(
                                "/Observation?patient=Patient/ph",
                                careManager().scope("user/Condition.rs").sign())
                        .statusCode())
                .isEqualTo(403);
        assertThat(get(
                                "/Observation/obs-1",
                                careManager().scope("user/Observation.rs").sign())
                        .statusCode())
                .isEqualTo(200);
        // read permission without search permission
        assertThat(get(
                                "/Observation?patient=Patient/ph",
                                careManager().scope("user/Observation.r").sign())
                        .statusCode())
                .isEqualTo(403);
        // patient/ scopes cover only the launch patient
        assertThat(get("/Observation/obs-1", careManager().scope("patient/*.rs").sign())
                        .statusCode())
                .isEqualTo(403);
        assertThat(get(
                                "/Observation/obs-1",
                                careManager()
                                        .scope("patient/*.rs")
                                        .claim("patient", "ph")
                                        .sign())
                        .statusCode())
                .isEqualTo(200);
        // a care worker with every scope still cannot see clinical observations
        assertThat(get("/Observation/obs-15", careWorker().scope("user/*.cruds").sign())
                        .statusCode())
                .isEqualTo(403);
        // scopes with search restrictions are not supported and grant nothing
        assertThat(get(
                                "/Observation/obs-1",
                                careManager()
                                        .scope("user/Observation.rs?category=x")
                                        .sign())
                        .statusCode())
                .isEqualTo(403);
        // a read-only scope forbids writes the role allows
        String readOnly = careManager().scope("user/*.rs").sign();
        Observation note = (Observation) CareRecords.about("Observation", "daily-living", "ph");
        assertThat(hub.send(
                                "POST",
                                "/Observation",
                                "application/fhir+json",
                                json.encodeResourceToString(note),
                                "Authorization",
                                "Bearer " + readOnly)
                        .statusCode())
                .isEqualTo(403);
    }

    // ---- writes ---------------------------------------------------------------------------------------

    @Test
    void aTransactionWithOneForbiddenEntryWritesNothing() {
        jp.renkei.hub.store.SearchExecutor searches = hub.bean(jp.renkei.hub.store.SearchExecutor.class);
        int before = searches.aboutPatient("Observation", "ph", false).size();
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        tx.addEntry()
                .setResource(CareRecords.about("Observation", "daily-living", "ph"))
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Observation");
        tx.addEntry()
                .setResource(CareRecords.about("Condition", null, "ph"))
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Condition");
        HttpResponse<String> response = hub.send(
                "POST",
                "",
                "application/fhir+json",
                json.encodeResourceToString(tx),
                "Authorization",
                "Bearer " + careWorker().sign());
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(searches.aboutPatient("Observation", "ph", false)).hasSize(before);
    }

    @Test
    void onlyTheAuthorsOrganisationAmendsAndTheOwnerNeverChanges() {
        String worker = careWorker().sign();
        Observation note = (Observation) CareRecords.about("Observation", "daily-living", "ph");
        HttpResponse<String> created = hub.send(
                "POST",
                "/Observation",
                "application/fhir+json",
                json.encodeResourceToString(note),
                "Authorization",
                "Bearer " + worker);
        assertThat(created.statusCode()).isEqualTo(201);
        String id = json.parseResource(Observation.class, created.body())
                .getIdElement()
                .getIdPart();
        assertThat(store.read("Observation", id).labels().owner()).isEqualTo("Organization/org-homecare");
        note.setId(id);
        // a hospital nurse in no relation cannot touch it (to her the id does not exist: 405, as for any id she may not
        // create under); a colleague of the author's office can amend it
        String nurse = issuer.token()
                .roles("visiting-nurse")
                .claim("practitioner_role", "role-vn")
                .claim("organization", "org-other")
                .sign();
        assertThat(hub.send(
                                "PUT",
                                "/Observation/" + id,
                                "application/fhir+json",
                                json.encodeResourceToString(note),
                                "Authorization",
                                "Bearer " + nurse)
                        .statusCode())
                .isEqualTo(405);
        assertThat(hub.send(
                                "PUT",
                                "/Observation/" + id,
                                "application/fhir+json",
                                json.encodeResourceToString(note),
                                "Authorization",
                                "Bearer " + careManager().sign())
                        .statusCode())
                .isEqualTo(200);
        assertThat(store.read("Observation", id).labels().owner()).isEqualTo("Organization/org-homecare");
        // moving the record to a patient the author has no relation with is refused
        Observation moved = (Observation) CareRecords.about("Observation", "daily-living", "ps");
        moved.setId(id);
        assertThat(hub.send(
                                "PUT",
                                "/Observation/" + id,
                                "application/fhir+json",
                                json.encodeResourceToString(moved),
                                "Authorization",
                                "Bearer " + worker)
                        .statusCode())
                .isEqualTo(403);
        // and turning it into a kind the author may not write is refused too
        Observation clinical = (Observation) CareRecords.about("Observation", "clinical", "ph");
        clinical.setId(id);
        assertThat(hub.send(
                                "PUT",
                                "/Observation/" + id,
                                "application/fhir+json",
                                json.encodeResourceToString(clinical),
                                "Authorization",
                                "Bearer " + worker)
                        .statusCode())
                .isEqualTo(403);
        assertThat(hub.send("DELETE", "/Observation/" + id, null, null, "Authorization", "Bearer " + worker)
                        .statusCode())
                .isEqualTo(200);
    }

    // ---- probing and taking over ids ------------------------------------------------------------------

    private HttpResponse<String> put(String path, Resource body, String token, String ifMatch) {
        String json = this.json.encodeResourceToString(body);
        return ifMatch == null
                ? hub.send("PUT", path, "application/fhir+json", json, "Authorization", "Bearer " + token)
                : hub.send(
                        "PUT",
                        path,
                        "application/fhir+json",
                        json,
                        "Authorization",
                        "Bearer " + token,
                        "If-Match",
                        ifMatch);
    }

    /**
     * http.html#update: 405 when the resource did not exist and the server does not let this client choose ids (404 would
     * mean an unknown type). Said alike for an id that is hidden from the caller, before If-Match is looked at, so an
     * update still cannot probe which ids exist.
     */
    @Test
    void anUpdateCannotProbeWhichIdsExist() {
        String careManager = careManager().sign();
        Resource note = CareRecords.about("Observation", "daily-living", "ph");
        // obs-ps exists but is hidden from the care manager; never-was does not exist: the same answer
        HttpResponse<String> hidden = put("/Observation/obs-ps", note.copy().setId("obs-ps"), careManager, "W/\"999\"");
        HttpResponse<String> absent =
                put("/Observation/never-was", note.copy().setId("never-was"), careManager, "W/\"999\"");
        assertThat(hidden.statusCode()).isEqualTo(405);
        assertThat(absent.statusCode()).isEqualTo(405);
        assertThat(diagnostics(absent).replace("never-was", "obs-ps")).isEqualTo(diagnostics(hidden));
        assertThat(diagnostics(absent)).contains("POST");
        assertThat(json.parseResource(OperationOutcome.class, absent.body())
                        .getIssueFirstRep()
                        .getCode())
                .isEqualTo(OperationOutcome.IssueType.NOTSUPPORTED);
        assertThat(json.parseResource(OperationOutcome.class, hidden.body())
                        .getIssueFirstRep()
                        .getCode())
                .isEqualTo(OperationOutcome.IssueType.NOTSUPPORTED);
        assertThat(put("/Observation/never-was", note.copy().setId("never-was"), careManager, null)
                        .statusCode())
                .isEqualTo(405);
        assertThat(store.read("Observation", "never-was")).isNull();
        // the same inside a transaction: the entry's answer, and nothing written
        Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        tx.addEntry()
                .setResource(note.copy().setId("never-was"))
                .getRequest()
                .setMethod(Bundle.HTTPVerb.PUT)
                .setUrl("Observation/never-was");
        HttpResponse<String> inTransaction = hub.send(
                "POST",
                "/",
                "application/fhir+json",
                json.encodeResourceToString(tx),
                "Authorization",
                "Bearer " + careManager);
        assertThat(inTransaction.statusCode()).as(inTransaction.body()).isEqualTo(405);
        assertThat(store.read("Observation", "never-was")).isNull();

        // a system that mirrors its own ids may create under them (its organisation is in ph's care team)
        String integration = issuer.token()
                .roles("integration")
                .claim("organization", "org-pharmacy")
                .sign();
        assertThat(put("/Observation/ehr-4711", note.copy().setId("ehr-4711"), integration, null)
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void aDeletedPatientCannotBeTakenOverByRecreatingIt() {
        secured.seed(
                "Patient",
                "pz",
                new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("鈴木")),
                "Organization/org-hospital",
                "user/nurse-hn");
        seed("Observation", "obs-pz", CareRecords.about("Observation", "clinical", "pz"), "Organization/org-hospital");
        store.write(List.of(new jp.renkei.hub.store.WriteRequest("Patient", "pz", null, null, null)));

        Patient again = new Patient();
        again.setId("pz");
        String otherHospital = issuer.token()
                .roles("hospital-nurse")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-other")
                .sign();
        // to whom the record is hidden, a deleted record is as absent as one that never was (http.html#update: 405)
        assertThat(put("/Patient/pz", again, otherHospital, null).statusCode()).isEqualTo(405);
        String admin = issuer.token().roles("hub-admin").sign();
        assertThat(put("/Patient/pz", again, admin, null).statusCode()).isEqualTo(404);
        assertThat(store.read("Patient", "pz").deleted()).isTrue();

        // a colleague at the registering hospital is nobody to the patient: organisation membership alone grants
        // nothing
        String colleague = issuer.token()
                .roles("hospital-nurse")
                .subject("nurse-colleague")
                .claim("practitioner_role", "role-hc")
                .claim("organization", "org-hospital")
                .sign();
        assertThat(put("/Patient/pz", again, colleague, null).statusCode()).isEqualTo(405);
        assertThat(store.read("Patient", "pz").deleted()).isTrue();

        // the nurse who registered the patient may bring the record back, and her hospital still owns it
        String registrar = issuer.token()
                .roles("hospital-nurse")
                .subject("nurse-hn")
                .claim("practitioner_role", "role-hn")
                .claim("organization", "org-hospital")
                .sign();
        assertThat(put("/Patient/pz", again, registrar, null).statusCode()).isIn(200, 201);
        assertThat(store.read("Patient", "pz").labels().owner()).isEqualTo("Organization/org-hospital");
        assertThat(store.read("Patient", "pz").labels().author()).isEqualTo("user/nurse-hn");
    }

    @Test
    void pastVersionsFollowTheRecordWhenItMovesToAnotherPatient() {
        seed(
                "Observation",
                "obs-move",
                CareRecords.about("Observation", "daily-living", "ph"),
                "Organization/org-hospital");
        seed(
                "Observation",
                "obs-move",
                CareRecords.about("Observation", "daily-living", "ps"),
                "Organization/org-hospital");
        String careWorker = careWorker().sign();
        assertThat(get("/Observation/obs-move", careWorker).statusCode()).isEqualTo(404);
        assertThat(get("/Observation/obs-move/_history/1", careWorker).statusCode())
                .isEqualTo(404);
        assertThat(get("/Observation/obs-move/_history", careWorker).statusCode())
                .isEqualTo(404);
        Bundle history = json.parseResource(
                Bundle.class,
                get("/Observation/_history?_count=500", careWorker).body());
        assertThat(history.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .doesNotContain("obs-move");
        assertThat(history.getEntry()).isNotEmpty();
    }

    // ---- conditional delete ----------------------------------------------------------------------

    @Test
    void aConditionalDeleteSeesOnlyWhatTheCallerMayReadAndIsJudgedLikeAPlainDelete() {
        String system = "urn:renkei:test:conditional-delete";
        // the care manager's office asked something about 山田花子 (ph); a request about 佐藤一郎 (ps), whom the care
        // manager does not care for, carries the same identifier (CommunicationRequests, so that the Observation
        // histories other tests read keep no deletions)
        CommunicationRequest own =
                (CommunicationRequest) CareRecords.about("CommunicationRequest", "care-coordination", "ph");
        own.addIdentifier().setSystem(system).setValue("shared");
        seed("CommunicationRequest", "cdel-own", own, "Organization/org-homecare");
        CommunicationRequest hidden =
                (CommunicationRequest) CareRecords.about("CommunicationRequest", "care-coordination", "ps");
        hidden.addIdentifier().setSystem(system).setValue("shared");
        seed("CommunicationRequest", "cdel-hidden", hidden, "Organization/org-hospital");
        CommunicationRequest hiddenAlone =
                (CommunicationRequest) CareRecords.about("CommunicationRequest", "care-coordination", "ps");
        hiddenAlone.addIdentifier().setSystem(system).setValue("hidden-only");
        seed("CommunicationRequest", "cdel-hidden-alone", hiddenAlone, "Organization/org-hospital");
        String token = careManager().sign();

        // the hidden note is no match: the one the caller sees is deleted, as a plain DELETE would
        HttpResponse<String> deleted = hub.send(
                "DELETE",
                "/CommunicationRequest?identifier=" + system + "%7Cshared",
                null,
                null,
                "Authorization",
                "Bearer " + token);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(store.read("CommunicationRequest", "cdel-own").deleted()).isTrue();
        assertThat(store.read("CommunicationRequest", "cdel-hidden").deleted()).isFalse();

        // a hidden record alone answers exactly like no record, and stays
        HttpResponse<String> hiddenOnly = hub.send(
                "DELETE",
                "/CommunicationRequest?identifier=" + system + "%7Chidden-only",
                null,
                null,
                "Authorization",
                "Bearer " + token);
        HttpResponse<String> nothing = hub.send(
                "DELETE",
                "/CommunicationRequest?identifier=" + system + "%7Cnobody",
                null,
                null,
                "Authorization",
                "Bearer " + token);
        assertThat(hiddenOnly.statusCode()).isEqualTo(200).isEqualTo(nothing.statusCode());
        assertThat(diagnostics(hiddenOnly)).isEqualTo(diagnostics(nothing)).contains("nothing was deleted");
        assertThat(store.read("CommunicationRequest", "cdel-hidden-alone").deleted())
                .isFalse();

        // what the caller may read but not delete (the hospital wrote it) is refused as a plain DELETE of it is
        HttpResponse<String> conditional =
                hub.send("DELETE", "/Observation?_id=obs-1", null, null, "Authorization", "Bearer " + token);
        HttpResponse<String> plain =
                hub.send("DELETE", "/Observation/obs-1", null, null, "Authorization", "Bearer " + token);
        assertThat(conditional.statusCode())
                .as(conditional.body())
                .isEqualTo(403)
                .isEqualTo(plain.statusCode());
        assertThat(diagnostics(conditional)).isEqualTo(diagnostics(plain));
        assertThat(store.read("Observation", "obs-1").deleted()).isFalse();
    }

    // ---- classification of records as ordinary FHIR clients send them ---------------------------

    private static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
    private static final String LOINC = "http://loinc.org";

    private static Observation standard(String category, String loinc, String display) {
        Observation o = new Observation()
                .setSubject(new Reference("Patient/ph"))
                .setStatus(Observation.ObservationStatus.FINAL);
        if (category != null) {
            o.addCategory(new org.hl7.fhir.r4.model.CodeableConcept(
                    new org.hl7.fhir.r4.model.Coding(OBSERVATION_CATEGORY, category, null)));
        }
        o.setCode(
                loinc == null
                        ? new org.hl7.fhir.r4.model.CodeableConcept().setText(display)
                        : new org.hl7.fhir.r4.model.CodeableConcept(
                                new org.hl7.fhir.r4.model.Coding(LOINC, loinc, display)));
        return o;
    }

    @Test
    void standardCategoriesAndVitalSignCodesReachThePartOfTheTeamTheirTopicIsFor() {
        String worker = careWorker().sign();
        String pharmacist = issuer.token()
                .roles("pharmacist")
                .claim("practitioner", "ph-1")
                .claim("organization", "org-pharmacy")
                .sign();
        // a blood pressure as the FHIR vital-signs profile has it: the care worker may record it, the pharmacist reads
        // it
        Observation pressure = standard("vital-signs", "85354-9", "Blood pressure panel");
        pressure.addComponent()
                .setCode(new org.hl7.fhir.r4.model.CodeableConcept(
                        new org.hl7.fhir.r4.model.Coding(LOINC, "8480-6", null)))
                .setValue(new org.hl7.fhir.r4.model.Quantity(132).setUnit("mmHg"));
        HttpResponse<String> created = hub.send(
                "POST",
                "/Observation",
                "application/fhir+json",
                json.encodeResourceToString(pressure),
                "Authorization",
                "Bearer " + worker);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json.parseResource(Observation.class, created.body())
                .getIdElement()
                .getIdPart();
        assertThat(store.read("Observation", id).labels().kind()).isEqualTo("vital-signs");
        assertThat(get("/Observation/" + id, pharmacist).statusCode()).isEqualTo(200);
        assertThat(get("/Observation/" + id, worker).statusCode()).isEqualTo(200);

        // a LOINC vital sign with no category, the other standard categories, and no classifying code at all
        seed("Observation", "obs-pulse", standard(null, "8867-4", "Heart rate"), "Organization/org-hospital");
        seed("Observation", "obs-living", standard("social-history", null, "独居"), "Organization/org-hospital");
        seed("Observation", "obs-lab", standard("laboratory", "2160-0", "Creatinine"), "Organization/org-hospital");
        seed("Observation", "obs-therapy", standard("therapy", null, "歩行訓練"), "Organization/org-hospital");
        seed("Observation", "obs-bare", standard(null, null, "むくみ"), "Organization/org-hospital");
        assertThat(store.read("Observation", "obs-pulse").labels().kind()).isEqualTo("vital-signs");
        assertThat(store.read("Observation", "obs-living").labels().kind()).isEqualTo("daily-living");
        assertThat(store.read("Observation", "obs-lab").labels().kind()).isEqualTo("clinical");
        assertThat(store.read("Observation", "obs-therapy").labels().kind()).isEqualTo("rehabilitation");
        // the documented default: an observation without a classifying code is clinical, told as such, not hidden
        assertThat(store.read("Observation", "obs-bare").labels().kind()).isEqualTo("clinical");
        assertThat(get("/Observation/obs-pulse", worker).statusCode()).isEqualTo(200);
        assertThat(get("/Observation/obs-living", worker).statusCode()).isEqualTo(200);
        assertThat(get("/Observation/obs-lab", pharmacist).statusCode()).isEqualTo(200);
        HttpResponse<String> lab = get("/Observation/obs-lab", worker);
        assertThat(lab.statusCode()).isEqualTo(403);
        assertThat(diagnostics(lab)).contains("Observation (clinical)");
        assertThat(get("/Observation/obs-bare", pharmacist).statusCode()).isEqualTo(200);
        assertThat(diagnostics(get("/Observation/obs-bare", worker))).contains("Observation (clinical)");
        // a message without a category is clinical too: its sender did not say it is for the whole team
        org.hl7.fhir.r4.model.Communication message = new org.hl7.fhir.r4.model.Communication()
                .setSubject(new Reference("Patient/ph"))
                .setStatus(org.hl7.fhir.r4.model.Communication.CommunicationStatus.COMPLETED);
        seed("Communication", "msg-bare", message, "Organization/org-hospital");
        assertThat(store.read("Communication", "msg-bare").labels().kind()).isEqualTo("clinical");
        assertThat(diagnostics(get("/Communication/msg-bare", worker))).contains("Communication (clinical)");
        assertThat(get("/Communication/msg-bare", pharmacist).statusCode()).isEqualTo(200);

        // a care-topic code the hub does not know still makes the record unclassified: a later standard code
        // does not open it wider
        Observation unknownOwn = standard("vital-signs", "8867-4", "Heart rate");
        unknownOwn
                .getCategory()
                .add(
                        0,
                        new org.hl7.fhir.r4.model.CodeableConcept(
                                new org.hl7.fhir.r4.model.Coding(CareRecords.CARE_TOPIC, "no-such-topic", null)));
        seed("Observation", "obs-unknown-topic", unknownOwn, "Organization/org-hospital");
        assertThat(store.read("Observation", "obs-unknown-topic").labels().kind())
                .isEqualTo("unclassified");
        assertThat(get("/Observation/obs-unknown-topic", worker).statusCode()).isEqualTo(403);
        assertThat(get("/Observation/obs-unknown-topic", pharmacist).statusCode())
                .isEqualTo(403);
        // the hub's own care topic, when present, decides over a standard category
        Observation own = standard("vital-signs", "8867-4", "Heart rate");
        own.addCategory(new org.hl7.fhir.r4.model.CodeableConcept(
                new org.hl7.fhir.r4.model.Coding(CareRecords.CARE_TOPIC, "medication", null)));
        seed("Observation", "obs-own-topic", own, "Organization/org-hospital");
        assertThat(store.read("Observation", "obs-own-topic").labels().kind()).isEqualTo("medication");
    }

    /** operationoutcome.html (IssueType): 401 says login, 403 forbidden, a hidden record's 404 not-found. */
    @Test
    void refusalsCarryTheirSpecificIssueCodes() {
        java.util.function.Function<HttpResponse<String>, OperationOutcome.IssueType> code =
                r -> json.parseResource(OperationOutcome.class, r.body())
                        .getIssueFirstRep()
                        .getCode();
        HttpResponse<String> anonymous = get("/Patient/ph", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(code.apply(anonymous)).isEqualTo(OperationOutcome.IssueType.LOGIN);
        HttpResponse<String> forbidden = get("/Observation/obs-15", careWorker().sign());
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(code.apply(forbidden)).isEqualTo(OperationOutcome.IssueType.FORBIDDEN);
        HttpResponse<String> hidden = get("/Observation/obs-ps", careWorker().sign());
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(code.apply(hidden)).isEqualTo(OperationOutcome.IssueType.NOTFOUND);
    }

    /** http.html#transaction: a GET entry is filtered like the plain GET it stands for. */
    @Test
    void getEntriesInBundlesSeeWhatAPlainGetSees() {
        String token = careWorker().sign();
        for (Bundle.BundleType kind : List.of(Bundle.BundleType.BATCH, Bundle.BundleType.TRANSACTION)) {
            Bundle gets = new Bundle().setType(kind);
            gets.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Observation/obs-1");
            gets.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Observation/obs-15");
            gets.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Observation/obs-ps");
            gets.addEntry()
                    .getRequest()
                    .setMethod(Bundle.HTTPVerb.GET)
                    .setUrl("Observation?patient=Patient/ph&_count=100");
            HttpResponse<String> response = hub.send(
                    "POST",
                    "/",
                    "application/fhir+json",
                    json.encodeResourceToString(gets),
                    "Authorization",
                    "Bearer " + token);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Bundle answer = json.parseResource(Bundle.class, response.body());
            assertThat(answer.getEntry())
                    .extracting(e -> e.getResponse().getStatus())
                    .containsExactly("200 OK", "403", "404", "200 OK");
            Bundle found = (Bundle) answer.getEntry().get(3).getResource();
            Bundle plain = json.parseResource(
                    Bundle.class,
                    get("/Observation?patient=Patient/ph&_count=100", token).body());
            assertThat(found.getEntry())
                    .extracting(e -> e.getResource().getIdElement().getIdPart())
                    .containsExactlyElementsOf(plain.getEntry().stream()
                            .map(e -> e.getResource().getIdElement().getIdPart())
                            .toList());
            assertThat(found.getTotal()).isEqualTo(plain.getTotal()).isGreaterThanOrEqualTo(12);
            assertThat(found.getEntry())
                    .extracting(e -> e.getResource().getIdElement().getIdPart())
                    .doesNotContain("obs-15", "obs-ps");
        }
    }

    /** search.html#revinclude: records added by {@code _revinclude} are filtered like {@code _include}d ones and like a plain search. */
    @Test
    void aRevIncludeAddsOnlyWhatTheCallerMayRead() {
        String token = careWorker().sign();
        HttpResponse<String> response = get("/Patient?_id=ph&_revinclude=Observation:patient&_count=100", token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Bundle found = json.parseResource(Bundle.class, response.body());
        List<String> included = found.getEntry().stream()
                .filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE)
                .map(e -> e.getResource().getIdElement().getIdPart())
                .toList();
        Bundle plain = json.parseResource(
                Bundle.class,
                get("/Observation?patient=Patient/ph&_count=100", token).body());
        assertThat(included)
                .containsExactlyInAnyOrderElementsOf(plain.getEntry().stream()
                        .map(e -> e.getResource().getIdElement().getIdPart())
                        .toList());
        assertThat(included).contains("obs-0").doesNotContain("obs-15", "obs-ps");
        // someone outside the care team: the patient is no match, so nothing refers to a match
        String outsider = issuer.token()
                .roles("care-manager")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-x")
                .sign();
        Bundle none = json.parseResource(
                Bundle.class,
                get("/Patient?_id=ph&_revinclude=Observation:patient", outsider).body());
        assertThat(none.getEntry()).isEmpty();
    }
}
