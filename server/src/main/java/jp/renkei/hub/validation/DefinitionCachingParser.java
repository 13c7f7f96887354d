package jp.renkei.hub.validation;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.exceptions.FHIRFormatError;
import org.hl7.fhir.r5.conformance.profile.ProfileUtilities;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.JsonParser;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.utilities.validation.ValidationMessage;

/**
 * The core library's JSON parser for the validator, with the definition of each resource type looked up once: the
 * library finds it by scanning every StructureDefinition it holds and building a URL string for each, for every
 * resource it parses (a fifth of the time spent validating an Observation).
 */
final class DefinitionCachingParser extends JsonParser {

    private final Map<String, StructureDefinition> definitions;

    /** @param definitions the definitions found so far, shared by all parsers of one worker context */
    DefinitionCachingParser(
            IWorkerContext context, ProfileUtilities utilities, Map<String, StructureDefinition> definitions) {
        super(context, utilities);
        this.definitions = definitions;
    }

    @Override
    protected StructureDefinition getDefinition(List<ValidationMessage> errors, int line, int col, String name)
            throws FHIRFormatError {
        StructureDefinition known = name == null ? null : definitions.get(name);
        if (known != null) {
            return known;
        }
        StructureDefinition found = super.getDefinition(errors, line, col, name);
        if (found != null) {
            definitions.put(name, found);
        }
        return found;
    }
}
