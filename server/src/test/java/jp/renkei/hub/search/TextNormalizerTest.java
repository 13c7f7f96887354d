package jp.renkei.hub.search;

import static jp.renkei.hub.search.TextNormalizer.normalize;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The folding that string search relies on: what users type and what is stored must meet in the
 * same normalised form. Expected values are written with escapes where the visible glyph would be
 * ambiguous (half-width forms, combining marks, unusual spaces).
 */
class TextNormalizerTest {

    // ---- width folding -------------------------------------------------------------------------

    @Test
    void fullWidthAsciiBecomesHalfWidthAndLowerCase() {
        assertThat(normalize("ＹＡＭＡＤＡ")).isEqualTo("yamada");
        assertThat(normalize("ｙａｍａｄａ　ｔａｒｏ")).isEqualTo("yamada taro");
        assertThat(normalize("０９０－１２３４－５６７８")).isEqualTo("090-1234-5678");
        assertThat(normalize("〒１５８－００９４")).isEqualTo("〒158-0094");
        assertThat(normalize("玉川１丁目２番３号")).isEqualTo("玉川1丁目2番3号");
    }

    @Test
    void halfWidthAsciiIsUnchangedApartFromCase() {
        assertThat(normalize("yamada-taro_01@example.jp")).isEqualTo("yamada-taro_01@example.jp");
        assertThat(normalize("158-0094")).isEqualTo("158-0094");
    }

