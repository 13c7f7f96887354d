package jp.renkei.hub.print;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Line breaking by character with 禁則, measured here as one unit per character. */
class LineBreakerTest {

    private final LineBreaker breaker = new LineBreaker(String::length);

    @Test
    void japaneseTextBreaksAnywhereBetweenCharacters() {
        assertThat(breaker.lines("退院後は自宅で訪問看護を受ける", 5)).containsExactly("退院後は自", "宅で訪問看", "護を受ける");
    }

    @Test
    void noLineStartsWithPunctuationOrAClosingBracket() {
        // 。 would start the second line: the character before it goes down with it (追い出し)
        assertThat(breaker.lines("歩行器で歩行。夜間は", 6)).containsExactly("歩行器で歩", "行。夜間は");
        assertThat(breaker.lines("食事は（全粥）です", 6)).containsExactly("食事は（全", "粥）です");
        List<String> lines = breaker.lines("服薬は「朝・夕」、家族が管理している。状態は安定している。", 7);
        assertThat(lines)
                .allSatisfy(line -> assertThat(LineBreaker.isNoStart(line.substring(0, 1)))
                        .as(line)
                        .isFalse());
        assertThat(String.join("", lines)).isEqualTo("服薬は「朝・夕」、家族が管理している。状態は安定している。");
    }

    @Test
    void smallKanaAndTheLongVowelMarkDoNotStartALine() {
        assertThat(breaker.lines("ケアマネジャー", 6)).containsExactly("ケアマネ", "ジャー");
        assertThat(breaker.lines("リハビリテーション", 8))
                .allSatisfy(l ->
                        assertThat(LineBreaker.isNoStart(l.substring(0, 1))).isFalse());
    }

    @Test
    void noLineEndsWithAnOpeningBracket() {
        assertThat(breaker.lines("あいう「えお」", 4)).containsExactly("あいう", "「えお」");
    }

    @Test
    void whenPushingOutIsImpossibleTheMarkHangs() {
        assertThat(breaker.lines("あ。", 1)).containsExactly("あ。");
    }

    @Test
    void latinWordsAndNumbersStayTogether() {
        assertThat(breaker.lines("アムロジピン錠5mg 1日1回", 8)).containsExactly("アムロジピン錠", "5mg 1日1回");
        assertThat(breaker.lines("血圧120/80mmHg", 6)).containsExactly("血圧", "120/80mmHg".substring(0, 6), "mmHg");
    }

    @Test
    void lineFeedsAreKeptAndEmptyTextIsOneEmptyLine() {
        assertThat(breaker.lines("一行目\n二行目", 10)).containsExactly("一行目", "二行目");
        assertThat(breaker.lines("", 10)).containsExactly("");
    }
}
