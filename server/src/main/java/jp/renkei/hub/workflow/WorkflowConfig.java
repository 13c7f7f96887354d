package jp.renkei.hub.workflow;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.fhir.FhirProperties;
import jp.renkei.hub.fhir.ReadCheck;
import jp.renkei.hub.store.Labeler;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.SearchExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Hand-off workflow: the fee-rule sets, the Task state machine (a write rule) and the overdue check. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class WorkflowConfig {

    @Bean
    FeeRules feeRules() {
        return FeeRules.loadDefault();
    }

    @Bean
    TaskWorkflow taskWorkflow(FhirContext fhirContext, AccessGuard guard, FeeRules feeRules, FhirProperties properties) {
        return new TaskWorkflow(fhirContext, guard, feeRules, properties.timeZone());
    }

    @Bean
    HandoffDispatch handoffDispatch(FhirContext fhirContext, TaskWorkflow workflow, Labeler labeler, SearchExecutor searches,
                                    ResourceStore store, AccessGuard guard) {
        return new HandoffDispatch(fhirContext, workflow, labeler, searches, store, guard);
    }

    @Bean
    OrganisationInbox organisationInbox(SearchExecutor searches) {
        return new OrganisationInbox(searches);
    }

    @Bean
    CurrentVersions currentVersions(FhirContext fhirContext, Labeler labeler, SearchExecutor searches, AccessGuard guard,
                                    List<ReadCheck> readChecks) {
        return new CurrentVersions(fhirContext, labeler, searches, guard, ReadCheck.all(readChecks));
    }

    @Bean
    OverdueHandoffs overdueHandoffs(ResourceStore store, SearchExecutor searches, FhirContext fhirContext) {
        return new OverdueHandoffs(store, searches, fhirContext);
    }
}
