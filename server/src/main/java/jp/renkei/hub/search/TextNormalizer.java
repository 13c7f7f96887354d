package jp.renkei.hub.search;

import java.text.Normalizer;

/**
 * Folds text so that string search matches the way Japanese users type names: full-width and
 * half-width forms are the same (NFKC), hiragana matches katakana, Latin case and accents are
 * ignored (FHIR string search is case- and accent-insensitive), runs of spaces count as one.
 * Dakuten and handakuten are kept: ガ is not カ.
 */
public final class TextNormalizer {

    private TextNormalizer() {}

    public static String normalize(String text) {
        if (text == null) {
            return "";
        }
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = Normalizer.normalize(s, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(s.length());
        boolean lastWasSpace = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '\u0300' && c <= '\u036F') {
                continue; // Latin combining accents only; Japanese voicing marks are U+3099/U+309A
            }
            if (Character.isWhitespace(c)) {
                if (!lastWasSpace) {
                    out.append(' ');
                }
                lastWasSpace = true;
                continue;
            }
            lastWasSpace = false;
            if ((c >= '\u3041' && c <= '\u3096') || c == '\u309D' || c == '\u309E') {
                c = (char) (c + 0x60); // hiragana (and its iteration marks ゝゞ) -> katakana
            }
            out.append(c);
        }
        int end = out.length();
        if (end > 0 && out.charAt(end - 1) == ' ') {
            out.setLength(end - 1);
        }
        return Normalizer.normalize(out.toString(), Normalizer.Form.NFC).toLowerCase(java.util.Locale.ROOT);
    }
}
