package jp.renkei.hub.print;

import java.util.ArrayList;
import java.util.List;

/**
 * What one printed form says, before layout: its title, the patient box repeated on every page, and
 * its sections of label/value rows. Renderers build it from FHIR resources; {@link FormWriter} lays
 * it out, so a new section or row type needs no layout code.
 *
 * @param title    the form's name as on the paper form (退院時情報提供書)
 * @param patient  the header box
 * @param sections in print order
 * @param fileStem ASCII stem of the download file name (discharge-summary)
 */
record PrintForm(String title, PatientBox patient, List<Section> sections, String fileStem) {

    /** The patient header: name in kanji and kana, birth date (with 和暦) and sex (男/女). */
    public record PatientBox(String name, String kana, String birthDate, String sex) {}

    /**
     * A ruled box with its title band. {@code headings} (both null for none) head the label and value
     * columns, e.g. 治療 | 希望.
     */
    public record Section(String title, String labelHeading, String valueHeading, List<Row> rows) {

        public Section(String title) {
            this(title, null, null, new ArrayList<>());
        }

        public Section(String title, String labelHeading, String valueHeading) {
            this(title, labelHeading, valueHeading, new ArrayList<>());
        }

        /** Adds a row unless the value is empty. */
        public Section add(String label, String value) {
            if (value != null && !value.isBlank()) {
                rows.add(new Row(label, value.strip(), 1));
            }
            return this;
        }

        /** Adds a row that is left blank on paper for a handwritten answer, {@code lines} lines high. */
        public Section blank(String label, int lines) {
            rows.add(new Row(label, "", lines));
            return this;
        }
    }

    /** One line of a section: label column (may be empty: the value spans the box) and value column. */
    public record Row(String label, String value, int minLines) {}
}
