package jp.renkei.hub.validation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client is told about the faults the validator found: one issue per fault, errors first, each with its
 * FHIRPath location in {@code expression}, a specific issue code and a diagnostic in the hub's style (Japanese, then
 * the validator's English in parentheses). Left out, because they tell the client nothing it can act on: information
 * and hints; codes of systems the hub cannot check offline (LOINC, SNOMED CT, ICD-10, JLAC10, 医薬品コード…, see
 * docs/profiles.md); the validator's remarks about its own choices (which of several profiles an entry matched).
 * Best-practice rules such as "should have narrative" (dom-6) are not evaluated at all ({@link ValidatorPool}).
 * A message that carries the validator's own exception (a bug in it, not a fault of the resource) is never shown: an
 * error of that kind becomes a generic error, a warning is left out, and either is logged without its text.
 */
final class ValidationOutcome {

    private static final Logger log = LoggerFactory.getLogger(ValidationOutcome.class);

    /** Messages about codes of a system (or a value set over one) that the hub does not hold and cannot check. */
    private static final Set<String> NOT_CHECKABLE = Set.of(
            "Terminology_PassThrough_TX_Message",
            "UNKNOWN_CODESYSTEM",
            "UNKNOWN_CODESYSTEM_VERSION",
            "Terminology_TX_System_Unknown",
            "TERMINOLOGY_TX_SYSTEM_NO_CODE",
            "Terminology_TX_NoValid_12",
            "Terminology_TX_ValueSet_NotFound",
            "Terminology_TX_ValueSet_NotFound2",
            "Terminology_TX_ValueSet_NotFound_CS",
            "VALUESET_INCLUDE_INVALID_CONCEPT_CODE",
            "VALUESET_UNC_SYSTEM_WARNING",
            "VALUESET_UNC_SYSTEM_WARNING_VER",
            "Terminology_TX_Binding_CantCheck",
            "UNABLE_TO_CHECK_IF_THE_PROVIDED_CODES_ARE_IN_THE_VALUE_SET_",
            "UNABLE_TO_VALIDATE_CODE_WITHOUT_USING_SERVER",
            "CODESYSTEM_CS_UNK_EXPANSION");
    /** The validator's remarks about how it went about its work. */
    private static final Set<String> ABOUT_THE_VALIDATOR = Set.of(
            "Reference_REF_MultipleMatches",
            "Details_for__matching_against_Profile_",
            "VALIDATION_VAL_PROFILE_SIGNPOST_OBS",
            "VALIDATION_VAL_PROFILE_SIGNPOST",
            "VALIDATION_VAL_PROFILE_SIGNPOST_META",
            "VALIDATION_VAL_PROFILE_SIGNPOST_BUNDLE_PARAM");
    /** A Java exception's text: what the validator shows when one of its own steps failed. */
    private static final Pattern EXCEPTION_TEXT = Pattern.compile(
            "Cannot invoke \"|because \"[^\"]*\" is null|(?:java|javax|jakarta|org|ca|com)\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)*\\.[A-Z][A-Za-z]*(?:Exception|Error)\\b"
                    + "|NullPointerException|ClassCastException|IndexOutOfBoundsException|IllegalStateException|StackOverflowError");

    private static final String INTERNAL =
            "内部エラーのためこの要素を検証できませんでした (this element could not be validated: internal error of the validator)";

    private ValidationOutcome() {}

    static boolean hasErrors(OperationOutcome outcome) {
        return outcome.getIssue().stream()
                .anyMatch(i -> i.getSeverity() == IssueSeverity.ERROR || i.getSeverity() == IssueSeverity.FATAL);
    }

    static OperationOutcome of(List<ValidationMessage> messages) {
        List<OperationOutcome.OperationOutcomeIssueComponent> issues = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ValidationMessage m : messages) {
            boolean error = m.getLevel() == ValidationMessage.IssueSeverity.ERROR
                    || m.getLevel() == ValidationMessage.IssueSeverity.FATAL;
            boolean warning = m.getLevel() == ValidationMessage.IssueSeverity.WARNING;
            if ((!error && !warning) || m.isSignpost() || (m.isSlicingHint() && !error)) {
                continue;
            }
            String id = m.getMessageId() == null ? "" : m.getMessageId();
            String text = m.getMessage() == null ? "" : m.getMessage();
            boolean internal = id.startsWith("Terminology_TX_Error")
                    || EXCEPTION_TEXT.matcher(text).find();
            if (internal) {
                log.warn(
                        "The validator failed on one element ({}, {} at {}); {}",
                        m.getLevel().toCode(),
                        id,
                        withoutIds(m.getLocation()),
                        error ? "reported as an internal error" : "left out of the answer");
                if (!error) {
                    continue;
                }
            } else if (!error && (NOT_CHECKABLE.contains(id) || ABOUT_THE_VALIDATOR.contains(id))) {
                continue;
            }
            if (!seen.add(m.getLevel() + "|" + m.getLocation() + "|" + text)) {
                continue;
            }
            IssueType code = internal ? IssueType.EXCEPTION : code(m, id);
            OperationOutcome.OperationOutcomeIssueComponent issue =
                    new OperationOutcome.OperationOutcomeIssueComponent()
                            .setSeverity(error ? IssueSeverity.ERROR : IssueSeverity.WARNING)
                            .setCode(code)
                            .setDiagnostics(internal ? INTERNAL : summary(code, error) + " (" + text + ")");
            if (m.getLocation() != null && !m.getLocation().isBlank()) {
                issue.addExpression(m.getLocation());
            }
            issues.add(issue);
        }
        issues.sort(Comparator.comparing(i -> i.getSeverity() == IssueSeverity.ERROR ? 0 : 1));
        OperationOutcome outcome = new OperationOutcome();
        outcome.getIssue().addAll(issues);
        return outcome;
    }

    /** The issue code a client can act on: a missing element, a broken rule, a code not allowed, a malformed value. */
    private static IssueType code(ValidationMessage m, String id) {
        if (id.startsWith("Validation_VAL_Profile_Minimum")) {
            return IssueType.REQUIRED;
        }
        if (id.startsWith("Validation_VAL_Profile_Maximum")) {
            return IssueType.STRUCTURE;
        }
        if (m.getInvId() != null || m.getType() == ValidationMessage.IssueType.INVARIANT) {
            return IssueType.INVARIANT;
        }
        if (m.getType() == ValidationMessage.IssueType.CODEINVALID || id.startsWith("Terminology_TX_")) {
            return IssueType.CODEINVALID;
        }
        if (id.startsWith("Type_Specific_Checks_DT_")) {
            return IssueType.VALUE;
        }
        try {
            return m.getType() == null || m.getType() == ValidationMessage.IssueType.NULL
                    ? IssueType.PROCESSING
                    : IssueType.fromCode(m.getType().toCode());
        } catch (org.hl7.fhir.exceptions.FHIRException e) {
            return IssueType.PROCESSING;
        }
    }

    private static String summary(IssueType code, boolean error) {
        if (!error) {
            return "注意";
        }
        return switch (code) {
            case REQUIRED -> "必須の要素がありません";
            case STRUCTURE -> "要素の数または構造が定義と合いません";
            case INVARIANT -> "規則 (invariant) を満たしていません";
            case CODEINVALID -> "許可されていないコードです";
            case VALUE -> "値の形式が正しくありません";
            default -> "検証エラーです";
        };
    }

    /** A location without the resource ids the validator writes into it as comments (they may name a patient). */
    static String withoutIds(String location) {
        return location == null ? "" : location.replaceAll("/\\*.*?\\*/", "");
    }
}
