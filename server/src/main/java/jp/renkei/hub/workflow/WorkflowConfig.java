package jp.renkei.hub.workflow;

import ca.uhn.fhir.context.FhirContext;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.fhir.FhirProperties;
import jp.renkei.hub.store.Labeler;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.SearchExecutor;
import jp.renkei.hub.store.Writes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Hand-off workflow: the fee-rule sets, the Task state machine (a write rule) and the overdue check. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class WorkflowConfig {

    @Bean
    FeeRules feeRules() {
        return FeeRules.loadDefault();
    }

    @Bean
    TaskWorkflow taskWorkflow(
            FhirContext fhirContext, Records records, AccessGuard guard, FeeRules feeRules, FhirProperties properties) {
        return new TaskWorkflow(fhirContext, records, guard, feeRules, properties.timeZone());
    }

    @Bean
    HandoffDispatch handoffDispatch(
            FhirContext fhirContext,
            TaskWorkflow workflow,
            Labeler labeler,
            SearchExecutor searches,
            Records records,
            AccessGuard guard) {
        return new HandoffDispatch(fhirContext, workflow, labeler, searches, records, guard);
    }

    @Bean
    OrganisationInbox organisationInbox(SearchExecutor searches) {
        return new OrganisationInbox(searches);
    }

    @Bean
    CurrentVersions currentVersions(Records records, Labeler labeler, SearchExecutor searches, AccessGuard guard) {
        return new CurrentVersions(records, labeler, searches, guard);
    }

    @Bean
    OverdueHandoffs overdueHandoffs(Records records, Writes writes, SearchExecutor searches) {
        return new OverdueHandoffs(records, writes, searches);
    }
}
