package jp.renkei.hub.validation;

import ca.uhn.fhir.context.support.IValidationSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.r5.conformance.profile.ProfileUtilities;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.Element;
import org.hl7.fhir.r5.elementmodel.JsonParser;
import org.hl7.fhir.r5.elementmodel.ParserBase;
import org.hl7.fhir.r5.elementmodel.ValidatedFragment;
import org.hl7.fhir.r5.model.ElementDefinition;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.IMessagingServices;
import org.hl7.fhir.r5.utils.validation.IResourceValidator;
import org.hl7.fhir.r5.utils.validation.IValidationPolicyAdvisor;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.validation.constants.ReferenceValidationPolicy;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;
import org.hl7.fhir.validation.instance.advisor.BasePolicyAdvisorForFullValidation;

/**
 * FHIR instance validators over one shared, immutable worker context (base R4, the Renkei profiles, the terminology the
 * hub holds). HAPI's {@code FhirInstanceValidator} builds a new core validator for every resource, and that
 * constructor alone reads the HL7 OID registry (1.5 MB of CSV) each time: about 70 % of the cost of validating an
 * Observation; and it parses each resource with a new parser, whose FHIRPath engine takes most of another 20 %.
 * Here a validator and its parser are built once and reused: the core validator clears its per-resource state at the
 * start of each validation. It keeps a few things across validations (the codings it has seen, a map of narrative
 * ids), so each one is replaced after {@link #USES} validations, which bounds what it holds. At most {@link #POOLED}
 * idle validators are kept; a burst beyond that builds extra ones that are then dropped.
 */
final class ValidatorPool {

    static final int USES = 200;
    private static final int POOLED = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);

    private final WorkerContextValidationSupportAdapter context;
    private final IValidationPolicyAdvisor policy = new ClaimedProfilesOnly();
    private final Map<String, StructureDefinition> definitions = new ConcurrentHashMap<>();
    private final BlockingQueue<Pooled> idle = new ArrayBlockingQueue<>(POOLED);

    /**
     * References are not resolved (the hub does not fetch while validating), but the type a reference names
     * (Practitioner/x where only Patient is allowed) is checked. A resource is held to base R4 and to the profiles it
     * claims or the hub requires, not to profiles the validator would infer: the base advisor would also apply R4's
     * vital-signs profiles to every Observation with a vital-sign LOINC code, which the base definitions do not
     * require (a client that claims one is held to it) and which doubles the cost of validating such an Observation.
     */
    private static final class ClaimedProfilesOnly extends BasePolicyAdvisorForFullValidation {

        ClaimedProfilesOnly() {
            super(ReferenceValidationPolicy.CHECK_TYPE_IF_EXISTS, Set.of());
        }

        @Override
        public List<StructureDefinition> getImpliedProfilesForResource(
                IResourceValidator validator,
                Object appContext,
                String stackPath,
                ElementDefinition definition,
                StructureDefinition structure,
                Element resource,
                boolean valid,
                IMessagingServices msgServices,
                List<ValidationMessage> messages) {
            return List.of();
        }
    }

    /**
     * Cross-version extensions (such as R5's {@code Provenance.patient}, which the hub's own signature records carry,
     * {@code http://hl7.org/fhir/5.0/StructureDefinition/extension-Provenance.patient}) are defined by tables of the
     * FHIR packages that HAPI does not ship; without them the validator calls every such URL invalid. The hub treats
     * them as any other extension it has no definition of: allowed, their content unchecked.
     */
    private static final class NoCrossVersionDefinitions extends XVerExtensionManagerOld {

        NoCrossVersionDefinitions(IWorkerContext context) {
            super(context);
        }

        @Override
        public boolean matchingUrl(String url) {
            return false;
        }
    }

    /** A validator with the parser that builds its element trees, used by one thread at a time. */
    private static final class Pooled {
        final InstanceValidator validator;
        final JsonParser parser;
        int uses;

        Pooled(InstanceValidator validator, JsonParser parser) {
            this.validator = validator;
            this.parser = parser;
        }
    }

    ValidatorPool(IValidationSupport support) {
        this.context = WorkerContextValidationSupportAdapter.newVersionSpecificWorkerContextWrapper(support);
    }

    /** The profile the hub holds under this canonical URL, or null. */
    StructureDefinition profile(String url) {
        return context.fetchResource(StructureDefinition.class, url);
    }

    /**
     * Every message about {@code json} (one resource), validated against its base definition and the profiles it
     * claims in {@code meta.profile}, or against {@code profiles} instead of its base definition when given (each
     * profile's snapshot holds the base definition's rules).
     */
    List<ValidationMessage> validate(byte[] json, List<StructureDefinition> profiles) {
        Pooled pooled = idle.poll();
        if (pooled == null) {
            pooled = newValidator();
        }
        List<ValidationMessage> messages = new ArrayList<>();
        try {
            for (ValidatedFragment fragment : pooled.parser.parse(new ByteArrayInputStream(json))) {
                if (fragment.getElement() != null) {
                    pooled.validator.validate(
                            null, fragment.getErrors(), null, fragment.getElement(), new ArrayList<>(profiles));
                }
                messages.addAll(fragment.getErrors());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (++pooled.uses < USES) {
            idle.offer(pooled);
        }
        return messages;
    }

    /** Builds validators until as many are idle as are kept, so that the first requests do not build them. */
    void fill() {
        List<Pooled> built = new ArrayList<>();
        for (int i = idle.size(); i < POOLED; i++) {
            built.add(newValidator());
        }
        built.forEach(idle::offer);
    }

    /** Validators built and idle, ready for the next requests. */
    int idle() {
        return idle.size();
    }

    private Pooled newValidator() {
        // The parser the validator parses with (the core validator would build one per resource) and the one that
        // builds reference stubs share one ProfileUtilities, as they are used by one thread at a time.
        ProfileUtilities profileUtilities = new ProfileUtilities(context, null, null);
        JsonParser parser = new DefinitionCachingParser(context, profileUtilities, definitions);
        parser.setupValidation(ParserBase.ValidationPolicy.EVERYTHING);
        InstanceValidator v = new InstanceValidator(
                context,
                new FhirInstanceValidator.NullEvaluationContext(),
                new NoCrossVersionDefinitions(context),
                new ValidatorSession(),
                new ValidatorSettings());
        // "should have narrative" (dom-6) and the other best-practice rules are advice for authors, not faults
        v.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
        // Extensions the hub has no definition of (JP Core's and others') are allowed.
        v.setAnyExtensionsAllowed(true);
        v.setResourceIdRule(IdStatus.OPTIONAL);
        // A profile the hub does not hold (JP Core's JP_Patient, say) is a warning; the Renkei profiles are enforced.
        v.setErrorForUnknownProfiles(false);
        // Codes of systems the hub does not hold (LOINC, SNOMED CT, JLAC10, 医薬品コード…) cannot be checked offline.
        v.setUnknownCodeSystemsCauseErrors(false);
        v.setFetcher(new NoReferenceFetching(new DefinitionCachingParser(context, profileUtilities, definitions)));
        v.setPolicyAdvisor(policy);
        // The hub's own canonical base is under example.jp.
        v.setAllowExamples(true);
        return new Pooled(v, parser);
    }
}
