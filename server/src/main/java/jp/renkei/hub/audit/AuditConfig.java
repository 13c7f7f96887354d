package jp.renkei.hub.audit;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import jp.renkei.hub.access.AccessGuard;
import jp.renkei.hub.sign.AuditSeal;
import jp.renkei.hub.sign.SignProperties;
import jp.renkei.hub.store.AuditChainStore;
import jp.renkei.hub.store.AuditCheckStore;
import jp.renkei.hub.store.AuditCheckpointStore;
import jp.renkei.hub.store.Records;
import jp.renkei.hub.store.StoreProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The audit trail's pieces: its hash chain in the hub's database, the checkpoints that anchor it (sealed with the
 * hub's audit seal, copied outside the store), the interceptor, the check on every AuditEvent read and the
 * verification operation. With signatures required (production) the hub does not start unless the chain can be
 * anchored: its audit seal, valid now, and a directory for the copies, named explicitly, outside the embedded store's
 * data and writable. An unanchored chain can be rewritten undetected by whoever can write the database.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfig {

    private static final Logger log = LoggerFactory.getLogger(AuditConfig.class);

    @Bean
    AuditChain auditChain(AuditChainStore store) {
        return new AuditChain(store);
    }

    /** No bean (null) when the chain is not anchored: local tests without an audit seal. */
    @Bean
    Anchors auditAnchors(
            AuditCheckpointStore checkpoints,
            StoreProperties store,
            AuditSeal seal,
            SignProperties sign,
            AuditProperties properties) {
        if (!seal.available()) {
            if (sign.required()) {
                throw new IllegalStateException(
                        "The audit chain must be anchored (renkei.sign.required) but the hub's audit seal "
                                + seal.location()
                                + " is missing or unreadable (renkei.sign.seals, RENKEI_SEAL_PASSWORD). Issue it with"
                                + " deploy/pki.sh audit-seal (docs/security.md, Anchoring), or set RENKEI_SIGN_REQUIRED=false for local tests only.");
            }
            // renkei.sign.required=false already keeps the hub on loopback (SignConfig)
            log.warn(
                    "The audit chain is NOT anchored (no audit seal at {}): a rewritten chain would verify as intact. Local tests only.",
                    seal.location());
            return null;
        }
        String deployment = blank(properties.deployment()) ? store.database() : properties.deployment();
        if (!deployment.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalStateException(
                    "renkei.audit.deployment (RENKEI_AUDIT_DEPLOYMENT) must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        CheckpointCopies copies = new CheckpointCopies(anchorDir(properties, store, sign), properties.nodeName());
        if (sign.required()) {
            try {
                copies.checkWritable();
            } catch (UncheckedIOException e) {
                throw new IllegalStateException(
                        "The audit chain's checkpoint copies cannot be written: " + e.getMessage()
                                + " (renkei.audit.anchor-dir, RENKEI_AUDIT_ANCHOR_DIR)",
                        e);
            }
            Instant notAfter = seal.certificate().getNotAfter().toInstant();
            if (notAfter.isBefore(Instant.now())
                    || seal.certificate().getNotBefore().toInstant().isAfter(Instant.now())) {
                throw new IllegalStateException("The hub's audit seal " + seal.location() + " is not valid now (until "
                        + notAfter + "): nothing could be sealed. Issue a new one with deploy/pki.sh audit-seal");
            }
        }
        log.info("The audit chain is anchored: deployment {}, checkpoint copies in {}", deployment, copies.file());
        return new Anchors(new AuditCheckpoints(checkpoints, seal, deployment, properties.nodeName()), copies, seal);
    }

    /**
     * Where the copies go. It must be named: the default would sit beside the data, where whoever can write the
     * database can usually delete it too; with signatures required, a directory inside the embedded store's data is
     * refused for the same reason.
     */
    private static Path anchorDir(AuditProperties properties, StoreProperties store, SignProperties sign) {
        if (blank(properties.anchorDir())) {
            if (sign.required()) {
                throw new IllegalStateException(
                        "renkei.audit.anchor-dir (RENKEI_AUDIT_ANCHOR_DIR) must name the directory for the audit"
                                + " checkpoint copies: shared by every node of the deployment, and not writable by whoever can write the"
                                + " database (another volume or host, append-only or WORM storage; docs/security.md, Anchoring)");
            }
            Path fallback = Path.of(System.getProperty("user.dir"), "renkei-audit-anchors");
            log.warn(
                    "renkei.audit.anchor-dir is not set: the audit checkpoint copies go to {}, beside the data. Local tests only.",
                    fallback);
            return fallback;
        }
        Path dir = Path.of(properties.anchorDir()).toAbsolutePath().normalize();
        if (sign.required()
                && store.useEmbedded()
                && store.embedded() != null
                && store.embedded().dataDir() != null
                && dir.startsWith(store.embedded().dataDir().toAbsolutePath().normalize())) {
            throw new IllegalStateException(
                    "renkei.audit.anchor-dir " + dir + " lies inside the store's data directory: whoever can"
                            + " change the data can delete the copies too. Put it on storage the database's writers cannot write");
        }
        return dir;
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    AuditAnchoring auditAnchoring(
            AuditChain chain,
            Optional<Anchors> anchors,
            Records resources,
            AuditCheckStore checks,
            AuditTrail trail,
            AuditProperties properties) {
        return new AuditAnchoring(chain, anchors, resources, checks, trail, properties);
    }

    @Bean
    AuditEventIntegrity auditEventIntegrity(AuditChain chain, Optional<Anchors> anchors, AuditProperties properties) {
        return new AuditEventIntegrity(chain, anchors.map(Anchors::checkpoints), properties.sealGrace());
    }

    @Bean
    AuditInterceptor auditInterceptor(AuditTrail trail, AccessGuard guard) {
        return new AuditInterceptor(trail, guard);
    }

    @Bean
    AuditChainProvider auditChainProvider(AuditAnchoring anchoring, AccessGuard guard) {
        return new AuditChainProvider(anchoring, guard);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
