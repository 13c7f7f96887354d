package jp.renkei.hub.audit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code renkei.audit.*}: how the audit hash chain is anchored (docs/security.md, "Anchoring"; application.yml for the
 * environment variables).
 *
 * @param checkpointEvery    seal a checkpoint once this many events were chained since the last one
 * @param checkpointInterval and at least this often while events arrive
 * @param sealGrace          how much later than {@code checkpointInterval} a link may still be sealed (a restart after
 *                           a crash); older unsealed links are refused, and so is an AuditEvent unlinked for longer
 * @param sealBacklog        seal links chained longer ago than that (once: the first start of an anchored hub on an
 *                           older chain); such checkpoints say so
 * @param verifyInterval     how often the whole chain is verified, counted from the last full check of any node
 * @param anchorDir          the directory, shared by every node, where each node keeps its copy of the checkpoints
 *                           it sealed, outside the store; required with signatures required
 * @param node               this node's name in that directory's file name; empty: the host name
 * @param deployment         the deployment the checkpoints belong to, sealed into each; empty: the database's name
 */
@ConfigurationProperties("renkei.audit")
public record AuditProperties(
        @DefaultValue("1000") int checkpointEvery,
        @DefaultValue("60s") Duration checkpointInterval,
        @DefaultValue("10m") Duration sealGrace,
        boolean sealBacklog,
        @DefaultValue("24h") Duration verifyInterval,
        String anchorDir,
        String node,
        String deployment) {

    /** This node's name: {@code node}, else the host name, as a file name may hold it. */
    public String nodeName() {
        String name = node;
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                name = "node";
            }
        }
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** How long after it was chained a link must have been sealed. */
    Duration sealWithin() {
        return checkpointInterval.plus(sealGrace);
    }
}
