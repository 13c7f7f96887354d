package jp.renkei.hub.validation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r5.elementmodel.Element;
import org.hl7.fhir.r5.elementmodel.ParserBase;
import org.hl7.fhir.r5.model.CanonicalResource;
import org.hl7.fhir.r5.model.CanonicalType;
import org.hl7.fhir.r5.utils.validation.IResourceValidator;
import org.hl7.fhir.r5.utils.validation.IValidatorResourceFetcher;

/**
 * The validator's view of other resources: it reads none from the store (validation stays offline and
 * does not depend on what else is stored, or on who may read it). A literal reference {@code Type/id}
 * is answered with an empty resource of that type, so the validator checks the type a reference names
 * against the profile's target types, and nothing more; canonical URLs are taken as given. One instance serves one
 * validator at a time ({@link ValidatorPool}), so it keeps its own parser for the stubs (building a parser costs more
 * than parsing a stub).
 */
final class NoReferenceFetching implements IValidatorResourceFetcher {

    private final ParserBase stubs;

    NoReferenceFetching(ParserBase stubs) {
        this.stubs = stubs;
    }

    private static final Pattern LITERAL =
            Pattern.compile("(?:.*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})(?:/_history/.*)?");

    @Override
    public Element fetch(IResourceValidator validator, Object appContext, String url) throws IOException {
        Matcher m = LITERAL.matcher(url);
        if (!m.matches() || validator.getContext().fetchTypeDefinition(m.group(1)) == null) {
            return null;
        }
        String stub = "{\"resourceType\":\"" + m.group(1) + "\",\"id\":\"" + m.group(2) + "\"}";
        return stubs.parseSingle(new ByteArrayInputStream(stub.getBytes(StandardCharsets.UTF_8)), null);
    }

    @Override
    public boolean resolveURL(
            IResourceValidator validator,
            Object appContext,
            String path,
            String url,
            String type,
            boolean canonical,
            List<CanonicalType> targets) {
        return true;
    }

    @Override
    public byte[] fetchRaw(IResourceValidator validator, String url) {
        return null;
    }

    @Override
    public IValidatorResourceFetcher setLocale(Locale locale) {
        return this;
    }

    @Override
    public CanonicalResource fetchCanonicalResource(IResourceValidator validator, Object appContext, String url) {
        return null;
    }

    @Override
    public boolean fetchesCanonicalResource(IResourceValidator validator, String url) {
        return false;
    }

    @Override
    public Set<ResourceVersionInformation> fetchCanonicalResourceVersions(
            IResourceValidator validator, Object appContext, String url) {
        return Set.of();
    }
}
