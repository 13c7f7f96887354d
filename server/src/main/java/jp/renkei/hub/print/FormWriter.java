package jp.renkei.hub.print;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.graphics.state.RenderingMode;

/**
 * Lays a {@link PrintForm} out on A4 portrait pages as the paper forms look: the title centred at the
 * top, the patient box (ふりがな, 氏名, 生年月日, 性別) under it, then each section as a ruled box with a
 * title band and rows of a shaded label column and a value column. Long values wrap by character with
 * 禁則 ({@link LineBreaker}) and continue on the next page, where the title, the patient box and the
 * section's title band (marked 続き) are repeated. Every page ends with the footer: 出力日時 in the hub's
 * zone, the hub's name and ページ x / y.
 */
final class FormWriter {

    static final PDRectangle PAGE = PDRectangle.A4;
    static final float MARGIN = 36f;
    static final float TOP = PAGE.getHeight() - MARGIN;
    static final float BOTTOM = 52f;
    static final float WIDTH = PAGE.getWidth() - 2 * MARGIN;
    static final float TITLE_SIZE = 16f;
    static final float TEXT_SIZE = 10f;
    static final float NAME_SIZE = 13f;
    static final float SECTION_SIZE = 11f;
    static final float FOOTER_SIZE = 8.5f;
    static final float LEADING = 1.45f;
    static final float PAD = 4f;
    static final float LABEL_WIDTH = 112f;
    static final String CONTINUED = "（続き）";

    private final FontLocator fonts;
    private final String hubName;
    private final ZoneId zone;

    public FormWriter(FontLocator fonts, String hubName, ZoneId zone) {
        this.fonts = fonts;
        this.hubName = hubName;
        this.zone = zone;
    }

