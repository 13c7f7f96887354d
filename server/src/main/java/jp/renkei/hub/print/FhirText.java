package jp.renkei.hub.print;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Type;
import org.hl7.fhir.utilities.xhtml.NodeType;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;

/** FHIR data types as the words printed on a form. */
final class FhirText {

    static final String REPRESENTATION = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";

    private FhirText() {}

    /**
     * The text of a concept, else its codings' names in Japanese (a Japanese display, or the hub's own name
     * for the code), else their displays, else their codes.
     */
    static String concept(CodeableConcept concept) {
        if (concept == null || concept.isEmpty()) {
            return "";
        }
        if (concept.hasText()) {
            return concept.getText();
        }
        List<String> japanese = concept.getCoding().stream()
                .map(FhirText::japaneseName)
                .filter(Objects::nonNull)
                .distinct()
                .toList();
        if (!japanese.isEmpty()) {
            return String.join("・", japanese);
        }
        List<String> displays = concept.getCoding().stream()
                .filter(Coding::hasDisplay)
                .map(Coding::getDisplay)
                .distinct()
                .toList();
        if (!displays.isEmpty()) {
            return String.join("・", displays);
        }
        return concept.getCoding().stream()
                .map(Coding::getCode)
                .filter(Objects::nonNull)
                .collect(Collectors.joining("・"));
    }

    /** A coding's display when it is Japanese, else the hub's name for the code, else null. */
    private static String japaneseName(Coding coding) {
        if (coding.hasDisplay() && isJapanese(coding.getDisplay())) {
            return coding.getDisplay();
        }
        return HubDisplays.display(coding.getSystem(), coding.getCode());
    }

    /** Whether the text has kanji or kana: what this form prints in preference to English. */
    private static boolean isJapanese(String text) {
        return text != null
                && text.codePoints().anyMatch(cp -> {
                    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
                    return script == Character.UnicodeScript.HAN
                            || script == Character.UnicodeScript.HIRAGANA
                            || script == Character.UnicodeScript.KATAKANA;
                });
    }

    static String concepts(List<CodeableConcept> concepts) {
        return concepts.stream()
                .map(FhirText::concept)
                .filter(s -> !s.isBlank())
                .collect(Collectors.joining("、"));
    }

    static String coding(Coding coding) {
        if (coding == null) {
            return "";
        }
        String japanese = japaneseName(coding);
        return japanese != null
                ? japanese
                : coding.hasDisplay() ? coding.getDisplay() : Objects.toString(coding.getCode(), "");
    }

    /** The notes' texts, one per line. */
    static String notes(List<Annotation> notes) {
        return notes.stream()
                .filter(n -> n.hasText())
                .map(n -> n.getText().strip())
                .collect(Collectors.joining("\n"));
    }

    /** The addresses' texts (else their lines and city), for a contact's 住所. */
    static String addresses(List<Address> addresses) {
        return addresses.stream()
                .map(a -> a.hasText()
                        ? a.getText()
                        : String.join(
                                "",
                                Objects.toString(a.getState(), ""),
                                Objects.toString(a.getCity(), ""),
                                a.getLine().stream().map(l -> l.getValue()).collect(Collectors.joining(""))))
                .filter(s -> !s.isBlank())
                .collect(Collectors.joining("、"));
    }

    /** 山田　花子 from family and given names, else the name's text. */
    static String name(HumanName name) {
        if (name == null) {
            return "";
        }
        if (name.hasFamily() || name.hasGiven()) {
            List<String> parts = new ArrayList<>();
            if (name.hasFamily()) {
                parts.add(name.getFamily());
            }
            name.getGiven().forEach(g -> parts.add(g.getValue()));
            return String.join("　", parts);
        }
        return Objects.toString(name.getText(), "");
    }

    /** The written name (kanji): marked IDE, else the first name not marked as a reading (SYL) or romaji (ABC). */
    static String kanjiName(List<HumanName> names) {
        for (HumanName n : names) {
            if ("IDE".equals(representation(n))) {
                return name(n);
            }
        }
        for (HumanName n : names) {
            if (representation(n) == null) {
                return name(n);
            }
        }
        return names.isEmpty() ? "" : name(names.get(0));
    }

    /** The reading (kana): the name marked SYL. */
    static String kanaName(List<HumanName> names) {
        return names.stream()
                .filter(n -> "SYL".equals(representation(n)))
                .findFirst()
                .map(FhirText::name)
                .orElse("");
    }

