package jp.renkei.hub.audit;

import jp.renkei.hub.sign.AuditSeal;

/**
 * What anchors the audit chain, when it is anchored (a bean only then): the sealed checkpoints in the store, the copies
 * outside it, and the audit seal that makes and checks them.
 */
record Anchors(AuditCheckpoints checkpoints, CheckpointCopies copies, AuditSeal seal) {}
