package jp.renkei.hub.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.ArrayList;
import java.util.List;
import jp.renkei.hub.access.AuthProperties;
import jp.renkei.hub.access.SmartConfiguration;
import jp.renkei.hub.search.SearchParameterRegistry;
import jp.renkei.hub.store.ResultSnapshots;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.stereotype.Component;

/**
 * HAPI FHIR's plain RestfulServer at {@code /fhir}: one provider per resource type named in the
 * CapabilityStatement input, the transaction provider, paging from stored snapshots, and the
 * interceptors that check requests and shape errors.
 */
@Component
public class RenkeiFhirServer extends RestfulServer {

    private final transient SearchParameterRegistry registry;
    private final transient ResourceOperations operations;
    private final transient ResultSnapshots snapshots;
    private final transient TransactionProcessor transactions;
    private final transient FhirProperties properties;
    private final transient SmartConfiguration smart;
    private final transient List<ServerInterceptor> interceptors;
    private final transient List<OperationProvider> operationProviders;
    private final transient List<CapabilityContribution> contributions;

    public RenkeiFhirServer(
            FhirContext fhirContext,
            SearchParameterRegistry registry,
            ResourceOperations operations,
            ResultSnapshots snapshots,
            TransactionProcessor transactions,
            FhirProperties properties,
            SmartConfiguration smart,
            AuthProperties auth,
            List<ServerInterceptor> interceptors,
            List<OperationProvider> operationProviders,
            List<CapabilityContribution> contributions) {
        super(fhirContext);
        this.registry = registry;
        this.operations = operations;
        this.snapshots = snapshots;
        this.transactions = transactions;
        this.properties = properties;
        this.smart = auth.enabled() ? smart : null;
        this.interceptors = List.copyOf(interceptors);
        this.operationProviders = List.copyOf(operationProviders);
        this.contributions = List.copyOf(contributions);
    }

    @Override
    protected void initialize() {
        List<IResourceProvider> providers = new ArrayList<>();
        for (String type : registry.resourceTypes()) {
            Class<? extends IBaseResource> resourceClass =
                    getFhirContext().getResourceDefinition(type).getImplementingClass();
            providers.add(
                    registry.isReadOnly(type)
                            ? new ReadOnlyResourceProvider(resourceClass, operations, snapshots)
                            : new ResourceProvider(resourceClass, operations, snapshots));
        }
        setResourceProviders(providers);
        registerProvider(new SystemProvider(transactions, operations, snapshots));
        operationProviders.forEach(this::registerProvider);
        setPagingProvider(new SnapshotPagingProvider(operations, snapshots, properties));
        setDefaultResponseEncoding(EncodingEnum.JSON);
        registerInterceptor(new ErrorTranslation());
        interceptors.forEach(this::registerInterceptor);
        registerInterceptor(new ContentTypeCheck());
        registerInterceptor(new BodyCheck());
        registerInterceptor(new UrlCheck(registry));
        registerInterceptor(new HistoryPages());
        registerInterceptor(new CapabilityStatementCompletion(registry, smart, contributions));
    }
}
