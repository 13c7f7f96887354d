package jp.renkei.hub.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import jp.renkei.hub.context.Caller;
import jp.renkei.hub.store.StoredResource;
import jp.renkei.hub.store.WriteRequest;
import jp.renkei.hub.store.WriteRule;
import org.junit.jupiter.api.Test;

/** The write rules run in a stated order, whatever order Spring finds their beans in: validation last. */
class WriteRuleOrderTest {

    private static class Completes implements WriteRule {
        @Override
        public void apply(WriteRequest request, StoredResource before, Caller caller) {}
    }

    private static final class AlsoCompletes extends Completes {}

    private static final class CrossChecks implements WriteRule {
        @Override
        public Stage stage() {
            return Stage.CROSS_CHECK;
        }

        @Override
        public void apply(WriteRequest request, StoredResource before, Caller caller) {}
    }

    private static final class Validates implements WriteRule {
        @Override
        public Stage stage() {
            return Stage.VALIDATE;
        }

        @Override
        public void apply(WriteRequest request, StoredResource before, Caller caller) {}
    }

    @Test
    void validationRunsAfterEveryRuleThatCompletesTheRecordAndBeforeCrossChecksInWhateverOrderTheyCame() {
        WriteRule validates = new Validates();
        WriteRule completes = new Completes();
        WriteRule alsoCompletes = new AlsoCompletes();
        WriteRule crossChecks = new CrossChecks();
        List<WriteRule> expected = List.of(alsoCompletes, completes, validates, crossChecks);
        assertThat(WriteRule.inOrder(List.of(crossChecks, validates, completes, alsoCompletes)))
                .containsExactlyElementsOf(expected);
        assertThat(WriteRule.inOrder(List.of(completes, validates, alsoCompletes, crossChecks)))
                .containsExactlyElementsOf(expected);
        assertThat(WriteRule.inOrder(List.of(alsoCompletes, crossChecks, completes, validates)))
                .containsExactlyElementsOf(expected);
    }
}
