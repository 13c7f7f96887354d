package jp.renkei.hub.print;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import jp.renkei.hub.access.CareRecords;
import jp.renkei.hub.access.SecuredHub;
import jp.renkei.hub.store.StoreFixtures;
import jp.renkei.hub.store.WriteRequest;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The $pdf operations through a running hub: what the forms say, for whom, and without a font. */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PdfRenderingTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private SecuredHub world;
    private HubInstance hub;
    private final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void start(SecuredHub world) throws Exception {
        this.world = world;
        hub = world.hub;
        world.seed("Patient", "pt", PrintRecords.patient(), "Organization/org-hospital");
        CareTeam team =
                new CareTeam().setSubject(new Reference("Patient/pt")).setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.addParticipant().setMember(new Reference("PractitionerRole/role-dr"));
        team.addParticipant().setMember(new Reference("PractitionerRole/role-cm"));
        team.addParticipant().setMember(new Reference("PractitionerRole/role-ph"));
        world.seed("CareTeam", "ct-pt", team, "Organization/org-hospital");
        world.seed("Consent", "share-pt", CareRecords.sharingWith("pt", "CareTeam/ct-pt"), "Organization/org-hospital");
        world.seed("Bundle", "discharge", PrintRecords.discharge("pt", null), "Organization/org-hospital");
        world.seed("Bundle", "long", PrintRecords.discharge("pt", longText()), "Organization/org-hospital");
        world.seed("Bundle", "sheet", PrintRecords.emergencySheet("pt"), "Organization/org-vn");
        // not about a patient: readable by its author organisation, the doctor's clinic
        world.seed(
                "Bundle",
                "not-a-document",
                new Bundle().setType(Bundle.BundleType.COLLECTION),
                "Organization/org-clinic",
                "user/dr-suzuki");
        world.seed("Consent", "acp", PrintRecords.advanceDirective("pt"), "Organization/org-clinic");
        world.seed("Communication", "q1", PrintRecords.question("pt"), "Organization/org-homecare");
        world.seed("Communication", "a1", PrintRecords.answer("pt", "q1"), "Organization/org-clinic");
        // the examples published in the profiles package, as partners will send them
        world.seed(
                "Bundle",
                "ex-discharge",
                CareRecords.example("Bundle-discharge-handoff-example.json", "takahashi-kiyo-example", "pt"),
                "Organization/org-hospital");
        world.seed(
                "Bundle",
                "ex-sheet",
                CareRecords.example("Bundle-emergency-sheet-example.json", "pat-sasaki", "pt"),
                "Organization/org-vn");
        world.seed(
                "Communication",
                "ex-q",
                CareRecords.example("Communication-contact-form-question-example.json", "pat-sasaki", "pt"),
                "Organization/org-homecare");
        world.seed(
                "Communication",
                "ex-a",
                json.parseResource(
                        Communication.class,
                        example("Communication-contact-form-answer-example.json")
                                .replace("pat-sasaki", "pt")
                                .replace("contact-form-question-example", "ex-q")),
                "Organization/org-clinic");
        world.seed(
                "Consent",
                "ex-acp",
                CareRecords.example("Consent-advance-directive-example.json", "pat-yamada", "pt"),
                "Organization/org-clinic");
        world.seed("Bundle", "every-type", PrintRecords.everyEntryType("pt"), "Organization/org-hospital");
    }

    private static String longText() {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 60; i++) {
            text.append("第").append(i).append("病日：バイタルサインは安定しており、疼痛の訴えなく、リハビリテーション室で歩行器を用いた歩行訓練を実施した。");
        }
        return text.append("最終行の記載。").toString();
    }

    private String doctor() {
        return world.issuer
                .token()
                .roles("physician")
                .subject("dr-suzuki")
                .claim("preferred_username", "dr.suzuki")
                .claim("practitioner_role", "role-dr")
                .claim("organization", "org-clinic")
                .sign();
    }

    private String outsider() {
        return world.issuer
                .token()
                .roles("physician")
                .claim("preferred_username", "outsider")
                .claim("practitioner_role", "role-x")
                .claim("organization", "org-x")
                .sign();
    }

    private String pharmacist() {
        return world.issuer
                .token()
                .roles("pharmacist")
                .claim("preferred_username", "pharmacist")
                .claim("practitioner_role", "role-ph")
                .claim("organization", "org-pharmacy")
                .sign();
    }

    private String hubAdmin() {
        return world.issuer
                .token()
                .roles("hub-admin")
                .claim("preferred_username", "hub-admin")
                .sign();
    }

    private static HttpResponse<byte[]> get(HubInstance hub, String path, String token, String... headers) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(hub.baseUrl() + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The PDF's pages as text, whitespace removed (lines wrap anywhere in Japanese). */
    private static List<String> pages(HttpResponse<byte[]> response) throws IOException {
        assertThat(response.statusCode())
                .as(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/pdf"));
        try (PDDocument pdf = Loader.loadPDF(response.body())) {
            List<String> pages = new java.util.ArrayList<>();
            PDFTextStripper stripper = new PDFTextStripper();
            for (int i = 1; i <= pdf.getNumberOfPages(); i++) {
                stripper.setStartPage(i);
                stripper.setEndPage(i);
                pages.add(stripper.getText(pdf).replaceAll("[\\s　]", ""));
            }
            return pages;
        }
    }

    private static String all(List<String> pages) {
        return String.join("", pages);
    }

    @Test
    void theDischargeHandoffPrintsAsTheFormWithEverySectionInOrder() throws IOException {
        HttpResponse<byte[]> response = get(hub, "/Bundle/discharge/$pdf", doctor());
        List<String> pages = pages(response);
        assertThat(response.headers().firstValue("Content-Disposition"))
                .hasValueSatisfying(d -> assertThat(d)
                        .startsWith("attachment;")
                        .contains("filename=\"discharge-summary-discharge.pdf\"")
                        .contains("filename*=UTF-8''"));
        assertThat(response.headers().allValues("Content-Disposition")).hasSize(1);
        String text = all(pages);
        assertThat(text)
                .startsWith("退院時情報提供書")
                .contains("山田花子", "ヤマダハナコ", "1944年5月3日（昭和19年5月3日）", "性別女")
                .contains("作成者高橋由美（さくら総合病院地域連携室）")
                .contains("人工骨頭置換術", "・創部の経過は良好")
                .contains("病名大腿骨頸部骨折", "高血圧症", "アムロジピン錠5mg", "1回1錠1日1回朝食後")
                .contains("ペニシリン系抗菌薬", "全身の発疹", "危険度:高")
                .contains("山田美穂（長女）", "090-1234-5678", "鈴木一郎", "在宅主治医", "すずき在宅クリニック")
                .contains("移動歩行器で見守り", "体重42.5kg", "転倒による骨折", "介護保険", "要介護2")
                .containsPattern("ページ1/" + pages.size() + "(?!\\d)");
        assertThat(text)
                .containsSubsequence(
                        "■入院中の経過", "■病名", "■服薬", "■アレルギー", "■家族・連絡先", "■退院後の担当者", "■ADL・身体状況", "■入院", "■保険");
    }

    @Test
    void thePublishedExamplesPrintWithTheirSectionsAndValues() throws IOException {
        String discharge = all(pages(get(hub, "/Bundle/ex-discharge/$pdf", doctor())));
        assertThat(discharge).startsWith("退院時情報提供書").contains("高橋", "キヨ", "タカハシ", "右大腿骨頸部骨折", "アムロジピン錠5mg");
        assertThat(discharge)
                .containsSubsequence(
                        "■入退院の日付・入院理由",
                        "■診断名",
                        "■退院時の処方と服薬管理",
                        "■ADL・IADL",
                        "■認知機能・自立度・要介護度",
                        "■栄養・嚥下・口腔",
                        "■退院前カンファレンス",
                        "■連絡先");
        String sheet = all(pages(get(hub, "/Bundle/ex-sheet/$pdf", doctor())));
        assertThat(sheet).startsWith("緊急時連絡票").contains("佐々木", "■緊急連絡先（家族等）", "■本人の意思（蘇生・搬送）");
        String question = all(pages(get(hub, "/Communication/ex-q/$pdf", doctor())));
        assertThat(question).contains("主治医・ケアマネジャー連絡票", "相談内容", "ケアプラン上の課題", "盛岡みなみ総合病院");
    }

    // ---- every published example prints every entry in Japanese ---------------------------------

    private static final Pattern JAPANESE = Pattern.compile("[\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}]");
    private static final String READING = "SYL";

    private static String example(String file) {
        try (java.io.InputStream in = PdfRenderingTest.class.getResourceAsStream("/renkei/profiles/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String squeeze(String text) {
        return text.replaceAll("[\\s　]", "");
    }

    /** One word of the PDF's text layer, where it stands (y from the top of the page). */
    private record Run(int page, float x, float y, String text) {}

    /** A printed section: its label column, its value column, and both as they are drawn, whitespace removed. */
    private record Body(StringBuilder labels, StringBuilder values, StringBuilder both) {

        boolean shows(String text) {
            return labels.indexOf(text) >= 0 || values.indexOf(text) >= 0 || both.indexOf(text) >= 0;
        }
    }

    /**
     * The form's sections by title, without the page furniture (title, patient box, footer, the bands and
     * labels of what continues from the previous page), so that a value running over a page reads whole and
     * a label wrapped over two lines is not cut by the value beside it.
     */
    @SuppressWarnings("NonApiType") // the sections' order on the form is part of what the tests check
    private static java.util.LinkedHashMap<String, Body> sections(HttpResponse<byte[]> response) throws IOException {
        assertThat(response.statusCode())
                .as(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        List<Run> runs = new ArrayList<>();
        try (PDDocument pdf = Loader.loadPDF(response.body())) {
            PDFTextStripper stripper = new PDFTextStripper() {
                @Override
                protected void writeString(String text, List<org.apache.pdfbox.text.TextPosition> positions) {
                    if (!positions.isEmpty() && !squeeze(text).isEmpty()) {
                        runs.add(new Run(
                                getCurrentPageNo(),
                                positions.get(0).getXDirAdj(),
                                positions.get(0).getYDirAdj(),
                                squeeze(text)));
                    }
                }
            };
            stripper.getText(pdf);
        }
        float footer = FormWriter.PAGE.getHeight() - FormWriter.BOTTOM;
        float valueColumn = FormWriter.MARGIN + FormWriter.LABEL_WIDTH;
        java.util.LinkedHashMap<String, Body> out = new java.util.LinkedHashMap<>();
        Body current = null;
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            if (i > 0 && run.page() != runs.get(i - 1).page()) {
                current = null;
            }
            if (run.y() > footer) {
                continue;
            }
            if (run.text().startsWith("■")) {
                StringBuilder band = new StringBuilder(run.text().substring(1));
                while (i + 1 < runs.size()
                        && runs.get(i + 1).page() == run.page()
                        && Math.abs(runs.get(i + 1).y() - run.y()) < 0.5f) {
                    band.append(runs.get(++i).text());
                }
                String title = band.toString();
                if (title.endsWith(FormWriter.CONTINUED)) {
                    current = out.get(title.substring(0, title.length() - FormWriter.CONTINUED.length()));
                } else {
                    current = new Body(new StringBuilder(), new StringBuilder(), new StringBuilder());
                    out.put(title, current);
                }
                continue;
            }
            if (current == null || (run.x() < valueColumn && run.text().equals(FormWriter.CONTINUED))) {
                continue;
            }
            (run.x() < valueColumn ? current.labels() : current.values()).append(run.text());
            current.both().append(run.text());
        }
        return out;
    }

    private static String all(java.util.Map<String, Body> sections) {
        return sections.entrySet().stream()
                .map(e -> "■" + e.getKey() + e.getValue().both())
                .collect(java.util.stream.Collectors.joining());
    }

    /**
     * The Japanese texts a record carries, which its printed entry must show: every string with kanji or
     * kana, except narrative (printed with its section), the patient's name in references (the patient box
     * shows it), name readings (SYL), the record's classification (category) and a Coverage class's kind
     * (its name is printed instead).
     */
    private static List<String> japaneseTexts(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            if (JAPANESE.matcher(node.asText()).find()) {
                out.add(node.asText());
            }
        } else if (node.isArray()) {
            node.forEach(n -> out.addAll(japaneseTexts(n, field)));
        } else if (node.isObject()) {
            boolean reading =
                    node.path("extension").findValuesAsText("valueCode").contains(READING);
            if (reading || node.has("div")) {
                return out;
            }
            node.fields().forEachRemaining(e -> {
                boolean skipped = switch (e.getKey()) {
                    case "meta", "subject", "patient", "beneficiary", "category" -> true;
                    case "type" -> "class".equals(field);
                    default -> false;
                };
                if (!skipped) {
                    out.addAll(japaneseTexts(e.getValue(), e.getKey()));
                }
            });
        }
        return out;
    }

    /** The coding displays in English (Latin words, more than a code) that a Japanese form must not show. */
    private static List<String> englishDisplays(JsonNode root) {
        return root.findValuesAsText("display").stream()
                .filter(d -> d.matches("[A-Za-z][A-Za-z0-9 ,()'/.-]{3,}"))
                .map(PdfRenderingTest::squeeze)
                .distinct()
                .toList();
    }

    @Test
    void everyEntryOfEveryPublishedDocumentPrintsItsJapaneseContentUnderItsSection() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        for (String[] doc : List.of(
                new String[] {"ex-discharge", "Bundle-discharge-handoff-example.json"},
                new String[] {"ex-sheet", "Bundle-emergency-sheet-example.json"})) {
            JsonNode bundle = mapper.readTree(example(doc[1]));
            java.util.Map<String, Body> printed = sections(get(hub, "/Bundle/" + doc[0] + "/$pdf", doctor()));
            String text = all(printed);
            assertThat(text).as(doc[1]).doesNotContain("（記載なし）", "（文書内に見つかりません）");
            for (String english : englishDisplays(bundle)) {
                assertThat(text)
                        .as(doc[1] + ": English display where the document is Japanese")
                        .doesNotContain(english);
            }
            java.util.Map<String, JsonNode> entries = new java.util.HashMap<>();
            bundle.path("entry")
                    .forEach(e -> entries.put(
                            e.path("resource").path("resourceType").asText() + "/"
                                    + e.path("resource").path("id").asText(),
                            e.path("resource")));
            for (JsonNode section : bundle.path("entry").get(0).path("resource").path("section")) {
                String title = squeeze(section.path("title").asText());
                assertThat(printed).as(doc[1]).containsKey(title);
                for (JsonNode entry : section.path("entry")) {
                    String reference = entry.path("reference").asText();
                    for (String expected : japaneseTexts(entries.get(reference), "")) {
                        assertThat(printed.get(title).shows(squeeze(expected)))
                                .as(doc[1] + ": " + reference + " prints 「" + expected + "」 under ■" + title
                                        + ", which reads: " + printed.get(title).both())
                                .isTrue();
                    }
                }
            }
        }
        java.util.Map<String, Body> discharge = sections(get(hub, "/Bundle/ex-discharge/$pdf", doctor()));
        // the discharge conference is one, not a hospital stay; the stay is an admission
        assertThat(discharge.get("退院前カンファレンス").both().toString()).contains("退院前カンファレンス2026年11月20日14:00");
        assertThat(discharge.get("入退院の日付・入院理由").both().toString()).contains("入院2026年10月28日21:40");
        assertThat(all(discharge)).doesNotContain("入院・受診");
        // the four equipment requests of the handoff, each with what it is
        assertThat(discharge.get("在宅療養の準備と留意点").both().toString())
                .contains(
                        "福祉用具・機器特殊寝台（電動ベッド）・エアマットレス",
                        "福祉用具・機器歩行器（四輪）",
                        "福祉用具・機器ポータブルトイレ",
                        "福祉用具・機器手すりの設置（トイレ・玄関）・玄関の段差解消");
        java.util.Map<String, Body> sheet = sections(get(hub, "/Bundle/ex-sheet/$pdf", doctor()));
        assertThat(sheet.get("本人の意思（蘇生・搬送）").both().toString()).contains("事前指示書心肺蘇生:希望しない");
    }

    @Test
    void thePublishedAdvanceDirectiveAndContactFormPrintAllTheirJapaneseText() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        for (String[] record : List.of(
                new String[] {"Consent/ex-acp", "Consent-advance-directive-example.json"},
                new String[] {"Communication/ex-q", "Communication-contact-form-question-example.json"},
                new String[] {"Communication/ex-a", "Communication-contact-form-answer-example.json"})) {
            JsonNode resource = mapper.readTree(example(record[1]));
            java.util.Map<String, Body> printed = sections(get(hub, "/" + record[0] + "/$pdf", doctor()));
            for (String expected : japaneseTexts(resource, "")) {
                assertThat(printed.values().stream().anyMatch(b -> b.shows(squeeze(expected))))
                        .as(record[1] + " prints 「" + expected + "」: " + all(printed))
                        .isTrue();
            }
            for (String english : englishDisplays(resource)) {
                assertThat(all(printed)).as(record[1] + ": English display").doesNotContain(english);
            }
        }
    }

    @Test
    void everyTypeTheDocumentProfilesAllowPrintsItsContentWithTheHubsJapaneseNames() throws IOException {
        String text = sections(get(hub, "/Bundle/every-type/$pdf", doctor()))
                .get("在宅療養の準備")
                .both()
                .toString();
        assertThat(text)
                .doesNotContain("（記載なし）")
                .contains("福祉用具・機器車いす（自走式）", "介護保険の福祉用具貸与")
                .contains("処方フロセミド錠20mg1回1錠1日1回朝食後")
                .contains("依頼訪問リハビリテーション", "週2回")
                .contains("計画退院後の在宅療養計画", "歩行訓練を継続")
                .contains("目標屋内を歩行器で自立して移動できる")
                .contains("検査血液検査", "腎機能は安定")
                .contains("文書画像診断報告書", "入院時の画像所見")
                .contains("医療機器在宅酸素（酸素濃縮装置）", "外出時は携帯用ボンベ")
                // the hub's own names for its codes rather than an English display or a bare code
                .contains("要介護度要介護2")
                .doesNotContain("Carelevel", "Long-termcarelevel");
    }

    @Test
    void aFhirClientAskingForJsonGetsTheBinaryResourceAndAPdfReaderGetsThePdf() throws IOException {
        HttpResponse<byte[]> asJson = get(hub, "/Bundle/sheet/$pdf", doctor(), "Accept", "application/fhir+json");
        assertThat(asJson.statusCode()).isEqualTo(200);
        org.hl7.fhir.r4.model.Binary binary = json.parseResource(
                org.hl7.fhir.r4.model.Binary.class, new String(asJson.body(), StandardCharsets.UTF_8));
        assertThat(binary.getContentType()).isEqualTo("application/pdf");
        assertThat(new String(binary.getData(), 0, 5, StandardCharsets.US_ASCII))
                .isEqualTo("%PDF-");
        assertThat(all(pages(get(hub, "/Bundle/sheet/$pdf", doctor(), "Accept", "application/pdf"))))
                .startsWith("緊急時連絡票");
    }

    @Test
    void theEmergencySheetPrints() throws IOException {
        String text = all(pages(get(hub, "/Bundle/sheet/$pdf", doctor())));
        assertThat(text)
                .startsWith("緊急時連絡票")
                .contains("山田花子", "ヤマダハナコ", "山田一郎（長男）", "080-9999-0000", "みちのく訪問看護ステーション", "在宅酸素療法", "心肺蘇生:希望しない");
    }

    @Test
    void aLongSectionContinuesOnTheNextPageUnderTheRepeatedHeader() throws IOException {
        List<String> pages = pages(get(hub, "/Bundle/long/$pdf", doctor()));
        assertThat(pages).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 1; i < pages.size(); i++) {
            assertThat(pages.get(i))
                    .startsWith("退院時情報提供書（続き）")
                    .contains("山田花子", "ヤマダハナコ", "昭和19年5月3日")
                    .contains("ページ" + (i + 1) + "/" + pages.size());
        }
        assertThat(pages.get(pages.size() - 1)).contains("■看護サマリー（詳細）（続き）");
        assertThat(all(pages)).contains("第1病日", "第60病日", "最終行の記載。");
    }

    @Test
    void theAdvanceDirectivePrintsTheTreatmentTableThePlaceAndTheProxy() throws IOException {
        String text = all(pages(get(hub, "/Consent/acp/$pdf", doctor())));
        assertThat(text)
                .startsWith("事前指示書（人生会議）")
                .contains("山田花子", "ヤマダハナコ", "昭和19年5月3日")
                .contains("治療希望", "心肺蘇生希望しない", "気管挿管・人工呼吸器希望しない", "胃ろう・経管栄養希望しない", "点滴（輸液）希望する")
                .contains("自宅（住み慣れた家で家族と過ごしたい）", "代理人山田美穂（長女）")
                .contains("意思表明日2026年10月15日14:00（令和8年10月15日）", "意思を表明した人山田花子");
    }

    @Test
    void theContactFormPrintsTheQuestionWithBlankAnswerBoxesOrWithTheAnswer() throws IOException {
        String question = all(pages(get(hub, "/Communication/q1/$pdf", doctor())));
        assertThat(question)
                .startsWith("主治医・ケアマネジャー連絡票")
                .contains("利用者山田花子", "返信希望日2026年10月27日（令和8年10月27日）")
                .contains("相談内容退院後、夜間のトイレ移動時にふらつき", "ケアプラン上の課題転倒の再発予防")
                .contains("■回答", "指示・意見", "留意事項", "主治医署名");
        String answer = all(pages(get(hub, "/Communication/a1/$pdf", doctor())));
        assertThat(answer)
                .contains("相談内容退院後、夜間のトイレ移動時にふらつき", "送信日時2026年10月20日10:30")
                .contains("回答者鈴木一郎医師", "指示・意見訪問リハビリ週2回に賛成します。", "留意事項起立性低血圧に注意");
    }

    @Test
    void whoMayNotReadTheRecordGetsNoPdfButExactlyWhatTheReadWouldAnswer() {
        // an outsider may read none of them (404); a pharmacist of the care team may read the discharge handoff
        // (it is sent to the pharmacy too) and the contact form, but not the advance directive (403)
        for (String token : List.of(outsider(), pharmacist())) {
            for (String record : List.of("Bundle/discharge", "Consent/acp", "Communication/q1")) {
                HttpResponse<byte[]> read = get(hub, "/" + record, token);
                HttpResponse<byte[]> pdf = get(hub, "/" + record + "/$pdf", token);
                assertThat(pdf.statusCode()).as(record).isEqualTo(read.statusCode());
                if (read.statusCode() != 200) {
                    assertThat(pdf.headers().firstValue("Content-Type").orElse(""))
                            .doesNotContain("pdf");
                    assertThat(diagnostics(pdf)).as(record).isEqualTo(diagnostics(read));
                }
            }
        }
        assertThat(get(hub, "/Bundle/discharge/$pdf", outsider()).statusCode()).isEqualTo(404);
        assertThat(get(hub, "/Consent/acp/$pdf", outsider()).statusCode()).isEqualTo(404);
        assertThat(get(hub, "/Bundle/discharge/$pdf", pharmacist()).statusCode())
                .isEqualTo(200);
        assertThat(get(hub, "/Consent/acp/$pdf", pharmacist()).statusCode()).isEqualTo(403);
        assertThat(get(hub, "/Bundle/discharge/$pdf", null).statusCode()).isEqualTo(401);
    }

    private String diagnostics(HttpResponse<byte[]> response) {
        return json.parseResource(OperationOutcome.class, new String(response.body(), StandardCharsets.UTF_8))
                .getIssueFirstRep()
                .getDiagnostics();
    }

    @Test
    void onlyDocumentsAndAdvanceDirectivesPrint() {
        HttpResponse<byte[]> collection = get(hub, "/Bundle/not-a-document/$pdf", doctor());
        assertThat(collection.statusCode()).isEqualTo(422);
        assertThat(diagnostics(collection)).contains("document");
        HttpResponse<byte[]> privacy = get(hub, "/Consent/share-pt/$pdf", doctor());
        assertThat(privacy.statusCode()).isEqualTo(422);
        assertThat(diagnostics(privacy)).contains("adr");
    }

    @Test
    void printingIsAuditedLikeAReadOfTheRecord() throws IOException {
        pages(get(hub, "/Consent/acp/$pdf", doctor()));
        Bundle events = json.parseResource(
                Bundle.class,
                new String(
                        get(hub, "/AuditEvent?patient=Patient/pt&_sort=-_lastUpdated&_count=500", hubAdmin())
                                .body(),
                        StandardCharsets.UTF_8));
        AuditEvent event = events.getEntry().stream()
                .map(e -> (AuditEvent) e.getResource())
                .filter(e -> e.getAgentFirstRep().getAltId().equals("dr.suzuki"))
                .filter(e -> e.getEntity().stream()
                        .anyMatch(
                                x -> "Consent/acp/_history/1".equals(x.getWhat().getReference())))
                .findFirst()
                .orElseThrow();
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.E);
        assertThat(event.getSubtype()).extracting(c -> c.getCode()).contains("extended-operation-instance");
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(event.getEntity())
                .extracting(x -> x.getWhat().getReference())
                .contains("Patient/pt");
    }

    @Test
    void withoutTheFontTheOperationAnswers503SayingWhatToInstall() throws IOException {
        // a hub of this test's own (docs/architecture.md §10): one whose font is missing
        try (HubInstance plain = new HubInstance(
                Files.createTempDirectory("renkei-pdf-nofont"), "renkei.print.font=/nonexistent/fonts/ipaexg.ttf")) {
            StoreFixtures.of(plain)
                    .write(List.of(new WriteRequest(
                            "Consent", "acp", PrintRecords.advanceDirective("pt"), null, "Organization/org-clinic")));
            HttpResponse<byte[]> response = get(plain, "/Consent/acp/$pdf", null);
            assertThat(response.statusCode()).isEqualTo(503);
            String diagnostics = diagnostics(response);
            assertThat(diagnostics)
                    .contains(
                            "/nonexistent/fonts/ipaexg.ttf",
                            "日本語フォント",
                            "Japanese font",
                            "fonts-ipaexfont-gothic",
                            "RENKEI_PRINT_FONT");
        }
    }
}