    private static String representation(HumanName name) {
        Extension e = name.getExtensionByUrl(REPRESENTATION);
        return e == null || e.getValue() == null ? null : e.getValue().primitiveValue();
    }

    static String sex(Enumerations.AdministrativeGender gender) {
        if (gender == null) {
            return "";
        }
        return switch (gender) {
            case MALE -> "男";
            case FEMALE -> "女";
            case OTHER -> "その他";
            case UNKNOWN -> "不明";
            default -> "";
        };
    }

    /** The patient box from a Patient, or only the given name text when the Patient cannot be shown. */
    static PrintForm.PatientBox patientBox(Patient patient, String fallbackName, ZoneId zone) {
        if (patient == null) {
            return new PrintForm.PatientBox(Objects.toString(fallbackName, ""), "", "", "");
        }
        return new PrintForm.PatientBox(
                kanjiName(patient.getName()),
                kanaName(patient.getName()),
                patient.hasBirthDateElement() ? JapaneseDates.date(patient.getBirthDateElement(), zone) : "",
                sex(patient.getGender()));
    }

    static String phones(List<ContactPoint> telecom) {
        return telecom.stream()
                .filter(t -> t.getSystem() == ContactPoint.ContactPointSystem.PHONE && t.hasValue())
                .map(t -> t.getValue() + (t.hasUse() ? "（" + phoneUse(t.getUse()) + "）" : ""))
                .collect(Collectors.joining("、"));
    }

    private static String phoneUse(ContactPoint.ContactPointUse use) {
        return switch (use) {
            case HOME -> "自宅";
            case WORK -> "勤務先";
            case MOBILE -> "携帯";
            case TEMP -> "一時";
            default -> use.getDisplay();
        };
    }

    static String quantity(Quantity q) {
        if (q == null || !q.hasValue()) {
            return "";
        }
        String unit = q.hasUnit() ? q.getUnit() : Objects.toString(q.getCode(), "");
        return q.getValue().stripTrailingZeros().toPlainString() + (unit.isEmpty() ? "" : " " + unit);
    }

    static String period(Period period, ZoneId zone) {
        if (period == null || period.isEmpty()) {
            return "";
        }
        String start = period.hasStart() ? JapaneseDates.dateTime(period.getStartElement(), zone) : "";
        String end = period.hasEnd() ? JapaneseDates.dateTime(period.getEndElement(), zone) : "";
        return start + "〜" + end;
    }

    /** A choice value (value[x], onset[x]) as text. */
    static String value(Type value, ZoneId zone) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        if (value instanceof Quantity q) {
            return quantity(q);
        }
        if (value instanceof CodeableConcept c) {
            return concept(c);
        }
        if (value instanceof Coding c) {
            return coding(c);
        }
        if (value instanceof Period p) {
            return period(p, zone);
        }
        if (value instanceof org.hl7.fhir.r4.model.BaseDateTimeType d) {
            return JapaneseDates.dateTime(d, zone);
        }
        if (value instanceof org.hl7.fhir.r4.model.BooleanType b) {
            return b.booleanValue() ? "あり" : "なし";
        }
        if (value instanceof Reference r) {
            return Objects.toString(r.getDisplay(), "");
        }
        if (value instanceof org.hl7.fhir.r4.model.Age a) {
            return quantity(a);
        }
        return value.isPrimitive() ? Objects.toString(value.primitiveValue(), "") : "";
    }

    /** Narrative XHTML as plain text: blocks and line breaks become lines, list items start with ・. */
    static String narrative(XhtmlNode div) {
        if (div == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        walk(div, out);
        return out.toString()
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .collect(Collectors.joining("\n"));
    }

    private static void walk(XhtmlNode node, StringBuilder out) {
        if (node.getNodeType() == NodeType.Text) {
            out.append(node.getContent() == null ? "" : node.getContent().replaceAll("\\s+", " "));
            return;
        }
        if (node.getNodeType() != NodeType.Element && node.getNodeType() != NodeType.Document) {
            return;
        }
        String name = node.getName() == null ? "" : node.getName().toLowerCase(java.util.Locale.ROOT);
        switch (name) {
            case "br" -> out.append('\n');
            case "li" -> out.append("\n・");
            case "td", "th" -> out.append('　');
            case "p", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "dt", "dd" ->
                out.append('\n');
            default -> {}
        }
        for (XhtmlNode child : node.getChildNodes()) {
            walk(child, out);
        }
        if (name.matches("p|div|tr|h[1-6]|li|table|dd")) {
            out.append('\n');
        }
    }
}
