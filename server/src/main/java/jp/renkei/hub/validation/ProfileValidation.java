package jp.renkei.hub.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.access.Caller;
import jp.renkei.hub.fhir.WriteRule;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r5.utils.validation.constants.ReferenceValidationPolicy;
import org.hl7.fhir.validation.instance.advisor.BasePolicyAdvisorForFullValidation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Validates every client write of a profiled resource against base R4 and the Renkei profiles, offline:
 * the profiles, code systems and value sets come from the {@code renkei-fhir-profiles} jar (snapshots
 * generated at build time), base R4 from HAPI's bundled definitions; no terminology server, no package
 * download. A resource is profiled when its {@code meta.profile} names a Renkei profile, or when it is
 * of a kind that must conform (an advance directive: Consent with scope {@code adr}), in which case the
 * profile is added to {@code meta.profile}. Any error or fatal issue refuses the write with 422 and an
 * OperationOutcome listing every issue with its FHIRPath location; nothing is stored.
 */
public final class ProfileValidation implements WriteRule {

    public static final String PROFILE_BASE = "http://renkei.example.jp/fhir/StructureDefinition/";
    public static final String ADVANCE_DIRECTIVE = PROFILE_BASE + "renkei-advance-directive";
    static final String CONTACT_FORM_QUESTION = PROFILE_BASE + "renkei-contact-form-question";
    public static final String CONTACT_FORM_ANSWER = PROFILE_BASE + "renkei-contact-form-answer";
    private static final String CONTACT_FORM_PART = PROFILE_BASE + "contact-form-part";
    private static final Set<String> ANSWER_PARTS = Set.of("instruction", "precaution");
    private static final String CARE_DOCUMENT = "http://renkei.example.jp/fhir/CodeSystem/care-document";
    /** The document Bundle profile of each kind of care document sent as a document. */
    public static final String DISCHARGE_HANDOFF_BUNDLE = PROFILE_BASE + "renkei-discharge-handoff-bundle";
    public static final String EMERGENCY_SHEET_BUNDLE = PROFILE_BASE + "renkei-emergency-sheet-bundle";
    private static final Map<String, String> DOCUMENT_BUNDLES = Map.of(
            "discharge-summary", DISCHARGE_HANDOFF_BUNDLE,
            "emergency-sheet", EMERGENCY_SHEET_BUNDLE);
    private static final Logger log = LoggerFactory.getLogger(ProfileValidation.class);

    private final FhirContext fhirContext;
    private final FhirValidator validator;
    private final Set<String> profiles = new LinkedHashSet<>();
    private volatile boolean warm;

