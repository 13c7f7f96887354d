package jp.renkei.hub.fhir;

import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.Offset;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Date;
import jp.renkei.hub.store.ResultSnapshots;
import org.hl7.fhir.r4.model.Bundle;

/** System-level interactions: transaction and batch Bundles posted to the base URL, and the system history. */
public class SystemProvider {

    private final TransactionProcessor transactions;
    private final ResourceOperations operations;
    private final ResultSnapshots snapshots;

    public SystemProvider(TransactionProcessor transactions, ResourceOperations operations, ResultSnapshots snapshots) {
        this.transactions = transactions;
        this.operations = operations;
        this.snapshots = snapshots;
    }

    @Transaction
    public Bundle transaction(@TransactionParam Bundle bundle, RequestDetails request) {
        return transactions.process(bundle, request);
    }

    /** {@code GET [base]/_history}: the versions of every type the caller may see, newest first. */
    @History
    public IBundleProvider systemHistory(@Since Date since, @Offset Integer offset, RequestDetails request) {
        return StoredResultList.history(
                operations,
                snapshots,
                null,
                operations.systemHistory(ReadOnlyResourceProvider.millis(since)),
                offset,
                request);
    }
}
