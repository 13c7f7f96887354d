package jp.renkei.hub.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.WriteRule;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;
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
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Validates every client write (REST create and update, each entry of a transaction or batch) against base R4 and
 * the Renkei profiles it claims or must conform to, offline: the profiles, code systems and value sets come from the
 * {@code renkei-fhir-profiles} jar (snapshots generated at build time), base R4 and its value sets from HAPI's bundled
 * definitions; no terminology server, no package download. A resource of a kind that must conform (an advance
 * directive: Consent with scope {@code adr}, a care document sent as a document Bundle, a contact form) gets its
 * profile added to {@code meta.profile}. Any error refuses the write with 422 and an OperationOutcome with one issue
 * per fault and its FHIRPath location ({@link ValidationOutcome}); nothing is stored.
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
    private final ValidatorPool validators;
    private final PrecompiledBaseRules baseRules;
    private final Set<String> profiles = new LinkedHashSet<>();
    /** The package's example instances: what the warm-up validates. */
    private final List<Resource> examples = new java.util.ArrayList<>();

    private volatile boolean warm;

    public ProfileValidation(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
        long t0 = System.nanoTime();
        PrePopulatedValidationSupport renkei = new PrePopulatedValidationSupport(fhirContext);
        int loaded = 0;
        try {
            for (org.springframework.core.io.Resource file :
                    new PathMatchingResourcePatternResolver().getResources("classpath*:renkei/profiles/*.json")) {
                try (InputStream in = file.getInputStream()) {
                    IBaseResource r = fhirContext
                            .newJsonParser()
                            .parseResource(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    if (r instanceof StructureDefinition sd) {
                        renkei.addStructureDefinition(sd);
                        profiles.add(sd.getUrl());
                    } else if (r instanceof CodeSystem cs) {
                        renkei.addCodeSystem(cs);
                    } else if (r instanceof ValueSet vs) {
                        renkei.addValueSet(vs);
                    } else {
                        if (!(r instanceof org.hl7.fhir.r4.model.SearchParameter)) {
                            examples.add((Resource) r);
                        }
                        continue;
                    }
                    loaded++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Renkei profiles", e);
        }
        // No UnknownCodeSystemWarningValidationSupport: it answers that every code of a system the hub does not hold
        // exists, and the in-memory expansion of a value set that filters such a system (R4's Composition.type value
        // set filters LOINC) then dereferences the missing CodeSystem ("Cannot invoke CodeSystem.getConcept()").
        // Without
        // it, such codes are reported as not checkable, which ValidationOutcome leaves out.
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(fhirContext),
                renkei,
                new InMemoryTerminologyServerValidationSupport(fhirContext),
                new CommonCodeSystemsTerminologyService(fhirContext));
        this.validators = new ValidatorPool(chain);
        this.baseRules = new PrecompiledBaseRules(fhirContext, chain);
        log.info(
                "Profile validation: {} conformance resources ({} profiles) loaded in {} ms",
                loaded,
                profiles.size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Gets everything the first validations would otherwise set up while a client waits (seconds: base R4's
     * definitions and value sets parsed and converted, snapshots and FHIRPath expressions prepared, the JIT's first
     * passes): validates each example of the package and a plain resource of each kind the examples do not show, twice,
     * and builds the pool's validators. {@link ValidationWarmUp} holds the hub's start until this is done.
     */
    public void warmUp() {
        long t0 = System.nanoTime();
        List<Resource> samples = new java.util.ArrayList<>();
        for (Resource example : examples) {
            Resource copy = example.copy();
            requiredProfile(copy);
            samples.add(copy);
        }
        samples.add(new org.hl7.fhir.r4.model.Observation()
                .setStatus(org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL)
                .setCode(new org.hl7.fhir.r4.model.CodeableConcept(
                        new Coding("http://loinc.org", "8310-5", "Body temperature")))
                .setSubject(new org.hl7.fhir.r4.model.Reference("Patient/warm-up")));
        for (int round = 0; round < 2; round++) {
            samples.forEach(this::validate);
            samples.forEach(baseRules::certainlyValid);
        }
        validators.fill();
        warm = true;
        log.info(
                "Profile validation warmed up: {} resources validated twice, {} validators ready, in {} ms",
                samples.size(),
                validators.idle(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Whether base R4 certainly holds for the resource without asking the full validator (package-private for its test). */
    boolean certainlyValid(Resource resource) {
        return baseRules.certainlyValid(resource);
    }

    /** Whether {@link #warmUp} has run: a write then pays only for its own validation. */
    public boolean warm() {
        return warm;
    }

    /** The Renkei profiles this hub validates against. */
    public Set<String> profiles() {
        return profiles;
    }

    @Override
    public boolean judgesContentOnly() {
        return true;
    }

    @Override
    public Stage stage() {
        return Stage.VALIDATE;
    }

    @Override
    public void apply(WriteRequest request, StoredResource before, Caller caller) {
        if (request.isDelete()) {
            return;
        }
        Resource resource = request.resource();
        requiredProfile(resource);
        if (baseRules.certainlyValid(resource)) {
            return; // the common write (an observation, a condition) that claims no profile, checked in a tenth of the
            // time
        }
        OperationOutcome outcome = validate(resource);
        if (ValidationOutcome.hasErrors(outcome)) {
            throw new UnprocessableEntityException(fhirContext, outcome);
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
        if (resource instanceof Consent consent
                && consent.getScope().getCoding().stream()
                        .anyMatch(c -> "adr".equals(c.getCode())
                                && "http://terminology.hl7.org/CodeSystem/consentscope".equals(c.getSystem()))) {
            return ADVANCE_DIRECTIVE;
        }
        if (resource instanceof Bundle bundle
                && bundle.getType() == Bundle.BundleType.DOCUMENT
                && bundle.hasEntry()
                && bundle.getEntryFirstRep().getResource() instanceof Composition composition) {
            String kind = code(composition.getType().getCoding(), CARE_DOCUMENT);
            return kind == null ? null : DOCUMENT_BUNDLES.get(kind);
        }
        if (resource instanceof Communication communication
                && communication.getCategory().stream()
                        .anyMatch(c -> "contact-form".equals(code(c.getCoding(), CARE_DOCUMENT)))) {
            if (resource.getMeta().hasProfile(CONTACT_FORM_ANSWER)) {
                return CONTACT_FORM_ANSWER;
            }
            if (resource.getMeta().hasProfile(CONTACT_FORM_QUESTION)) {
                return CONTACT_FORM_QUESTION;
            }
            boolean answer = communication.getPayload().stream()
                    .map(p -> p.getExtensionByUrl(CONTACT_FORM_PART))
                    .filter(e -> e != null && e.getValue() instanceof Coding)
                    .map(e -> ((Coding) e.getValue()).getCode())
                    .anyMatch(ANSWER_PARTS::contains);
            return answer ? CONTACT_FORM_ANSWER : CONTACT_FORM_QUESTION;
        }
        return null;
    }

    private static String code(List<Coding> codings, String system) {
        return codings.stream()
                .filter(c -> system.equals(c.getSystem()))
                .map(Coding::getCode)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    /**
     * What the validator finds in the resource, as the client is shown it ({@link ValidationOutcome}): errors first,
     * each with its FHIRPath location as {@code expression}. The resource is validated once, against base R4 when it
     * claims no profile the hub holds, else against the Renkei profiles it claims (whose snapshots hold base R4's
     * rules); a Bundle's entries are validated as part of it. A Bundle's signature is left out: it is checked by the
     * hub's own signature rules (the sign package), against the hub's trust anchors, not by the validator's.
     */
    public OperationOutcome validate(Resource resource) {
        if (resource instanceof Bundle bundle && bundle.hasSignature()) {
            org.hl7.fhir.r4.model.Signature signature = bundle.getSignature();
            bundle.setSignature(null);
            try {
                return validate(bundle);
            } finally {
                bundle.setSignature(signature);
            }
        }
        byte[] json =
                fhirContext.newJsonParser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
        List<org.hl7.fhir.r5.model.StructureDefinition> claimed = resource.getMeta().getProfile().stream()
                .map(CanonicalType::getValue)
                .filter(profiles::contains)
                .distinct()
                .map(validators::profile)
                .filter(java.util.Objects::nonNull)
                .toList();
        List<ValidationMessage> messages;
        try {
            messages = validators.validate(json, claimed);
        } catch (RuntimeException e) {
            // The validator's own failure: the client learns only that, the log the kind of failure (its message may
            // quote the resource) and where in the validator it happened.
            StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            log.error(
                    "The validator failed on a {}: {} at {}",
                    resource.fhirType(),
                    e.getClass().getName(),
                    at);
            throw new InternalErrorException(
                    "内部エラーのため検証できませんでした (the resource could not be validated: internal error)");
        }
        return ValidationOutcome.of(messages);
    }
}
