package jp.renkei.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.net.http.HttpResponse;
import java.util.List;
import jp.renkei.hub.Hub;
import jp.renkei.hub.HubInstance;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A class of validation tests through the run's shared hub without authentication ({@link Hub}). */
@Hub
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HubValidationTest {

    protected HubInstance hub;
    protected final IParser json = HubInstance.fhirContext().newJsonParser();

    @BeforeAll
    void startHub(HubInstance hub) {
        this.hub = hub;
    }

    /** A 422 with an error at {@code location} (a FHIRPath) whose diagnostics say {@code says}. */
    protected void assertRefusedAt(HttpResponse<String> refused, String location, String says) {
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        OperationOutcome outcome = json.parseResource(OperationOutcome.class, refused.body());
        List<OperationOutcome.OperationOutcomeIssueComponent> errors = outcome.getIssue().stream()
                .filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR)
                .toList();
        assertThat(errors).as(refused.body()).anySatisfy(issue -> {
            assertThat(issue.getExpression()).extracting(StringType::getValue).contains(location);
            assertThat(issue.getDiagnostics()).contains(says);
        });
    }
}
