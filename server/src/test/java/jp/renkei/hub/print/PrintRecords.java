package jp.renkei.hub.print;

import java.math.BigDecimal;
import java.util.Date;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DeviceUseStatement;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/** Realistic Japanese records to print: a discharge handoff, an emergency sheet, an advance directive, a contact form. */
final class PrintRecords {

    static final String CARE_DOCUMENT = "http://renkei.example.jp/fhir/CodeSystem/care-document";
    static final String CARE_TOPIC = "http://renkei.example.jp/fhir/CodeSystem/care-topic";
    static final String TREATMENT = "http://renkei.example.jp/fhir/CodeSystem/life-sustaining-treatment";

    private PrintRecords() {}

    static Patient patient() {
        Patient p = new Patient();
        p.addName(new HumanName()
                        .setUse(HumanName.NameUse.OFFICIAL)
                        .setFamily("山田")
                        .addGiven("花子"))
                .getNameFirstRep()
                .addExtension(new org.hl7.fhir.r4.model.Extension(FhirText.REPRESENTATION, new CodeType("IDE")));
        p.addName(new HumanName()
                        .setUse(HumanName.NameUse.OFFICIAL)
                        .setFamily("ヤマダ")
                        .addGiven("ハナコ"))
                .getName()
                .get(1)
                .addExtension(new org.hl7.fhir.r4.model.Extension(FhirText.REPRESENTATION, new CodeType("SYL")));
        p.setGender(Enumerations.AdministrativeGender.FEMALE).setBirthDateElement(new DateType("1944-05-03"));
        return p;
    }

