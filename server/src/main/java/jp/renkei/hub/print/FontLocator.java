package jp.renkei.hub.print;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.fontbox.ttf.TrueTypeCollection;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Japanese font the forms are printed in: the file configured as {@code renkei.print.font}
 * (RENKEI_PRINT_FONT), or else the first usable of IPAex Gothic (Debian fonts-ipaexfont-gothic) and Noto
 * Sans CJK (fonts-noto-cjk). A candidate is used only after a trial embedding succeeds (PDFBox embeds
 * TrueType outlines; a CFF-outline OpenType font is reported as unusable). The found font is kept in
 * memory; while none is found, every print request looks again, so installing the font needs no restart.
 */
final class FontLocator {

    /** Debian bookworm paths, in order of preference. */
    static final List<Path> DEFAULTS = List.of(
            Path.of("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
            Path.of("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf"),
            Path.of("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            Path.of("/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf"));

    static final String INSTALL_HINT = "apt-get install fonts-ipaexfont-gothic";
    private static final Logger log = LoggerFactory.getLogger(FontLocator.class);

    private final List<Path> candidates;
    private final boolean configured;
    private volatile JapaneseFont found;

    /** {@code configuredPath} blank: the defaults. */
    public FontLocator(String configuredPath) {
        this.configured = configuredPath != null && !configuredPath.isBlank();
        this.candidates = configured ? List.of(Path.of(configuredPath.strip())) : DEFAULTS;
    }

    /** The font to print with; {@link FontUnavailable} (503) when there is none. */
    public JapaneseFont font() {
        JapaneseFont font = found;
        if (font != null) {
            return font;
        }
        synchronized (this) {
            if (found == null) {
                found = locate();
            }
            return found;
        }
    }

    private JapaneseFont locate() {
        List<String> problems = new ArrayList<>();
        for (Path path : candidates) {
            if (!Files.isRegularFile(path)) {
                problems.add(path + " (なし / not found)");
                continue;
            }
            try {
                JapaneseFont font = new JapaneseFont(path, Files.readAllBytes(path));
                font.trial();
                log.info("Printing with the font {}", path);
                return font;
            } catch (IOException | RuntimeException e) {
                problems.add(path + " (使用できません / unusable: " + e.getMessage() + ")");
            }
        }
        String where = configured ? "renkei.print.font (RENKEI_PRINT_FONT)" : "既定の場所 (default locations)";
        throw new FontUnavailable("PDFを作成できません。日本語フォントが見つかりません: " + String.join(", ", problems)
                + "。" + where + " を確認するか、" + INSTALL_HINT + " でIPAexゴシックをインストールしてください。"
                + " (Cannot create the PDF: no usable Japanese font at " + String.join(", ", problems) + ". Check "
                + where
                + ", or install IPAex Gothic with '" + INSTALL_HINT + "' (Debian/Ubuntu), or set RENKEI_PRINT_FONT to a"
                + " TrueType font file with Japanese glyphs.)");
    }

    /** A font file read once; each document embeds its own subset. */
    public static final class JapaneseFont {

        private final Path path;
        private final byte[] data;

        JapaneseFont(Path path, byte[] data) {
            this.path = path;
            this.data = data;
        }

        public Path path() {
            return path;
        }

        /** Loads the font into a document, embedding only the glyphs the document uses. */
        public PDType0Font load(PDDocument document) throws IOException {
            if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".ttc")) {
                TrueTypeCollection collection = new TrueTypeCollection(new java.io.ByteArrayInputStream(data));
                TrueTypeFont[] chosen = new TrueTypeFont[1];
                collection.processAllFonts(ttf -> {
                    String name = ttf.getName();
                    if (chosen[0] == null || (name != null && name.contains("JP"))) {
                        chosen[0] = ttf;
                    }
                });
                if (chosen[0] == null) {
                    throw new IOException("empty font collection");
                }
                return PDType0Font.load(document, chosen[0], true);
            }
            return PDType0Font.load(document, new java.io.ByteArrayInputStream(data), true);
        }

        /** Embeds a few Japanese characters into a throw-away document, so an unusable file is found now. */
        void trial() throws IOException {
            try (PDDocument document = new PDDocument()) {
                PDPage page = new PDPage();
                document.addPage(page);
                PDType0Font font = load(document);
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.beginText();
                    content.setFont(font, 10);
                    content.showText("山田花子　やまだ　ヤマダ");
                    content.endText();
                }
                document.save(OutputStream.nullOutputStream());
            }
        }
    }
}
