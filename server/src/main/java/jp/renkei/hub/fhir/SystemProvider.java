package jp.renkei.hub.fhir;

import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import org.hl7.fhir.r4.model.Bundle;

/** System-level interactions: transaction and batch Bundles posted to the base URL. */
public class SystemProvider {

    private final TransactionProcessor transactions;

    public SystemProvider(TransactionProcessor transactions) {
        this.transactions = transactions;
    }

    @Transaction
    public Bundle transaction(@TransactionParam Bundle bundle) {
        return transactions.process(bundle);
    }
}
