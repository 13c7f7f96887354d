package jp.renkei.hub.print;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Breaks Japanese text into lines of a given width, character by character, with basic 禁則処理:
 * no line starts with closing brackets, 、。 and other punctuation, small kana or the long vowel mark,
 * and no line ends with an opening bracket. The offending character is pushed out together with the
 * one before it (追い出し); when that is impossible a closing mark hangs over the edge (ぶら下げ).
 * Runs of Latin letters and digits (5mg, 120/80, mmHg) stay together unless longer than a line.
 * Line feeds in the text are kept as line breaks.
 */
final class LineBreaker {

    /** Characters that may not begin a line (行頭禁則). */
    static final String NO_START =
            "、。，．,.)）]］}｝」』】〕〉》〙〗’”・：；:;！？!?ー―‐～〜" + "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻ゝゞヽヾ%％";
    /** Characters that may not end a line (行末禁則). */
    static final String NO_END = "(（[［{｛「『【〔〈《〘〖‘“";

    private final ToDoubleFunction<String> width;

    /** {@code width} measures a piece of text in the unit of the line width (points). */
    public LineBreaker(ToDoubleFunction<String> width) {
        this.width = width;
    }

    public List<String> lines(String text, double maxWidth) {
        List<String> out = new ArrayList<>();
        for (String paragraph : (text == null ? "" : text).split("\r\n|\r|\n", -1)) {
            breakParagraph(paragraph, maxWidth, out);
        }
        return out;
    }

    private void breakParagraph(String paragraph, double maxWidth, List<String> out) {
        List<String> tokens = tokenize(paragraph);
        List<String> line = new ArrayList<>();
        double lineWidth = 0;
        boolean continuation = false;
        int i = 0;
        while (i < tokens.size()) {
            String token = tokens.get(i);
            if (line.isEmpty() && continuation && token.isBlank()) {
                i++;
                continue;
            }
            double w = width.applyAsDouble(token);
            if (lineWidth + w <= maxWidth) {
                line.add(token);
                lineWidth += w;
                i++;
                continue;
            }
            if (line.isEmpty()) {
                if (token.codePointCount(0, token.length()) > 1) {
                    tokens.remove(i);
                    tokens.addAll(
                            i, token.codePoints().mapToObj(Character::toString).toList());
                } else {
                    out.add(token);
                    continuation = true;
                    i++;
                }
                continue;
            }
            int keep = line.size();
            while (keep > 1 && violates(line, keep, token)) {
                keep--;
            }
            if (violates(line, keep, token)) {
                if (isNoStart(token)) {
                    line.add(token);
                    i++;
                }
                keep = line.size();
            }
            out.add(join(line.subList(0, keep)).stripTrailing());
            List<String> carried = new ArrayList<>(line.subList(keep, line.size()));
            line.clear();
            lineWidth = 0;
            for (String c : carried) {
                if (!(line.isEmpty() && c.isBlank())) {
                    line.add(c);
                    lineWidth += width.applyAsDouble(c);
                }
            }
            continuation = true;
        }
        if (!line.isEmpty() || !continuation) {
            out.add(join(line).stripTrailing());
        }
    }

    /** Whether breaking after the first {@code keep} tokens of the line breaks a 禁則 rule. */
    private static boolean violates(List<String> line, int keep, String next) {
        String startsNext = keep < line.size() ? line.get(keep) : next;
        return isNoStart(startsNext) || isNoEnd(line.get(keep - 1));
    }

    static boolean isNoStart(String token) {
        return !token.isEmpty() && NO_START.indexOf(token.codePointAt(0)) >= 0;
    }

    static boolean isNoEnd(String token) {
        return !token.isEmpty() && NO_END.indexOf(token.codePointBefore(token.length())) >= 0;
    }

    /** Single characters, except runs of ASCII letters, digits and the marks inside numbers and units. */
    static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int end = i + Character.charCount(cp);
            if (isWordChar(cp)) {
                while (end < text.length()
                        && (isWordChar(text.codePointAt(end))
                                || (isJoiner(text.charAt(end))
                                        && end + 1 < text.length()
                                        && isWordChar(text.codePointAt(end + 1))))) {
                    end++;
                }
            }
            String token = text.substring(i, end);
            tokens.add(token.equals("\t") ? " " : token);
            i = end;
        }
        return tokens;
    }

    private static boolean isWordChar(int cp) {
        return cp < 0x80 && Character.isLetterOrDigit(cp);
    }

    private static boolean isJoiner(char c) {
        return c == '.' || c == '/' || c == '-' || c == ',' || c == ':' || c == '%' || c == '\'';
    }

    private static String join(List<String> tokens) {
        return String.join("", tokens);
    }
}