    /** The PDF of the form; {@link FontUnavailable} when no Japanese font is installed. */
    public byte[] write(PrintForm form, Date printedAt) {
        FontLocator.JapaneseFont japanese = fonts.font();
        try (PDDocument document = new PDDocument()) {
            PDDocumentInformation info = document.getDocumentInformation();
            info.setTitle(form.title());
            info.setCreator(hubName);
            new Pages(document, japanese.load(document), form).write(printedAt);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One document being written: the current page and how far down it is filled. */
    private final class Pages {

        private final PDDocument document;
        private final PDType0Font font;
        private final PrintForm form;
        private final Map<Integer, Boolean> printable = new HashMap<>();
        private final LineBreaker breaker;
        private PDPageContentStream content;
        private float y;

        Pages(PDDocument document, PDType0Font font, PrintForm form) {
            this.document = document;
            this.font = font;
            this.form = form;
            this.breaker = new LineBreaker(text -> width(text, 1f));
        }

        void write(Date printedAt) throws IOException {
            newPage();
            for (PrintForm.Section section : form.sections()) {
                section(section);
            }
            content.close();
            footers(printedAt);
        }

        // ---- pages and the repeated header

        private void newPage() throws IOException {
            if (content != null) {
                content.close();
            }
            PDPage page = new PDPage(PAGE);
            document.addPage(page);
            content = new PDPageContentStream(document, page);
            y = TOP;
            boolean first = document.getNumberOfPages() == 1;
            String title = clean(form.title()) + (first ? "" : CONTINUED);
            float w = width(title, TITLE_SIZE);
            text(title, (PAGE.getWidth() - w) / 2, y - TITLE_SIZE, TITLE_SIZE, true);
            y -= TITLE_SIZE * 1.9f;
            patientBox();
            y -= 10f;
        }

        /** ふりがな | kana | 性別 | sex / 氏名 | name | 生年月日 | birth date, as a 4-column ruled box. */
        private void patientBox() throws IOException {
            PrintForm.PatientBox p = form.patient();
            float[] cols = {58f, 212f, 58f, WIDTH - 58f - 212f - 58f};
            row4(cols, new String[] {"ふりがな", p.kana(), "性別", p.sex()}, new float[] {
                TEXT_SIZE, TEXT_SIZE, TEXT_SIZE, TEXT_SIZE
            });
            row4(cols, new String[] {"氏名", p.name(), "生年月日", p.birthDate()}, new float[] {
                TEXT_SIZE, NAME_SIZE, TEXT_SIZE, TEXT_SIZE
            });
        }

        private void row4(float[] cols, String[] cells, float[] sizes) throws IOException {
            List<List<String>> wrapped = new ArrayList<>();
            float height = 0;
            for (int i = 0; i < cells.length; i++) {
                List<String> lines = wrap(cells[i], cols[i] - 2 * PAD, sizes[i]);
                wrapped.add(lines);
                height = Math.max(height, lines.size() * sizes[i] * LEADING + 2 * PAD);
            }
            float x = MARGIN;
            for (int i = 0; i < cells.length; i++) {
                boolean label = i % 2 == 0;
                box(x, y - height, cols[i], height, label ? 0.92f : -1f);
                float ty = y - PAD;
                for (String line : wrapped.get(i)) {
                    ty -= sizes[i] * LEADING;
                    text(line, x + PAD, ty + sizes[i] * (LEADING - 1f) * 0.8f, sizes[i], false);
                }
                x += cols[i];
            }
            y -= height;
        }

        // ---- sections

        private void section(PrintForm.Section section) throws IOException {
            float band = SECTION_SIZE * LEADING + 2 * PAD;
            float line = TEXT_SIZE * LEADING;
            float gap = 6f;
            if (y - gap - band - 2 * line - 2 * PAD < BOTTOM) {
                newPage();
            }
            y -= gap;
            band(section, false);
            for (PrintForm.Row row : section.rows()) {
                row(section, row);
            }
            if (section.rows().isEmpty()) {
                row(section, new PrintForm.Row("", "記載なし", 1));
            }
        }

        private void band(PrintForm.Section section, boolean continued) throws IOException {
            float height = SECTION_SIZE * LEADING + 2 * PAD;
            box(MARGIN, y - height, WIDTH, height, 0.82f);
            text(
                    "■ " + clean(section.title()) + (continued ? CONTINUED : ""),
                    MARGIN + PAD,
                    y - PAD - SECTION_SIZE * 1.1f,
                    SECTION_SIZE,
                    true);
            y -= height;
            if (section.labelHeading() != null) {
                float h = TEXT_SIZE * LEADING + 2 * PAD;
                box(MARGIN, y - h, LABEL_WIDTH, h, 0.9f);
                box(MARGIN + LABEL_WIDTH, y - h, WIDTH - LABEL_WIDTH, h, 0.9f);
                text(clean(section.labelHeading()), MARGIN + PAD, y - PAD - TEXT_SIZE * 1.1f, TEXT_SIZE, true);
                text(
                        clean(section.valueHeading()),
                        MARGIN + LABEL_WIDTH + PAD,
                        y - PAD - TEXT_SIZE * 1.1f,
                        TEXT_SIZE,
                        true);
                y -= h;
            }
        }

        /** A label/value row; split over pages line by line when it does not fit. */
        private void row(PrintForm.Section section, PrintForm.Row row) throws IOException {
            boolean spans = row.label() == null || row.label().isBlank();
            float valueX = spans ? MARGIN : MARGIN + LABEL_WIDTH;
            float valueWidth = spans ? WIDTH : WIDTH - LABEL_WIDTH;
            List<String> labels = spans ? List.of() : wrap(row.label(), LABEL_WIDTH - 2 * PAD, TEXT_SIZE);
            List<String> values = wrap(row.value(), valueWidth - 2 * PAD, TEXT_SIZE);
            float line = TEXT_SIZE * LEADING;
            int total = Math.max(Math.max(labels.size(), values.size()), row.minLines());
            int done = 0;
            while (done < total) {
                int fits = (int) Math.floor((y - BOTTOM - 2 * PAD) / line);
                if (fits < 1 || (fits < 2 && total - done > 1)) {
                    newPage();
                    band(section, true);
                    continue;
                }
                int n = Math.min(fits, total - done);
                float height = n * line + 2 * PAD;
                if (!spans) {
                    box(MARGIN, y - height, LABEL_WIDTH, height, 0.95f);
                }
                box(valueX, y - height, valueWidth, height, -1f);
                float ty = y - PAD;
                for (int i = 0; i < n; i++) {
                    ty -= line;
                    float baseline = ty + TEXT_SIZE * (LEADING - 1f) * 0.8f;
                    int index = done + i;
                    if (!spans) {
                        String label =
                                index < labels.size() ? labels.get(index) : (i == 0 && done > 0 ? CONTINUED : "");
                        text(label, MARGIN + PAD, baseline, TEXT_SIZE, false);
                    }
                    if (index < values.size()) {
                        text(values.get(index), valueX + PAD, baseline, TEXT_SIZE, false);
                    }
                }
                y -= height;
                done += n;
            }
        }

        // ---- footers, once the page count is known

        private void footers(Date printedAt) throws IOException {
            int count = document.getNumberOfPages();
            String left = "出力日時 " + JapaneseDates.dateTime(printedAt, zone).replaceAll("（.*）", "");
            for (int i = 0; i < count; i++) {
                PDPage page = document.getPage(i);
                try (PDPageContentStream footer =
                        new PDPageContentStream(document, page, PDPageContentStream.AppendMode.APPEND, true, true)) {
                    content = footer;
                    float base = BOTTOM - 22f;
                    footer.setLineWidth(0.5f);
                    footer.moveTo(MARGIN, BOTTOM - 8f);
                    footer.lineTo(MARGIN + WIDTH, BOTTOM - 8f);
                    footer.stroke();
                    text(clean(left), MARGIN, base, FOOTER_SIZE, false);
                    String hub = clean(hubName);
                    text(hub, (PAGE.getWidth() - width(hub, FOOTER_SIZE)) / 2, base, FOOTER_SIZE, false);
                    String number = "ページ " + (i + 1) + " / " + count;
                    text(number, MARGIN + WIDTH - width(number, FOOTER_SIZE), base, FOOTER_SIZE, false);
                }
            }
        }

        // ---- drawing primitives

        /** A ruled rectangle; {@code gray} in [0,1] fills it first, negative leaves it white. */
        private void box(float x, float bottom, float w, float h, float gray) throws IOException {
            if (gray >= 0) {
                content.setNonStrokingColor(gray);
                content.addRect(x, bottom, w, h);
                content.fill();
                content.setNonStrokingColor(0f);
            }
            content.setLineWidth(0.6f);
            content.addRect(x, bottom, w, h);
            content.stroke();
        }

        private void text(String text, float x, float baseline, float size, boolean bold) throws IOException {
            if (text == null || text.isEmpty()) {
                return;
            }
            content.beginText();
            content.setFont(font, size);
            if (bold) {
                // a fake bold, as one font is embedded: fill and stroke the glyph outlines
                content.setRenderingMode(RenderingMode.FILL_STROKE);
                content.setLineWidth(size / 30f);
            }
            content.newLineAtOffset(x, baseline);
            content.showText(text);
            if (bold) {
                content.setRenderingMode(RenderingMode.FILL);
            }
            content.endText();
        }

        private List<String> wrap(String text, float width, float size) {
            return breaker.lines(clean(text), width / size);
        }

        /** Width of already cleaned text at a size. */
        private float width(String text, float size) {
            try {
                return font.getStringWidth(text) / 1000f * size;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The text with characters the font cannot show replaced by 〓 (ゲタ), and controls by spaces. */
        private String clean(String text) {
            if (text == null) {
                return "";
            }
            StringBuilder out = new StringBuilder(text.length());
            text.codePoints().forEach(cp -> {
                if (cp == '\n') {
                    out.append('\n');
                } else if (Character.isISOControl(cp) || (Character.isWhitespace(cp) && cp != '　')) {
                    out.append(' ');
                } else if (printable.computeIfAbsent(cp, this::hasGlyph)) {
                    out.appendCodePoint(cp);
                } else {
                    out.append('〓');
                }
            });
            return out.toString();
        }

        private boolean hasGlyph(int codePoint) {
            try {
                font.encode(Character.toString(codePoint));
                return true;
            } catch (IllegalArgumentException | IOException e) {
                return false;
            }
        }
    }
}