    public ProfileValidation(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
        long t0 = System.nanoTime();
        PrePopulatedValidationSupport renkei = new PrePopulatedValidationSupport(fhirContext);
        int loaded = 0;
        try {
            for (org.springframework.core.io.Resource file : new PathMatchingResourcePatternResolver()
                    .getResources("classpath*:renkei/profiles/*.json")) {
                try (InputStream in = file.getInputStream()) {
                    IBaseResource r = fhirContext.newJsonParser().parseResource(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    if (r instanceof StructureDefinition sd) {
                        renkei.addStructureDefinition(sd);
                        profiles.add(sd.getUrl());
                    } else if (r instanceof CodeSystem cs) {
                        renkei.addCodeSystem(cs);
                    } else if (r instanceof ValueSet vs) {
                        renkei.addValueSet(vs);
                    } else {
                        continue;
                    }
                    loaded++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Renkei profiles", e);
        }
        // Codes of external systems the hub does not hold (LOINC, JLAC10, 医薬品コード…) are warnings, not errors.
        UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(fhirContext);
        unknownCodeSystems.setNonExistentCodeSystemSeverity(ca.uhn.fhir.context.support.IValidationSupport.IssueSeverity.WARNING);
        ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(fhirContext), renkei,
                new InMemoryTerminologyServerValidationSupport(fhirContext), new CommonCodeSystemsTerminologyService(fhirContext),
                unknownCodeSystems);
        FhirInstanceValidator instanceValidator = new FhirInstanceValidator(chain);
        instanceValidator.setAnyExtensionsAllowed(true);
        // A profile the hub does not hold (JP Core's JP_Patient, say) is reported as a warning; the Renkei
        // profiles the resource claims or must conform to are enforced.
        instanceValidator.setErrorForUnknownProfiles(false);
        // References are not resolved (the hub does not fetch while validating), but the type a reference names
        // (Practitioner/x where only Patient is allowed) is checked.
        instanceValidator.setValidatorPolicyAdvisor(new BasePolicyAdvisorForFullValidation(
                ReferenceValidationPolicy.CHECK_TYPE_IF_EXISTS, Set.of()));
        instanceValidator.setValidatorResourceFetcher(new NoReferenceFetching());
        this.validator = fhirContext.newValidator().setValidateAgainstStandardSchema(false).setValidateAgainstStandardSchematron(false);
        validator.registerValidatorModule(instanceValidator);
        log.info("Profile validation: {} conformance resources ({} profiles) loaded in {} ms", loaded, profiles.size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** The Renkei profiles this hub validates against. */
    public Set<String> profiles() {
        return profiles;
    }

    @Override
    public void apply(WriteRequest request, StoredResource before, Caller caller) {
        if (request.isDelete()) {
            return;
        }
        Resource resource = request.resource();
        requiredProfile(resource);
        boolean profiled = resource.getMeta().getProfile().stream().map(CanonicalType::getValue).anyMatch(profiles::contains);
        if (profiled) {
            OperationOutcome outcome = validate(resource);
            if (outcome.getIssue().stream().anyMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
                    || i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)) {
                throw new UnprocessableEntityException(fhirContext, outcome);
            }
        }
    }

    /**
     * Kinds of record that must conform whether or not the client says so: an advance directive (Consent
     * scope adr), a discharge handoff or emergency sheet sent as a document Bundle (by its Composition's
     * type), and a contact-form Communication (a question, or an answer when it carries the physician's
     * parts). A standalone Composition is held to a profile only when it claims one.
     */
    static void requiredProfile(Resource resource) {
        String required = profileFor(resource);
        if (required != null && !resource.getMeta().hasProfile(required)) {
            resource.getMeta().addProfile(required);
        }
    }

    /** The profile the record is held to by what it is, whatever it claims, or null. */
    public static String profileFor(Resource resource) {
        if (resource instanceof Consent consent && consent.getScope().getCoding().stream().anyMatch(c -> "adr".equals(c.getCode())
                && "http://terminology.hl7.org/CodeSystem/consentscope".equals(c.getSystem()))) {
            return ADVANCE_DIRECTIVE;
        }
        if (resource instanceof Bundle bundle && bundle.getType() == Bundle.BundleType.DOCUMENT && bundle.hasEntry()
                && bundle.getEntryFirstRep().getResource() instanceof Composition composition) {
            String kind = code(composition.getType().getCoding(), CARE_DOCUMENT);
            return kind == null ? null : DOCUMENT_BUNDLES.get(kind);
        }
        if (resource instanceof Communication communication && communication.getCategory().stream()
                .anyMatch(c -> "contact-form".equals(code(c.getCoding(), CARE_DOCUMENT)))) {
            if (resource.getMeta().hasProfile(CONTACT_FORM_ANSWER)) {
                return CONTACT_FORM_ANSWER;
            }
            if (resource.getMeta().hasProfile(CONTACT_FORM_QUESTION)) {
                return CONTACT_FORM_QUESTION;
            }
            boolean answer = communication.getPayload().stream().map(p -> p.getExtensionByUrl(CONTACT_FORM_PART))
                    .filter(e -> e != null && e.getValue() instanceof Coding).map(e -> ((Coding) e.getValue()).getCode())
                    .anyMatch(ANSWER_PARTS::contains);
            return answer ? CONTACT_FORM_ANSWER : CONTACT_FORM_QUESTION;
        }
        return null;
    }

    private static String code(List<Coding> codings, String system) {
        return codings.stream().filter(c -> system.equals(c.getSystem())).map(Coding::getCode)
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    /**
     * Every issue the validator finds, each with its FHIRPath location as {@code expression}. A Bundle's signature is
     * left out: it is checked by the hub's own signature rules (the sign package), against the hub's trust anchors,
     * not by the validator's.
     */
    public OperationOutcome validate(Resource resource) {
        if (resource instanceof org.hl7.fhir.r4.model.Bundle bundle && bundle.hasSignature()) {
            org.hl7.fhir.r4.model.Signature signature = bundle.getSignature();
            bundle.setSignature(null);
            try {
                return validate(bundle);
            } finally {
                bundle.setSignature(signature);
            }
        }
        ValidationResult result;
        if (warm) {
            result = validator.validateWithResult(resource);
        } else {
            // The validator sets itself up on first use (seconds); concurrent first uses would race.
            synchronized (this) {
                result = validator.validateWithResult(resource);
                warm = true;
            }
        }
        OperationOutcome outcome = new OperationOutcome();
        List<SingleValidationMessage> messages = result.getMessages();
        for (SingleValidationMessage m : messages) {
            OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                    .setSeverity(severity(m.getSeverity()))
                    .setCode(m.getSeverity() == ResultSeverityEnum.INFORMATION ? OperationOutcome.IssueType.INFORMATIONAL
                            : OperationOutcome.IssueType.PROCESSING)
                    .setDiagnostics(m.getMessage());
            if (m.getLocationString() != null) {
                issue.addExpression(m.getLocationString());
            }
        }
        return outcome;
    }

    private static OperationOutcome.IssueSeverity severity(ResultSeverityEnum s) {
        return switch (s) {
            case FATAL -> OperationOutcome.IssueSeverity.FATAL;
            case ERROR -> OperationOutcome.IssueSeverity.ERROR;
            case WARNING -> OperationOutcome.IssueSeverity.WARNING;
            case INFORMATION -> OperationOutcome.IssueSeverity.INFORMATION;
        };
    }
}