    /** A 退院時情報提供書 with the patient, people and clinical records inside; {@code longText} adds a long section. */
    static Bundle discharge(String patientId, String longText) {
        DocumentBuilder doc = new DocumentBuilder("discharge-summary", "退院時情報提供書（退院シート）", patientId);
        doc.section(
                "入院中の経過",
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>自宅で転倒し右大腿骨頸部骨折のため入院。"
                        + "人工骨頭置換術を施行し、リハビリテーションにより歩行器歩行が可能となった。</p><ul><li>創部の経過は良好</li>"
                        + "<li>夜間せん妄なし</li></ul></div>");
        doc.section(
                "病名",
                null,
                new Condition()
                        .setCode(new CodeableConcept().setText("大腿骨頸部骨折"))
                        .setOnset(new DateTimeType("2026-09-01")),
                new Condition()
                        .setCode(new CodeableConcept().addCoding(new Coding("http://example.org", "I10", "高血圧症"))));
        MedicationStatement meds = new MedicationStatement()
                .setStatus(MedicationStatement.MedicationStatementStatus.ACTIVE)
                .setMedication(new CodeableConcept().setText("アムロジピン錠5mg"));
        meds.addDosage(new Dosage().setText("1回1錠 1日1回 朝食後"));
        doc.section("服薬", null, meds);
        AllergyIntolerance allergy = new AllergyIntolerance()
                .setCode(new CodeableConcept().setText("ペニシリン系抗菌薬"))
                .setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);
        allergy.addReaction().addManifestation(new CodeableConcept().setText("全身の発疹"));
        doc.section("アレルギー", null, allergy);
        RelatedPerson daughter = new RelatedPerson().setPatient(doc.subject());
        daughter.addName(new HumanName().setFamily("山田").addGiven("美穂"));
        daughter.addRelationship(new CodeableConcept().setText("長女"));
        daughter.addTelecom(new ContactPoint()
                .setSystem(ContactPoint.ContactPointSystem.PHONE)
                .setValue("090-1234-5678")
                .setUse(ContactPoint.ContactPointUse.MOBILE));
        doc.section("家族・連絡先", null, daughter);
        Practitioner doctor = new Practitioner();
        doctor.addName(new HumanName().setFamily("鈴木").addGiven("一郎"));
        String doctorUrl = doc.add(doctor);
        PractitionerRole role = new PractitionerRole()
                .setPractitioner(new Reference(doctorUrl))
                .setOrganization(new Reference().setDisplay("すずき在宅クリニック"));
        role.addCode(new CodeableConcept().setText("在宅主治医"));
        role.addTelecom(new ContactPoint()
                .setSystem(ContactPoint.ContactPointSystem.PHONE)
                .setValue("03-1111-2222"));
        doc.section("退院後の担当者", null, role);
        Observation walking = new Observation()
                .setStatus(Observation.ObservationStatus.FINAL)
                .setCode(new CodeableConcept().setText("移動"))
                .setValue(new CodeableConcept().setText("歩行器で見守り"));
        Observation weight = new Observation()
                .setStatus(Observation.ObservationStatus.FINAL)
                .setCode(new CodeableConcept().setText("体重"))
                .setValue(new Quantity().setValue(new BigDecimal("42.5")).setUnit("kg"));
        doc.section("ADL・身体状況", null, walking, weight);
        Encounter stay = new Encounter()
                .setStatus(Encounter.EncounterStatus.FINISHED)
                .setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP", "inpatient"))
                .setPeriod(new Period()
                        .setStartElement(new DateTimeType("2026-09-01"))
                        .setEndElement(new DateTimeType("2026-10-10")));
        stay.addReasonCode(new CodeableConcept().setText("転倒による骨折"));
        doc.section("入院", null, stay);
        Coverage insurance = new Coverage()
                .setStatus(Coverage.CoverageStatus.ACTIVE)
                .setBeneficiary(doc.subject())
                .setType(new CodeableConcept().setText("介護保険"));
        insurance.addPayor(new Reference().setDisplay("さくら市"));
        insurance
                .addClass_()
                .setType(new CodeableConcept().setText("要介護度"))
                .setValue("要介護2")
                .setName("要介護度");
        doc.section("保険", null, insurance);
        if (longText != null) {
            doc.section("看護サマリー（詳細）", "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>" + longText + "</p></div>");
        }
        return doc.bundle;
    }

    /** A 緊急時連絡票. */
    static Bundle emergencySheet(String patientId) {
        DocumentBuilder doc = new DocumentBuilder("emergency-sheet", "緊急時連絡票", patientId);
        RelatedPerson son = new RelatedPerson().setPatient(doc.subject());
        son.addName(new HumanName().setFamily("山田").addGiven("一郎"));
        son.addRelationship(new CodeableConcept().setText("長男"));
        son.addTelecom(new ContactPoint()
                .setSystem(ContactPoint.ContactPointSystem.PHONE)
                .setValue("080-9999-0000"));
        doc.section("緊急連絡先", null, son);
        Organization station = new Organization().setName("みちのく訪問看護ステーション");
        station.addTelecom(new ContactPoint()
                .setSystem(ContactPoint.ContactPointSystem.PHONE)
                .setValue("022-333-4444"));
        doc.section("訪問看護", null, station);
        DeviceUseStatement oxygen = new DeviceUseStatement()
                .setStatus(DeviceUseStatement.DeviceUseStatementStatus.ACTIVE)
                .setSubject(doc.subject())
                .setDevice(new Reference().setDisplay("在宅酸素療法（酸素濃縮装置 2L/分）"));
        doc.section("医療機器", null, oxygen);
        Consent directive = new Consent()
                .setStatus(Consent.ConsentState.ACTIVE)
                .setScope(new CodeableConcept(
                                new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "adr", null))
                        .setText("事前指示"));
        directive
                .getProvision()
                .setType(Consent.ConsentProvisionType.PERMIT)
                .addProvision()
                .setType(Consent.ConsentProvisionType.DENY)
                .addCode(new CodeableConcept(new Coding(TREATMENT, "cpr", "心肺蘇生")));
        doc.section("事前指示", null, directive);
        return doc.bundle;
    }

    /** A document with one entry of each further type the document profiles allow in a section. */
    static Bundle everyEntryType(String patientId) {
        DocumentBuilder doc = new DocumentBuilder("discharge-summary", "退院時情報提供書（全種別）", patientId);
        org.hl7.fhir.r4.model.DeviceRequest wheelchair = new org.hl7.fhir.r4.model.DeviceRequest()
                .setStatus(org.hl7.fhir.r4.model.DeviceRequest.DeviceRequestStatus.ACTIVE)
                .setIntent(org.hl7.fhir.r4.model.DeviceRequest.RequestIntent.PLAN)
                .setSubject(doc.subject())
                .setCode(new CodeableConcept().setText("車いす（自走式）"));
        wheelchair.addNote().setText("介護保険の福祉用具貸与");
        org.hl7.fhir.r4.model.MedicationRequest prescription = new org.hl7.fhir.r4.model.MedicationRequest()
                .setStatus(org.hl7.fhir.r4.model.MedicationRequest.MedicationRequestStatus.ACTIVE)
                .setIntent(org.hl7.fhir.r4.model.MedicationRequest.MedicationRequestIntent.ORDER)
                .setSubject(doc.subject())
                .setMedication(new CodeableConcept().setText("フロセミド錠20mg"));
        prescription.addDosageInstruction(new Dosage().setText("1回1錠 1日1回 朝食後"));
        org.hl7.fhir.r4.model.ServiceRequest rehab = new org.hl7.fhir.r4.model.ServiceRequest()
                .setStatus(org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestStatus.ACTIVE)
                .setIntent(org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestIntent.PLAN)
                .setSubject(doc.subject())
                .setCode(new CodeableConcept().setText("訪問リハビリテーション"));
        rehab.addNote().setText("週2回");
        org.hl7.fhir.r4.model.CarePlan plan = new org.hl7.fhir.r4.model.CarePlan()
                .setStatus(org.hl7.fhir.r4.model.CarePlan.CarePlanStatus.ACTIVE)
                .setIntent(org.hl7.fhir.r4.model.CarePlan.CarePlanIntent.PLAN)
                .setSubject(doc.subject())
                .setTitle("退院後の在宅療養計画");
        plan.addActivity().getDetail().setDescription("歩行訓練を継続");
        org.hl7.fhir.r4.model.Goal goal = new org.hl7.fhir.r4.model.Goal()
                .setLifecycleStatus(org.hl7.fhir.r4.model.Goal.GoalLifecycleStatus.ACTIVE)
                .setSubject(doc.subject())
                .setDescription(new CodeableConcept().setText("屋内を歩行器で自立して移動できる"));
        org.hl7.fhir.r4.model.DiagnosticReport blood = new org.hl7.fhir.r4.model.DiagnosticReport()
                .setStatus(org.hl7.fhir.r4.model.DiagnosticReport.DiagnosticReportStatus.FINAL)
                .setSubject(doc.subject())
                .setCode(new CodeableConcept().setText("血液検査"))
                .setConclusion("腎機能は安定");
        org.hl7.fhir.r4.model.DocumentReference imaging = new org.hl7.fhir.r4.model.DocumentReference()
                .setStatus(Enumerations.DocumentReferenceStatus.CURRENT)
                .setSubject(doc.subject())
                .setType(new CodeableConcept().setText("画像診断報告書"))
                .setDescription("入院時の画像所見");
        DeviceUseStatement oxygen = new DeviceUseStatement()
                .setStatus(DeviceUseStatement.DeviceUseStatementStatus.ACTIVE)
                .setSubject(doc.subject())
                .setDevice(new Reference().setDisplay("在宅酸素（酸素濃縮装置）"));
        oxygen.addNote().setText("外出時は携帯用ボンベ");
        // coded as a system abroad would: English displays, or none, for codes of the hub's own code systems
        Observation careLevel = new Observation()
                .setStatus(Observation.ObservationStatus.FINAL)
                .setCode(new CodeableConcept(new Coding(
                                "http://renkei.example.jp/fhir/CodeSystem/care-observation",
                                "care-level",
                                "Care level"))
                        .addCoding(new Coding("http://loinc.org", "00000-0", "Long-term care level")))
                .setValue(new CodeableConcept(
                        new Coding("http://renkei.example.jp/fhir/CodeSystem/care-level", "22", null)));
        doc.section("在宅療養の準備", null, wheelchair, prescription, rehab, plan, goal, blood, imaging, oxygen, careLevel);
        return doc.bundle;
    }

    /** An advance directive like fhir-profiles' example, with a place to spend the last days and a proxy. */
    static Consent advanceDirective(String patientId) {
        Consent c = new Consent()
                .setStatus(Consent.ConsentState.ACTIVE)
                .setScope(new CodeableConcept(new Coding(
                        "http://terminology.hl7.org/CodeSystem/consentscope", "adr", "Advanced Care Directive")))
                .addCategory(new CodeableConcept(new Coding("http://loinc.org", "75320-2", "Advance directive"))
                        .setText("事前指示書"))
                .setPatient(new Reference("Patient/" + patientId).setDisplay("山田 花子"))
                .setDateTimeElement(new DateTimeType("2026-10-15T14:00:00+09:00"))
                .addPerformer(new Reference("Patient/" + patientId).setDisplay("山田 花子"))
                .setSource(new Reference("DocumentReference/acp-original").setDisplay("事前指示書（署名済み原本）"));
        c.addPolicy().setUri("https://www.mhlw.go.jp/stf/newpage_02783.html");
        c.addExtension(AdvanceDirectiveForm.END_OF_LIFE_PLACE, new CodeableConcept().setText("自宅（住み慣れた家で家族と過ごしたい）"));
        Consent.ProvisionComponent root = c.getProvision().setType(Consent.ConsentProvisionType.PERMIT);
        root.addActor()
                .setRole(new CodeableConcept(
                        new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "HPOWATT", null)))
                .setReference(new Reference("RelatedPerson/rp-daughter").setDisplay("山田 美穂（長女）"));
        treatment(root, Consent.ConsentProvisionType.DENY, "cpr", "心肺蘇生");
        treatment(root, Consent.ConsentProvisionType.DENY, "mechanical-ventilation", "気管挿管・人工呼吸器");
        treatment(root, Consent.ConsentProvisionType.DENY, "tube-feeding", "胃ろう・経管栄養");
        treatment(root, Consent.ConsentProvisionType.PERMIT, "iv-fluids", "点滴（輸液）");
        return c;
    }

    private static void treatment(
            Consent.ProvisionComponent root, Consent.ConsentProvisionType type, String code, String display) {
        root.addProvision().setType(type).addCode(new CodeableConcept(new Coding(TREATMENT, code, display)));
    }

    /** The care manager's question to the home doctor. */
    static Communication question(String patientId) {
        Communication q = contact(patientId);
        q.setSender(new Reference("PractitionerRole/role-cm").setDisplay("佐藤 京子（ひまわり居宅介護支援事業所）"));
        q.addRecipient(new Reference("PractitionerRole/role-dr").setDisplay("鈴木 一郎 医師（すずき在宅クリニック）"));
        q.setSentElement(new DateTimeType("2026-10-20T10:30:00+09:00"));
        q.addExtension(ContactFormForm.REPLY_REQUESTED_BY, new DateType("2026-10-27"));
        q.addPayload()
                .setContent(new StringType("退院後、夜間のトイレ移動時にふらつきがあります。訪問リハビリの回数を週2回に増やしてよいか、ご意見をお願いします。"))
                .addExtension(
                        "http://renkei.example.jp/fhir/StructureDefinition/payload-label",
                        new CodeableConcept().setText("相談内容"));
        q.addPayload().setContent(new StringType("転倒の再発予防と、家族（長女）の介護負担の軽減。"));
        return q;
    }

    /** The doctor's answer to Communication/{questionId}. */
    static Communication answer(String patientId, String questionId) {
        Communication a = contact(patientId);
        a.addInResponseTo(new Reference("Communication/" + questionId));
        a.setSender(new Reference("PractitionerRole/role-dr").setDisplay("鈴木 一郎 医師"));
        a.addRecipient(new Reference("PractitionerRole/role-cm").setDisplay("佐藤 京子"));
        a.setSentElement(new DateTimeType("2026-10-22T18:00:00+09:00"));
        a.addPayload().setContent(new StringType("訪問リハビリ週2回に賛成します。"));
        a.addPayload().setContent(new StringType("起立性低血圧に注意し、夜間はポータブルトイレの使用を検討してください。"));
        return a;
    }

    private static Communication contact(String patientId) {
        Communication c = new Communication()
                .setStatus(Communication.CommunicationStatus.COMPLETED)
                .setSubject(new Reference("Patient/" + patientId).setDisplay("山田 花子"));
        c.addCategory(new CodeableConcept(new Coding(CARE_TOPIC, "care-coordination", null)));
        return c;
    }

    /** Builds a document Bundle: Composition first, then the patient and every section entry, all by urn:uuid. */
    private static final class DocumentBuilder {

        final Bundle bundle = new Bundle().setType(Bundle.BundleType.DOCUMENT);
        final Composition composition;
        private int next = 1;

        DocumentBuilder(String kind, String title, String patientId) {
            bundle.setTimestamp(new Date());
            composition = new Composition()
                    .setStatus(Composition.CompositionStatus.FINAL)
                    .setType(new CodeableConcept(new Coding(CARE_DOCUMENT, kind, null)))
                    .setTitle(title)
                    .setDateElement(new DateTimeType("2026-10-10T15:00:00+09:00"))
                    .setSubject(new Reference("Patient/" + patientId));
            composition.addAuthor(new Reference().setDisplay("高橋 由美（さくら総合病院 地域連携室）"));
            composition.setCustodian(new Reference().setDisplay("さくら総合病院"));
            bundle.addEntry().setFullUrl(uuid()).setResource(composition);
            Patient patient = patient();
            patient.setId(patientId);
            bundle.addEntry()
                    .setFullUrl("http://hub.example.jp/fhir/Patient/" + patientId)
                    .setResource(patient);
        }

        Reference subject() {
            return new Reference("Patient/" + bundleSubject());
        }

        private String bundleSubject() {
            return composition.getSubject().getReferenceElement().getIdPart();
        }

        String add(Resource resource) {
            String url = uuid();
            bundle.addEntry().setFullUrl(url).setResource(resource);
            return url;
        }

        void section(String title, String xhtml, Resource... entries) {
            Composition.SectionComponent section = composition.addSection().setTitle(title);
            if (xhtml != null) {
                Narrative text = new Narrative().setStatus(Narrative.NarrativeStatus.ADDITIONAL);
                text.setDivAsString(xhtml);
                section.setText(text);
            }
            for (Resource entry : entries) {
                section.addEntry(new Reference(add(entry)));
            }
        }

        private String uuid() {
            return String.format("urn:uuid:7d6c1a9e-0000-4000-8000-%012d", next++);
        }
    }
}
