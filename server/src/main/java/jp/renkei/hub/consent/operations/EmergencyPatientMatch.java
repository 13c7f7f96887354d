package jp.renkei.hub.consent.operations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import jp.renkei.hub.search.TextNormalizer;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.StoredResource;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;

/**
 * The patients an emergency caller names, for a break-glass declaration by name: the full name as written in kanji or
 * its kana reading (folded as the name search folds it, spaces ignored) and the exact birth date, optionally narrowed
 * by part of the address or the phone number. The birth date is compared as written (a day, not an instant in some
 * zone). Only the hub looks at the candidates; the caller learns nothing but whether exactly one matched.
 */
final class EmergencyPatientMatch {

    private final SearchExecutor searches;
    private final Records records;

    EmergencyPatientMatch(SearchExecutor searches, Records records) {
        this.searches = searches;
        this.records = records;
    }

    /** Ids of the current patients with this full name and birth date ({@code YYYY-MM-DD}), and address part and phone when given. */
    List<String> find(String name, String birthDate, String address, String phone) {
        String wanted = folded(name);
        String wantedAddress = address == null || address.isBlank() ? null : folded(address);
        String wantedPhone = phone == null || phone.isBlank() ? null : digits(phone);
        List<String> ids = new ArrayList<>();
        if (wanted.isEmpty()) {
            return ids;
        }
        // the name search's candidates (its index holds each name written with and without the space), then exactly
        Map<String, StoredResource> candidates = new LinkedHashMap<>();
        for (String typed : new LinkedHashSet<>(List.of(name.trim(), wanted))) {
            // escaped: a comma or dollar sign typed by the crew is part of the name, not search syntax (no full name
            // has one)
            String value = typed.replace(",", "\\,").replace("$", "\\$");
            searches.currentWhere("Patient", "name", value, true).forEach(r -> candidates.putIfAbsent(r.id(), r));
        }
        for (StoredResource stored : candidates.values()) {
            Patient patient = records.resource(stored, Patient.class);
            if (birthDate.equals(patient.getBirthDateElement().getValueAsString())
                    && patient.getName().stream().anyMatch(n -> fullNames(n).contains(wanted))
                    && (wantedAddress == null
                            || patient.getAddress().stream()
                                    .anyMatch(a -> folded(addressText(a)).contains(wantedAddress)))
                    && (wantedPhone == null
                            || patient.getTelecom().stream()
                                    .anyMatch(t -> t.getSystem() == ContactPoint.ContactPointSystem.PHONE
                                            && wantedPhone.equals(digits(t.getValue()))))) {
                ids.add(stored.id());
            }
        }
        return ids;
    }

    /** A name as written (text) and as family followed by the given names: 山田花子, ヤマダハナコ. */
    private static List<String> fullNames(HumanName name) {
        List<String> out = new ArrayList<>();
        if (name.hasText()) {
            out.add(folded(name.getText()));
        }
        if (name.hasFamily() && name.hasGiven()) {
            out.add(folded(name.getFamily() + name.getGivenAsSingleString()));
        }
        return out;
    }

    private static String addressText(Address address) {
        StringBuilder text = new StringBuilder();
        for (String part : List.of(
                address.hasText() ? address.getText() : "",
                address.hasPostalCode() ? address.getPostalCode() : "",
                address.hasState() ? address.getState() : "",
                address.hasCity() ? address.getCity() : "",
                address.hasDistrict() ? address.getDistrict() : "")) {
            text.append(part).append(' ');
        }
        address.getLine().stream()
                .map(StringType::getValue)
                .forEach(line -> text.append(line).append(' '));
        return text.toString();
    }

    /** Folded as the name search folds text, without any space: a full name is the same typed with or without one. */
    private static String folded(String text) {
        return TextNormalizer.normalize(text).replace(" ", "");
    }

    private static String digits(String text) {
        return text == null
                ? ""
                : java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC)
                        .replaceAll("[^0-9]", "");
    }
}
