package jp.renkei.hub.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.List;
import jp.renkei.hub.access.SmartConfiguration;
import jp.renkei.hub.search.ParamKind;
import jp.renkei.hub.search.SearchParameterRegistry;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceOperationComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.ConditionalDeleteStatus;
import org.hl7.fhir.r4.model.CapabilityStatement.ConditionalReadStatus;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;

/**
 * HAPI FHIR derives interactions from the provider methods that really exist; the search parameters
 * (parsed by the hub itself) and the descriptive text come from the CapabilityStatement input in
 * {@code fhir-profiles}, the same definitions that drive indexing and query parsing.
 */
@Interceptor
public final class CapabilityStatementCompletion {

    private final SearchParameterRegistry registry;
    private final SmartConfiguration smart;
    private final List<CapabilityContribution> contributions;
    private final PublishedConformance published = PublishedConformance.load();

    /** {@code smart} is null when authentication is off (local tests). */
    public CapabilityStatementCompletion(
            SearchParameterRegistry registry, SmartConfiguration smart, List<CapabilityContribution> contributions) {
        this.registry = registry;
        this.smart = smart;
        this.contributions = List.copyOf(contributions);
    }

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void complete(IBaseConformance generated) {
        CapabilityStatement cs = (CapabilityStatement) generated;
        CapabilityStatement input = registry.capabilityInput();
        cs.setName(input.getName())
                .setTitle(input.getTitle())
                .setPublisher(input.getPublisher())
                .setDescription(input.getDescription())
                .setUrl(input.getUrl());
        cs.getSoftware().setName("Renkei (連携) care-information hub");
        cs.getRestFirstRep().setInteraction(input.getRestFirstRep().copy().getInteraction());
        if (smart != null) {
            cs.getRestFirstRep().setSecurity(smart.security());
        }
        cs.getRestFirstRep()
                .getResource()
                .removeIf(r -> !registry.resourceTypes().contains(r.getType())
                        && contributions.stream()
                                .noneMatch(c -> c.resourceType().equals(r.getType())));
        for (CapabilityStatementRestResourceComponent resource :
                cs.getRestFirstRep().getResource()) {
            // what ResourceProvider and UrlCheck do, for every type (contributed ones included)
            resource.setConditionalDelete(
                    registry.conditionalDelete(resource.getType())
                            ? ConditionalDeleteStatus.SINGLE
                            : ConditionalDeleteStatus.NOTSUPPORTED);
            // HAPI FHIR's read answers If-None-Match and If-Modified-Since with 304
            if (resource.getInteraction().stream().anyMatch(i -> i.getCode() == TypeRestfulInteraction.READ)) {
                resource.setConditionalRead(ConditionalReadStatus.FULLSUPPORT);
            }
            published.profilesOf(resource.getType()).forEach(resource::addSupportedProfile);
            advertiseIncludes(resource);
            resource.getOperation().forEach(this::pointAtDefinition);
            input.getRestFirstRep().getResource().stream()
                    .filter(declared -> declared.getType().equals(resource.getType()))
                    .findFirst()
                    .ifPresent(declared -> {
                        resource.setSearchParam(declared.copy().getSearchParam());
                        resource.setConditionalCreate(declared.getConditionalCreate());
                        resource.setUpdateCreate(declared.getUpdateCreate());
                        resource.setVersioning(declared.getVersioning());
                        resource.setReadHistory(declared.getReadHistory());
                    });
        }
        cs.getRestFirstRep().getOperation().forEach(this::pointAtDefinition);
        contributions.forEach(c -> c.contribute(cs));
    }

    /** What {@code _include} and {@code _revinclude} accept for this type ({@code SearchQuery}), when the hub searches it. */
    private void advertiseIncludes(CapabilityStatementRestResourceComponent resource) {
        String type = resource.getType();
        if (!registry.resourceTypes().contains(type)) {
            return;
        }
        List<String> includes = registry.params(type).stream()
                .filter(p -> p.kind() == ParamKind.REFERENCE)
                .map(p -> type + ":" + p.name())
                .sorted()
                .toList();
        if (!includes.isEmpty()) {
            includes.forEach(resource::addSearchInclude);
            resource.addSearchInclude(type + ":*");
        }
        registry.resourceTypes().stream()
                .sorted()
                .forEach(source -> registry.params(source).stream()
                        .filter(p ->
                                p.kind() == ParamKind.REFERENCE && p.targets().contains(type))
                        .map(p -> source + ":" + p.name())
                        .sorted()
                        .forEach(resource::addSearchRevInclude));
    }

    /** HAPI FHIR names a definition of its own making, which this server does not serve; the published one instead. */
    private void pointAtDefinition(CapabilityStatementRestResourceOperationComponent operation) {
        String definition = published.operation(operation.getName());
        if (definition != null) {
            operation.setDefinition(definition);
        }
    }
}
