package jp.renkei.hub.audit;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code renkei.audit.*}: how the audit hash chain is anchored (docs/security.md, "Anchoring"; application.yml for the
 * environment variables).
 *
 * @param checkpointEvery    seal a checkpoint once this many events were chained since the last one
 * @param checkpointInterval and at least this often while events arrive
 * @param verifyInterval     how often the whole chain is verified (at start-up only the part since the newest
 *                           checkpoint is)
 * @param anchorDir          where this node keeps its copy of the checkpoints it sealed, outside the store
 * @param node               this node's name in that directory's file name; empty: the host name
 */
@ConfigurationProperties("renkei.audit")
public record AuditProperties(@DefaultValue("1000") int checkpointEvery,
                              @DefaultValue("60s") Duration checkpointInterval,
                              @DefaultValue("24h") Duration verifyInterval,
                              Path anchorDir,
                              String node) {
}
