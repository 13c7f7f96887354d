package jp.renkei.hub.audit;

import com.mongodb.client.MongoClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.sign.AuditSeal;
import jp.renkei.hub.sign.SignProperties;
import jp.renkei.hub.store.ResourceStore;
import jp.renkei.hub.store.StoreProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The audit trail's pieces: its hash chain in the hub's database, the checkpoints that anchor it (sealed with the
 * hub's audit seal, copied outside the store), the interceptor, the check on every AuditEvent read and the
 * verification operation. With signatures required (production) the hub does not start without its audit seal:
 * an unanchored chain can be rewritten undetected by whoever can write the database.
 */
@Configuration(proxyBeanMethods = false)
public class AuditConfig {

    private static final Logger log = LoggerFactory.getLogger(AuditConfig.class);

    @Bean
    AuditChain auditChain(MongoClient client, StoreProperties store) {
        return new AuditChain(client.getDatabase(store.database()));
    }

    /** Null (no bean) when the chain is not anchored. */
    @Bean
    AuditCheckpointsHolder auditAnchors(MongoClient client, StoreProperties store, AuditSeal seal, SignProperties sign,
                                            AuditProperties properties) {
        if (!seal.available()) {
            if (sign.required()) {
                throw new IllegalStateException("The audit chain must be anchored (renkei.sign.required) but the hub's audit seal "
                        + seal.location() + " is missing or unreadable (renkei.sign.seals, RENKEI_SEAL_PASSWORD). Issue it with"
                        + " deploy/pki.sh audit-seal (docs/security.md, Anchoring), or set RENKEI_SIGN_REQUIRED=false for local tests only.");
            }
            // renkei.sign.required=false already keeps the hub on loopback (SignConfig)
            log.warn("The audit chain is NOT anchored (no audit seal at {}): a rewritten chain would verify as intact. Local tests only.",
                    seal.location());
            return new AuditCheckpointsHolder(null, null);
        }
        if (properties.anchorDir() == null) {
            throw new IllegalStateException("renkei.audit.anchor-dir (RENKEI_AUDIT_ANCHOR_DIR) must name the directory for the"
                    + " checkpoint copies kept outside the store");
        }
        return new AuditCheckpointsHolder(new AuditCheckpoints(client.getDatabase(store.database()), seal),
                new CheckpointCopies(properties.anchorDir(), node(properties.node())));
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    AuditAnchoring auditAnchoring(AuditChain chain, AuditCheckpointsHolder anchors, ResourceStore store, AuditTrail trail,
                                  AuditProperties properties) {
        return new AuditAnchoring(chain, anchors.checkpoints(), anchors.copies(), store, trail, properties);
    }

    @Bean
    AuditEventIntegrity auditEventIntegrity(AuditChain chain, AuditCheckpointsHolder anchors) {
        return new AuditEventIntegrity(chain, anchors.checkpoints());
    }

    @Bean
    AuditInterceptor auditInterceptor(AuditTrail trail, AccessGuard guard) {
        return new AuditInterceptor(trail, guard);
    }

    @Bean
    AuditChainProvider auditChainProvider(AuditAnchoring anchoring, AccessGuard guard) {
        return new AuditChainProvider(anchoring, guard);
    }

    /** The store's checkpoints and this node's copies outside it, both null when the chain is not anchored. */
    record AuditCheckpointsHolder(AuditCheckpoints checkpoints, CheckpointCopies copies) {
    }

    private static String node(String configured) {
        String name = configured;
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                name = "node";
            }
        }
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
