package jp.renkei.hub.print;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The PDF forms' settings ({@code renkei.print.*} in application.yml).
 *
 * @param font    a Japanese TrueType font file (RENKEI_PRINT_FONT); empty: IPAex Gothic from Debian's
 *                fonts-ipaexfont-gothic, else Noto Sans CJK from fonts-noto-cjk
 * @param hubName the name printed in every form's footer (RENKEI_PRINT_HUB_NAME)
 */
@ConfigurationProperties("renkei.print")
public record PrintProperties(String font, String hubName) {}
