package jp.renkei.hub.sign;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code renkei.sign.*}: which certificates the hub trusts and which keys it seals with (see application.yml for
 * the environment variables and docs/signatures.md for the files).
 *
 * @param required         discharge handoffs, emergency contact sheets, advance directives and contact-form answers
 *                         must be signed (by the sender, or sealed by the hub); false is for local tests only, and the
 *                         hub then listens on loopback only
 * @param trustAnchors     certificates of the CAs whose certificates sign (the deployment CA, HPKI roots)
 * @param crls             revocation lists of those CAs, re-read when the file changes
 * @param seals            directory of organisation keystores {@code organization-<id>.p12}, with which the hub seals
 *                         documents their organisation's staff did not sign
 * @param sealPassword     password of those keystores (RENKEI_SEAL_PASSWORD; never in a file)
 * @param hubOrganization  the organisation id whose seal the hub uses for its own changes to signed documents
 */
@ConfigurationProperties("renkei.sign")
public record SignProperties(
        @DefaultValue("true") boolean required,
        @DefaultValue List<Path> trustAnchors,
        @DefaultValue List<Path> crls,
        Path seals,
        String sealPassword,
        @DefaultValue("renkei-hub") String hubOrganization) {

    char[] sealPasswordChars() {
        return sealPassword == null ? new char[0] : sealPassword.toCharArray();
    }
}