    @Test
    void halfWidthKatakanaBecomesFullWidth() {
        assertThat(normalize("ﾔﾏﾀﾞ")).isEqualTo("ヤマダ");
        assertThat(normalize("ﾀﾛｳ")).isEqualTo("タロウ");
        assertThat(normalize("ｽｽﾞｷ ｲﾁﾛｳ")).isEqualTo("スズキ イチロウ");
        assertThat(normalize("ｻｰﾋﾞｽ")).isEqualTo("サービス"); // long vowel mark U+FF70 -> U+30FC
        assertThat(normalize("ｧｨｩｪｫｯｬｭｮ")).isEqualTo("ァィゥェォッャュョ"); // small kana stay small
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "ｶﾞ, ガ", "ｷﾞ, ギ", "ｸﾞ, グ", "ｹﾞ, ゲ", "ｺﾞ, ゴ",
        "ｻﾞ, ザ", "ｼﾞ, ジ", "ﾀﾞ, ダ", "ﾃﾞ, デ", "ﾄﾞ, ド",
        "ﾊﾞ, バ", "ﾋﾞ, ビ", "ﾌﾞ, ブ", "ﾍﾞ, ベ", "ﾎﾞ, ボ",
        "ﾊﾟ, パ", "ﾋﾟ, ピ", "ﾌﾟ, プ", "ﾍﾟ, ペ", "ﾎﾟ, ポ",
        "ｳﾞ, ヴ"
    })
    void halfWidthVoicedAndSemiVoicedMarksComposeWithTheirKana(String halfWidth, String fullWidth) {
        assertThat(normalize(halfWidth)).isEqualTo(fullWidth).hasSize(1);
    }

    @Test
    void halfWidthAndFullWidthSpellingsMeet() {
        assertThat(normalize("ﾔﾏﾀﾞ ﾀﾛｳ")).isEqualTo(normalize("ヤマダ　タロウ"));
        assertThat(normalize("ﾔﾏﾀﾞ ﾀﾛｳ")).isEqualTo(normalize("やまだ たろう"));
    }

    // ---- kana folding --------------------------------------------------------------------------

    @Test
    void hiraganaBecomesKatakana() {
        assertThat(normalize("やまだ たろう")).isEqualTo("ヤマダ タロウ");
        assertThat(normalize("すずき いちろう")).isEqualTo("スズキ イチロウ");
        assertThat(normalize("さとう はなこ")).isEqualTo("サトウ ハナコ");
    }

    @Test
    void everyHiraganaOfTheFoldedRangeMapsToItsKatakana() {
        // U+3041..U+3096 (ぁ..ゖ) are folded one to one onto U+30A1..U+30F6 (ァ..ヶ)
        for (char c = '\u3041'; c <= '\u3096'; c++) {
            String folded = normalize(String.valueOf(c));
            assertThat(folded).as("U+%04X", (int) c).isEqualTo(String.valueOf((char) (c + 0x60)));
        }
    }

    @Test
    void hiraganaIterationMarksBecomeTheKatakanaOnes() {
        // ゝ (U+309D) and ゞ (U+309E) lie outside U+3041..U+3096 but fold like the kana they repeat
        assertThat(normalize("\u309D")).isEqualTo("\u30FD");
        assertThat(normalize("\u309E")).isEqualTo("\u30FE").hasSize(1);
        assertThat(normalize("いすゞ")).isEqualTo(normalize("イスヾ")).isEqualTo("イスヾ");
        assertThat(normalize("みすゞ")).isEqualTo(normalize("ミスヾ"));
        assertThat(normalize("こゝろ")).isEqualTo(normalize("コヽロ")).isEqualTo("コヽロ");
        assertThat(normalize("ｲｽヾ")).isEqualTo(normalize("いすゞ"));
        assertThat(normalize("いすゞ")).isNotEqualTo(normalize("いすゝ")); // the voiced mark still counts
    }

    @Test
    void voicedHiraganaKeepsItsMark() {
        assertThat(normalize("がぎぐげご")).isEqualTo("ガギグゲゴ");
        assertThat(normalize("ぱぴぷぺぽ")).isEqualTo("パピプペポ");
        assertThat(normalize("ゔ")).isEqualTo("ヴ");
    }

    @Test
    void katakanaIsUnchanged() {
        assertThat(normalize("ヤマダ タロウ")).isEqualTo("ヤマダ タロウ");
        assertThat(normalize("ヴァイオリン")).isEqualTo("ヴァイオリン");
    }

    @Test
    void dakutenAndHandakutenAreSignificant() {
        assertThat(normalize("ガ")).isNotEqualTo(normalize("カ"));
        assertThat(normalize("が")).isNotEqualTo(normalize("か"));
        assertThat(normalize("ﾀﾞ")).isNotEqualTo(normalize("ﾀ"));
        assertThat(normalize("バ")).isNotEqualTo(normalize("パ"));
        assertThat(normalize("パ")).isNotEqualTo(normalize("ハ"));
        assertThat(normalize("ヤマダ")).doesNotStartWith(normalize("ヤマタ")); // prefix search must not cross the mark
    }

    @Test
    void decomposedKanaWithCombiningVoicedMarkIsComposed() {
        // か + U+3099 (combining voiced mark), as macOS file names and some IMEs produce
        assertThat(normalize("\u304B\u3099")).isEqualTo("ガ");
        assertThat(normalize("\u30CF\u309A")).isEqualTo("パ");
        assertThat(normalize("\u30E4\u30DE\u30BF\u3099")).isEqualTo("ヤマダ");
    }

    // ---- case and accents ----------------------------------------------------------------------

    @Test
    void latinCaseIsFolded() {
        assertThat(normalize("YAMADA Taro")).isEqualTo("yamada taro");
        assertThat(normalize("McDonald")).isEqualTo("mcdonald");
    }

    @Test
    void latinAccentsAreRemovedWhetherPrecomposedOrCombining() {
        assertThat(normalize("Café")).isEqualTo("cafe");
        assertThat(normalize("Cafe\u0301")).isEqualTo("cafe");
        assertThat(normalize("Müller")).isEqualTo("muller");
        assertThat(normalize("Mu\u0308ller")).isEqualTo("muller");
        assertThat(normalize("José Ñúñez")).isEqualTo("jose nunez");
        assertThat(normalize("Ryōta Ōno")).isEqualTo("ryota ono"); // Hepburn macrons
    }

    @Test
    void onlyLatinCombiningMarksAreDropped() {
        // U+0300..U+036F are dropped; the Japanese voicing marks U+3099/U+309A are not
        assertThat(normalize("a\u0300\u0301\u0302\u0303\u0308\u036F")).isEqualTo("a");
        assertThat(normalize("\u30BF\u3099")).isEqualTo("ダ");
    }

    // ---- spaces --------------------------------------------------------------------------------

    @Test
    void ideographicSpaceBecomesAnOrdinarySpace() {
        assertThat(normalize("山田\u3000太郎")).isEqualTo("山田 太郎");
        assertThat(normalize("ヤマダ\u3000タロウ")).isEqualTo("ヤマダ タロウ");
    }

    @Test
    void runsOfMixedSpacesCollapseToOne() {
        assertThat(normalize("山田  太郎")).isEqualTo("山田 太郎");
        assertThat(normalize("山田 \u3000 \u3000太郎")).isEqualTo("山田 太郎");
        assertThat(normalize("山田\t\n太郎")).isEqualTo("山田 太郎");
        assertThat(normalize("山田\u00A0太郎")).isEqualTo("山田 太郎"); // no-break space (NFKC -> U+0020)
        assertThat(normalize("a \t\u3000\r\n b")).isEqualTo("a b");
    }

    @Test
    void leadingAndTrailingSpacesAreRemoved() {
        assertThat(normalize("  山田 太郎  ")).isEqualTo("山田 太郎");
        assertThat(normalize("\u3000山田太郎\u3000")).isEqualTo("山田太郎");
        assertThat(normalize("\t yamada \n")).isEqualTo("yamada");
    }

    @Test
    void aNameWithoutSpaceStaysWithoutSpace() {
        assertThat(normalize("山田太郎")).isEqualTo("山田太郎");
    }

    // ---- kanji ---------------------------------------------------------------------------------

    @Test
    void kanjiAreUnchanged() {
        assertThat(normalize("山田太郎")).isEqualTo("山田太郎");
        assertThat(normalize("世田谷区玉川")).isEqualTo("世田谷区玉川");
        assertThat(normalize("慢性心不全")).isEqualTo("慢性心不全");
        assertThat(normalize("佐々木")).isEqualTo("佐々木"); // iteration mark U+3005 kept
    }

    @Test
    void variantKanjiAreNotFoldedOntoTheirCommonForm() {
        // 髙 (U+9AD9) and 﨑 (U+FA11) are distinct characters in Unicode and in family registers
        assertThat(normalize("髙橋")).isEqualTo("髙橋").isNotEqualTo(normalize("高橋"));
        assertThat(normalize("山﨑")).isEqualTo("山﨑").isNotEqualTo(normalize("山崎"));
        assertThat(normalize("渡邉")).isEqualTo("渡邉").isNotEqualTo(normalize("渡辺"));
    }

    @Test
    void kanjiMixedWithKanaFoldsOnlyTheKana() {
        assertThat(normalize("山田たろう")).isEqualTo("山田タロウ");
        assertThat(normalize("ﾀﾏｶﾞﾜ訪問看護ｽﾃｰｼｮﾝ")).isEqualTo("タマガワ訪問看護ステーション");
    }

    // ---- null and empty ------------------------------------------------------------------------

    @ParameterizedTest
    @NullAndEmptySource
    void nullAndEmptyBecomeTheEmptyString(String input) {
        assertThat(normalize(input)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "   ", "\u3000", "\u3000\u3000", "\t\n", " \u3000 "})
    void blankBecomesTheEmptyString(String input) {
        assertThat(normalize(input)).isEmpty();
    }

    // ---- properties ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ﾔﾏﾀﾞ ﾀﾛｳ",
                "やまだ　たろう",
                "ＹＡＭＡＤＡ",
                "Café",
                "山田  太郎 ",
                "髙橋",
                "\u304B\u3099",
                "０９０－１２３４",
                "いすゞ",
                "こゝろ"
            })
    void normalisingTwiceChangesNothing(String input) {
        String once = normalize(input);
        assertThat(normalize(once)).isEqualTo(once);
    }

    @Test
    void everyWayOfTypingTheSameKanaNameMeets() {
        String stored = normalize("ヤマダ タロウ");
        assertThat(normalize("やまだ たろう")).isEqualTo(stored);
        assertThat(normalize("ﾔﾏﾀﾞ ﾀﾛｳ")).isEqualTo(stored);
        assertThat(normalize("ヤマダ\u3000タロウ")).isEqualTo(stored);
        assertThat(normalize("  ﾔﾏﾀﾞ\u3000\u3000たろう ")).isEqualTo(stored);
    }
}
